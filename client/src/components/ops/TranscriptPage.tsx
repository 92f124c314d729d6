import type { Transcript } from '@dispute-room/shared';
import { useEffect, type ReactNode } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { opsApi } from '../../api/endpoints';
import { reasonLabels } from '../../lib/disputes';
import { formatMoney } from '../../lib/money';
import { describeOutcome } from '../../lib/outcome';
import { paths } from '../../lib/routes';
import { dateTimeLabel } from '../../lib/time';
import { describeChain } from '../../lib/transcript';
import { useOpsSearch } from '../../stores/opsSearch';
import { selectZone, useSession } from '../../stores/session';
import { useTranscript } from '../../stores/transcript';
import { Link } from '../Link';
import { StateBadge } from '../StateBadge';
import { ReviewPanel } from './ReviewPanel';
import { AuditRecord, EvidenceRecord, FeedbackRecord, ProposalsRecord } from './TranscriptRecords';
import { TranscriptTimeline } from './TranscriptTimeline';
import { type TranscriptViewProps, useTranscriptNames } from './useTranscriptNames';

function ChainBanner({ chain }: { chain: Transcript['chain'] }) {
  const status = describeChain(chain);
  const { t } = useTranslation();
  return (
    <div
      className={`chain-banner ${status.verified ? 'verified' : 'broken'}`}
      role="status"
      data-testid="chain-status"
      data-verified={status.verified}
    >
      <span className="chain-icon" aria-hidden="true">
        {status.verified ? '✓' : '✕'}
      </span>
      <div>
        <p className="chain-label">
          <span className="sr-only">{t('transcript.chain')} </span>
          {status.label}
        </p>
        <p className="chain-detail">{status.detail}</p>
      </div>
    </div>
  );
}

function TranscriptHeader({ transcript, zone, nameOf }: TranscriptViewProps) {
  const d = transcript.dispute;
  const lastQuery = useOpsSearch((s) => s.lastQuery);
  const { t } = useTranslation();
  const outcome = d.outcome ? describeOutcome(d.outcome, d.currency) : null;
  const seat = (id: string) =>
    id === d.claimantId ? t('transcript.claimant') : t('transcript.respondent');
  const people: ['client' | 'freelancer' | 'mediator', string | null, string][] = [
    ['client', d.clientId, seat(d.clientId)],
    ['freelancer', d.freelancerId, seat(d.freelancerId)],
    ['mediator', d.mediatorId, ''],
  ];
  return (
    <header className="transcript-header">
      <Link to={`${paths.opsSearch}${lastQuery}`} className="back-link">
        <span className="flip-rtl">←</span> {t('nav.search')}
      </Link>
      <div className="room-title-row">
        <span className="dispute-number" data-testid="transcript-number">
          {d.number}
        </span>
        <StateBadge state={d.state} />
        {outcome && (
          <span className="badge outcome-badge" data-testid="transcript-outcome">
            {outcome.title}
          </span>
        )}
      </div>
      <h1 className="room-title">
        <bdi>{d.contractTitle}</bdi>
      </h1>
      <ul className="parties" aria-label={t('transcript.people')}>
        {people.map(([seatRole, id, role]) => (
          <li key={seatRole} data-testid={`transcript-${seatRole}`}>
            <span className="muted">{t(`role.${seatRole}`)}</span>{' '}
            <strong>{id ? <bdi>{nameOf(id, seatRole)}</bdi> : t('search.noMediator')}</strong>
            {role && <span className="muted small"> ({role})</span>}
          </li>
        ))}
      </ul>
      <p className="room-facts">
        <Trans
          i18nKey="transcript.facts"
          values={{
            reason: reasonLabels[d.reason],
            claim: formatMoney(d.claimCents, d.currency),
            escrow: formatMoney(d.escrowCents, d.currency),
            filed: dateTimeLabel(d.createdAt, zone),
          }}
          components={{ strong: <strong /> }}
        />
        {d.closedAt && ` · ${t('transcript.closedAt', { when: dateTimeLabel(d.closedAt, zone) })}`}
      </p>
      {outcome && d.outcome && (
        <p className="room-facts">
          {outcome.split && <>{outcome.split} · </>}
          {d.outcome.decidedBy === 'system' ? (
            t('transcript.decidedAutomatically')
          ) : (
            <>
              {t('transcript.decidedBy')} <bdi>{nameOf(d.outcome.decidedBy)}</bdi>
            </>
          )}{' '}
          {dateTimeLabel(d.outcome.decidedAt, zone)}
          {d.outcome.note && (
            <>
              {' '}
              · “<bdi>{d.outcome.note}</bdi>”
            </>
          )}
        </p>
      )}
      <div className="button-row transcript-actions">
        <Link to={paths.dispute(d.id)} className="btn btn-ghost btn-small" data-testid="open-room">
          {t('transcript.openRoom')}
        </Link>
        <a
          className="btn btn-ghost btn-small"
          href={opsApi.exportUrl(d.id, 'json')}
          download
          data-testid="export-json"
        >
          {t('transcript.exportJson')}
        </a>
        <a
          className="btn btn-ghost btn-small"
          href={opsApi.exportUrl(d.id, 'html')}
          download
          data-testid="export-html"
        >
          {t('transcript.exportHtml')}
        </a>
        <a
          className="btn btn-ghost btn-small"
          href={opsApi.printUrl(d.id)}
          target="_blank"
          rel="noopener"
          data-testid="export-print"
        >
          {t('transcript.print')}
        </a>
      </div>
    </header>
  );
}

function Section({
  id,
  title,
  count,
  children,
  className = '',
}: {
  id: string;
  title: string;
  count?: number;
  children: ReactNode;
  className?: string;
}) {
  return (
    <section className={`card transcript-section ${className}`} aria-labelledby={id}>
      <h2 id={id} className="card-title">
        {title}
        {count !== undefined && <span className="count">{count}</span>}
      </h2>
      {children}
    </section>
  );
}

/** The full record of one dispute for review: every channel, evidence, offers, audit, ratings, QA. */
export function TranscriptPage({ disputeId }: { disputeId: string }) {
  const zone = useSession(selectZone);
  const current = useTranscript((s) => (s.disputeId === disputeId ? s.transcript : null));
  const status = useTranscript((s) => s.status);
  const error = useTranscript((s) => s.error);
  const nameOf = useTranscriptNames(current);
  const { t: say } = useTranslation();

  useEffect(() => {
    void useTranscript.getState().load(disputeId);
  }, [disputeId]);

  if (!current) {
    if (status === 'error') {
      return (
        <div className="empty-state" role="alert">
          <h2>{say('transcript.loadError')}</h2>
          <p className="muted">{error}</p>
          <div className="button-row">
            <button
              type="button"
              className="btn btn-ghost"
              onClick={() => void useTranscript.getState().load(disputeId)}
            >
              {say('common.retry')}
            </button>
            <Link to={paths.opsSearch}>{say('transcript.backToSearch')}</Link>
          </div>
        </div>
      );
    }
    return (
      <div className="splash" role="status">
        <span className="spinner" aria-hidden="true" />
        {say('transcript.loading')}
      </div>
    );
  }

  const t = current;
  const props = { transcript: t, zone, nameOf };
  return (
    <div className="page wide ops-page transcript-page" data-testid="transcript">
      <TranscriptHeader {...props} />
      <ChainBanner chain={t.chain} />
      {status === 'error' && (
        <p className="form-error" role="alert">
          {say('transcript.refreshError', { error })}
        </p>
      )}
      <div className="transcript-layout">
        <Section
          id="transcript-messages"
          title={say('transcript.messages')}
          count={t.messages.length}
          className="transcript-main"
        >
          <p className="muted small">{say('transcript.times', { zone })}</p>
          <TranscriptTimeline {...props} />
        </Section>
        <div className="transcript-side">
          <Section id="transcript-qa" title={say('transcript.qa')}>
            <ReviewPanel key={t.dispute.id} {...props} />
          </Section>
          <Section id="transcript-csat" title={say('transcript.csat')} count={t.feedback.length}>
            <FeedbackRecord {...props} />
          </Section>
          <Section
            id="transcript-evidence"
            title={say('room.side.evidence')}
            count={t.evidence.length}
          >
            <EvidenceRecord {...props} />
          </Section>
          <Section
            id="transcript-proposals"
            title={say('transcript.proposals')}
            count={t.proposals.length}
          >
            <ProposalsRecord {...props} />
          </Section>
        </div>
      </div>
      <Section id="transcript-audit" title={say('transcript.audit')} count={t.audit.length}>
        <AuditRecord {...props} />
      </Section>
    </div>
  );
}
