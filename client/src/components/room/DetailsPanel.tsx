import type { Dispute } from '@dispute-room/shared';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
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
  const { t } = useTranslation();
  const claimantSeat = dispute.claimantId === dispute.clientId ? 'client' : 'freelancer';
  const respondentSeat = claimantSeat === 'client' ? 'freelancer' : 'client';
  const rows: [string, ReactNode][] = [
    [t('details.reason'), reasonLabels[dispute.reason]],
    [
      t('details.claimant'),
      <>
        <bdi>{nameOf(dispute.claimantId, claimantSeat)}</bdi> ({t(`role.${claimantSeat}`)})
      </>,
    ],
    [
      t('details.respondent'),
      <>
        <bdi>{nameOf(dispute.respondentId, respondentSeat)}</bdi> ({t(`role.${respondentSeat}`)})
      </>,
    ],
    [t('details.claim'), formatMoney(dispute.claimCents, dispute.currency)],
    [t('details.escrow'), formatMoney(dispute.escrowCents, dispute.currency)],
    [t('details.filed'), dateTimeLabel(dispute.createdAt, zone)],
    [t('details.responseDue'), dateTimeLabel(dispute.respondBy, zone)],
  ];
  if (dispute.mediationEndsBy) {
    rows.push([t('details.mediationEnds'), dateTimeLabel(dispute.mediationEndsBy, zone)]);
  }
  if (dispute.closedAt) rows.push([t('details.closed'), dateTimeLabel(dispute.closedAt, zone)]);
  return (
    <div className="details-panel">
      <h2 className="panel-subtitle">{t('details.description')}</h2>
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
      <p className="muted small">{t('details.zone', { zone })}</p>
    </div>
  );
}
