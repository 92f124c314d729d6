import type { Dispute } from '@dispute-room/shared';
import type { ReactNode } from 'react';
import { reasonLabels } from '../../lib/disputes';
import { formatMoney } from '../../lib/money';
import { dateTimeLabel } from '../../lib/time';
import { selectZone, useSession } from '../../stores/session';
import { LinkifiedText } from '../LinkifiedText';
import { useNameOf } from './useNames';

/** The facts of the dispute as filed. */
export function DetailsPanel({ dispute }: { dispute: Dispute }) {
  const zone = useSession(selectZone);
  const nameOf = useNameOf();
  const claimantSeat = dispute.claimantId === dispute.clientId ? 'client' : 'freelancer';
  const respondentSeat = claimantSeat === 'client' ? 'freelancer' : 'client';
  const rows: [string, ReactNode][] = [
    ['Reason', reasonLabels[dispute.reason]],
    [
      'Claimant',
      <>
        <bdi>{nameOf(dispute.claimantId, claimantSeat)}</bdi> ({claimantSeat})
      </>,
    ],
    [
      'Respondent',
      <>
        <bdi>{nameOf(dispute.respondentId, respondentSeat)}</bdi> ({respondentSeat})
      </>,
    ],
    ['Claim', formatMoney(dispute.claimCents, dispute.currency)],
    ['Escrow', formatMoney(dispute.escrowCents, dispute.currency)],
    ['Filed', dateTimeLabel(dispute.createdAt, zone)],
    ['Response due', dateTimeLabel(dispute.respondBy, zone)],
  ];
  if (dispute.mediationEndsBy) {
    rows.push(['Mediation ends', dateTimeLabel(dispute.mediationEndsBy, zone)]);
  }
  if (dispute.closedAt) rows.push(['Closed', dateTimeLabel(dispute.closedAt, zone)]);
  return (
    <div className="details-panel">
      <h2 className="panel-subtitle">Description</h2>
      <p className="description" dir="auto">
        <LinkifiedText text={dispute.description} />
      </p>
      <dl className="facts">
        {rows.map(([term, value]) => (
          <div key={term}>
            <dt>{term}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <p className="muted small">Times are shown in {zone}.</p>
    </div>
  );
}
