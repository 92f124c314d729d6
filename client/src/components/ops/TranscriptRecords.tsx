import type { Transcript } from '@dispute-room/shared';
import { evidenceApi } from '../../api/endpoints';
import { t } from '../../i18n';
import { stateLabels } from '../../lib/disputes';
import { formatMoney } from '../../lib/money';
import { dateTimeLabel } from '../../lib/time';
import { auditDetails, humanizeType } from '../../lib/transcript';
import { Names } from '../Names';
import { fileKind, formatBytes } from '../room/Attachments';
import { ChannelChip } from './ChannelChip';
import type { NameOf } from './useTranscriptNames';

interface RecordProps {
  transcript: Transcript;
  zone: string;
  nameOf: NameOf;
}

/** Every evidence file with its full sha256, to check a copy against. */
export function EvidenceRecord({ transcript, zone, nameOf }: RecordProps) {
  if (transcript.evidence.length === 0)
    return <p className="muted">{t('transcript.noEvidence')}</p>;
  return (
    <ul className="record-list">
      {transcript.evidence.map((e) => (
        <li key={e.id} className="record-item" data-testid="transcript-evidence">
          <div className="record-head">
            <a href={evidenceApi.contentUrl(e.id)} download={e.filename} className="record-name">
              <bdi>{e.filename}</bdi>
            </a>
            <ChannelChip channel={e.channel} />
          </div>
          {e.description && (
            <p className="record-text" dir="auto">
              {e.description}
            </p>
          )}
          <p className="muted small">
            {fileKind(e)} · {formatBytes(e.size)} · {e.contentType}
            <br />
            <bdi>{nameOf(e.uploaderId)}</bdi> · {dateTimeLabel(e.createdAt, zone)}
          </p>
          <p className="hash-full">
            <span className="muted">sha256</span> <code>{e.sha256}</code>
          </p>
        </li>
      ))}
    </ul>
  );
}

export function ProposalsRecord({ transcript, zone, nameOf }: RecordProps) {
  const { proposals, dispute } = transcript;
  if (proposals.length === 0) return <p className="muted">{t('transcript.noProposals')}</p>;
  return (
    <ul className="record-list">
      {proposals.map((p) => (
        <li key={p.id} className="record-item" data-testid="transcript-proposal">
          <div className="record-head">
            <span className="record-name">
              <bdi>{nameOf(p.authorId)}</bdi>
            </span>
            <span className={`badge proposal-${p.status}`}>{t(`offers.status.${p.status}`)}</span>
          </div>
          <p>
            {t('offers.terms', {
              client: formatMoney(p.clientCents, dispute.currency),
              freelancer: formatMoney(p.freelancerCents, dispute.currency),
            })}
          </p>
          {p.note && (
            <p className="record-text">
              “<bdi>{p.note}</bdi>”
            </p>
          )}
          <p className="muted small">
            {dateTimeLabel(p.createdAt, zone)}
            {p.acceptedBy.length > 0 && (
              <>
                {` · ${t('transcript.acceptedBy')} `}
                <Names names={p.acceptedBy.map((id) => nameOf(id))} />
              </>
            )}
          </p>
        </li>
      ))}
    </ul>
  );
}

const stars = (rating: number) => '★'.repeat(rating) + '☆'.repeat(Math.max(0, 5 - rating));

export function FeedbackRecord({ transcript, zone, nameOf }: RecordProps) {
  if (transcript.feedback.length === 0)
    return <p className="muted">{t('transcript.noFeedback')}</p>;
  return (
    <ul className="record-list">
      {transcript.feedback.map((f) => (
        <li key={f.id} className="record-item" data-testid="transcript-feedback">
          <div className="record-head">
            <span className="record-name">
              <bdi>{nameOf(f.userId)}</bdi>
            </span>
            <span className="stars-text" aria-label={t('transcript.stars', { rating: f.rating })}>
              {stars(f.rating)}
            </span>
          </div>
          {f.comment && (
            <p className="record-text">
              “<bdi>{f.comment}</bdi>”
            </p>
          )}
          <p className="muted small">{dateTimeLabel(f.createdAt, zone)}</p>
        </li>
      ))}
    </ul>
  );
}

/** The dispute's event log: every state change and action, who and when. */
export function AuditRecord({ transcript, zone, nameOf }: RecordProps) {
  const { audit, dispute } = transcript;
  if (audit.length === 0) return <p className="muted">{t('transcript.noAudit')}</p>;
  const formatters = {
    nameOf: (id: string) => nameOf(id),
    money: (cents: number) => formatMoney(cents, dispute.currency),
    time: (iso: string) => dateTimeLabel(iso, zone),
  };
  return (
    <div className="table-scroll" tabIndex={0} aria-label={t('transcript.audit')}>
      <table className="ops-table audit-table" data-testid="transcript-audit">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">{t('transcript.when')}</th>
            <th scope="col">{t('audit.event')}</th>
            <th scope="col">{t('transcript.by')}</th>
            <th scope="col">{t('search.state')}</th>
            <th scope="col">{t('room.side.details')}</th>
          </tr>
        </thead>
        <tbody>
          {audit.map((a) => {
            const details = auditDetails(a.data, formatters);
            return (
              <tr key={a.version}>
                <td className="muted">{a.version}</td>
                <td className="cell-time">{dateTimeLabel(a.at, zone)}</td>
                <td>{humanizeType(a.type)}</td>
                <td>
                  {a.actorId === 'system' ? t('role.system') : <bdi>{nameOf(a.actorId)}</bdi>}
                </td>
                <td className="cell-state">
                  {a.from === a.to
                    ? stateLabels[a.from]
                    : `${stateLabels[a.from]} → ${stateLabels[a.to]}`}
                </td>
                <td className="cell-details">
                  {a.note && (
                    <p className="record-text">
                      “<bdi>{a.note}</bdi>”
                    </p>
                  )}
                  {details.map((line) => (
                    <p key={line} className="muted small">
                      {line}
                    </p>
                  ))}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
