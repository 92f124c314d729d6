import {
  channels,
  type Channel,
  type Evidence,
  type Message,
  type Proposal,
} from '@dispute-room/shared';
import { memo, useMemo, useState, type ReactNode } from 'react';
import { evidenceApi } from '../../api/endpoints';
import { t } from '../../i18n';
import { staffChannelLabel } from '../../lib/channels';
import { formatMoney } from '../../lib/money';
import { roleLabel } from '../../lib/people';
import { describeSystemMessage } from '../../lib/systemEvents';
import { dateTimeLabel, dayKey, dayLabel, timeLabel } from '../../lib/time';
import { brokenFrom, editsByOriginal, interleaveByTime } from '../../lib/transcript';
import { selectNow, useClock } from '../../stores/clock';
import { LinkifiedText } from '../LinkifiedText';
import { ChannelChip } from './ChannelChip';
import { type NameOf, type TranscriptViewProps } from './useTranscriptNames';

interface EntryContext {
  zone: string;
  nameOf: NameOf;
  currency: string;
  evidenceById: Map<string, Evidence>;
  proposalsById: Map<string, Proposal>;
  messagesById: Map<string, Message>;
  editsOf: Map<string, Message[]>;
}

function Time({ iso, zone }: { iso: string; zone: string }) {
  return (
    <time dateTime={iso} title={dateTimeLabel(iso, zone)}>
      {timeLabel(iso, zone)}
    </time>
  );
}

function EvidenceRefs({ ids, ctx }: { ids: string[]; ctx: EntryContext }) {
  return (
    <ul className="entry-evidence">
      {ids.map((id) => {
        const e = ctx.evidenceById.get(id);
        return (
          <li key={id}>
            <a href={evidenceApi.contentUrl(id)} download={e?.filename ?? true}>
              <bdi>{e?.filename ?? t('evidence.attachment')}</bdi>
            </a>
            {e && <span className="hash small"> sha256 {e.sha256.slice(0, 12)}…</span>}
          </li>
        );
      })}
    </ul>
  );
}

function ProposalRef({ proposalId, ctx }: { proposalId: string; ctx: EntryContext }) {
  const p = ctx.proposalsById.get(proposalId);
  if (!p) return null;
  return (
    <p className="entry-proposal small">
      {t('transcript.offer', {
        client: formatMoney(p.clientCents, ctx.currency),
        freelancer: formatMoney(p.freelancerCents, ctx.currency),
      })}{' '}
      · <span className="muted">{t(`offers.status.${p.status}`)}</span>
    </p>
  );
}

const TranscriptEntry = memo(function TranscriptEntry({
  message: m,
  unverified,
  ctx,
}: {
  message: Message;
  unverified: boolean;
  ctx: EntryContext;
}) {
  const common = {
    'data-testid': 'transcript-entry',
    'data-channel': m.channel,
    'data-seq': m.seq,
    'data-kind': m.kind,
    'data-message-id': m.id,
  };
  const marker = (
    <span className="entry-marker">
      <ChannelChip channel={m.channel} />
      <span className="entry-seq" aria-label={t('transcript.sequence', { seq: m.seq })}>
        #{m.seq}
      </span>
      {unverified && (
        <span className="unverified-tag" title={t('transcript.unverifiedHint')}>
          {t('transcript.unverified')}
        </span>
      )}
    </span>
  );
  const className = `entry kind-${m.kind}${unverified ? ' unverified' : ''}`;

  if (m.kind === 'system') {
    return (
      <li className={className} {...common}>
        {marker}
        <span className="entry-system-text">
          {describeSystemMessage(m, (id) => ctx.nameOf(id))}
        </span>
        <Time iso={m.createdAt} zone={ctx.zone} />
      </li>
    );
  }

  const author = ctx.nameOf(m.authorId, m.authorRole);
  const role = m.authorRole ?? 'unknown';
  const head = (
    <div className="entry-head">
      {marker}
      <span className={`author role-${role}`}>
        <bdi>{author}</bdi>
      </span>
      {m.authorRole && <span className={`role-tag role-${role}`}>{roleLabel(m.authorRole)}</span>}
      <Time iso={m.createdAt} zone={ctx.zone} />
    </div>
  );

  if (m.kind === 'edit') {
    const original = m.editOf ? ctx.messagesById.get(m.editOf) : undefined;
    return (
      <li className={className} {...common}>
        {head}
        <p className="entry-edit-note muted small">
          {original
            ? t('transcript.editedSeq', { seq: original.seq })
            : t('transcript.editedEarlier')}
        </p>
        <div className="entry-body" dir="auto">
          <LinkifiedText text={m.body} />
        </div>
      </li>
    );
  }

  const edits = ctx.editsOf.get(m.id) ?? [];
  const edited = m.originalBody !== null || edits.length > 0 || m.editedAt !== null;
  return (
    <li className={className} {...common}>
      {head}
      {edited ? (
        <div className="entry-edited">
          <p className="entry-version-label">{t('transcript.original')}</p>
          <div className="entry-body" dir="auto">
            <LinkifiedText text={m.originalBody ?? m.body} />
          </div>
          {edits.length > 0 ? (
            edits.map((e) => (
              <div key={e.id} className="entry-version">
                <p className="entry-version-label">
                  {t('transcript.edit', { seq: e.seq, when: dateTimeLabel(e.createdAt, ctx.zone) })}
                </p>
                <div className="entry-body" dir="auto">
                  <LinkifiedText text={e.body} />
                </div>
              </div>
            ))
          ) : (
            <div className="entry-version">
              <p className="entry-version-label">
                {t('transcript.nowReads')}
                {m.editedAt
                  ? ` · ${t('transcript.editedAt', { when: dateTimeLabel(m.editedAt, ctx.zone) })}`
                  : ''}
              </p>
              <div className="entry-body" dir="auto">
                <LinkifiedText text={m.body} />
              </div>
            </div>
          )}
        </div>
      ) : (
        m.body && (
          <div className="entry-body" dir="auto">
            <LinkifiedText text={m.body} />
          </div>
        )
      )}
      {m.proposalId && <ProposalRef proposalId={m.proposalId} ctx={ctx} />}
      {m.evidenceIds.length > 0 && <EvidenceRefs ids={m.evidenceIds} ctx={ctx} />}
    </li>
  );
});

/** Every channel's entries in one timeline by time, each channel in its own seq order. */
export function TranscriptTimeline({ transcript, zone, nameOf }: TranscriptViewProps) {
  const now = useClock(selectNow);
  const [hidden, setHidden] = useState<ReadonlySet<Channel>>(() => new Set());
  const { messages, evidence, proposals, chain, dispute } = transcript;

  const ordered = useMemo(() => interleaveByTime(messages), [messages]);
  const ctx = useMemo<EntryContext>(
    () => ({
      zone,
      nameOf,
      currency: dispute.currency,
      evidenceById: new Map(evidence.map((e) => [e.id, e])),
      proposalsById: new Map(proposals.map((p) => [p.id, p])),
      messagesById: new Map(messages.map((m) => [m.id, m])),
      editsOf: editsByOriginal(messages),
    }),
    [zone, nameOf, dispute.currency, evidence, proposals, messages],
  );
  const broken = useMemo(() => brokenFrom(chain), [chain]);
  const counts = useMemo(() => {
    const n = new Map<Channel, number>();
    for (const m of messages) n.set(m.channel, (n.get(m.channel) ?? 0) + 1);
    return n;
  }, [messages]);
  const present = channels.filter((c) => (counts.get(c) ?? 0) > 0);

  const toggle = (channel: Channel) =>
    setHidden((current) => {
      const next = new Set(current);
      if (next.has(channel)) next.delete(channel);
      else next.add(channel);
      return next;
    });

  const items: ReactNode[] = [];
  let prevDay: string | null = null;
  const nowDate = new Date(now);
  for (const m of ordered) {
    if (hidden.has(m.channel)) continue;
    const day = dayKey(m.createdAt, zone);
    if (day !== prevDay) {
      items.push(
        <li key={`day-${day}`} className="day-separator">
          <span>{dayLabel(m.createdAt, zone, nowDate)}</span>
        </li>,
      );
      prevDay = day;
    }
    const breaksAt = broken[m.channel];
    items.push(
      <TranscriptEntry
        key={m.id}
        message={m}
        unverified={breaksAt !== undefined && m.seq >= breaksAt}
        ctx={ctx}
      />,
    );
  }

  return (
    <div className="transcript-timeline">
      {present.length > 1 && (
        <div className="filter-chips flat" role="group" aria-label={t('transcript.showChannels')}>
          {present.map((c) => (
            <button
              key={c}
              type="button"
              className={`chip channel-toggle channel-${c.replace(':', '-')}`}
              aria-pressed={!hidden.has(c)}
              onClick={() => toggle(c)}
              data-testid={`transcript-toggle-${c}`}
            >
              {staffChannelLabel(c)} <span className="chip-count">{counts.get(c)}</span>
            </button>
          ))}
        </div>
      )}
      {messages.length === 0 ? (
        <p className="muted empty-line">{t('transcript.noEntries')}</p>
      ) : items.length === 0 ? (
        <p className="muted empty-line">{t('transcript.allHidden')}</p>
      ) : (
        <ol
          className="entries"
          aria-label={t('transcript.byTime')}
          data-testid="transcript-timeline"
        >
          {items}
        </ol>
      )}
    </div>
  );
}
