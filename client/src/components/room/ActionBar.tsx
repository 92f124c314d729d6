import { isTerminal, relationTo, type Dispute } from '@dispute-room/shared';
import { Trans, useTranslation } from 'react-i18next';
import { disputesApi } from '../../api/endpoints';
import { describeDeadline } from '../../lib/deadline';
import { formatMoney } from '../../lib/money';
import { dateTimeLabel } from '../../lib/time';
import { selectNow, useClock } from '../../stores/clock';
import { useDisputes } from '../../stores/disputes';
import { useProposals } from '../../stores/proposals';
import { useRoom } from '../../stores/room';
import { selectUser, selectZone, useSession } from '../../stores/session';
import { ConfirmAction } from '../ConfirmAction';
import { ClosedActions } from './ClosedActions';

function apply(dispute: Dispute): void {
  useDisputes.getState().upsert(dispute);
  useRoom.getState().setDispute(dispute);
}

const note = (text: string) => (text ? { note: text } : {});

/**
 * What the viewer can do to the dispute in its current state, and what it is waiting for.
 * The expected next step (answer the claim, answer or make an offer) is the primary action;
 * leaving mediation (escalate, withdraw) is there but quiet.
 */
export function ActionBar({
  dispute,
  onOffers,
}: {
  dispute: Dispute;
  /** Opens the Offers panel. */
  onOffers: () => void;
}) {
  const user = useSession(selectUser);
  const zone = useSession(selectZone);
  const now = useClock(selectNow);
  const { t } = useTranslation();
  const awaiting = useProposals((s) =>
    s.items.find((p) => p.status === 'pending' && !!user && !p.acceptedBy.includes(user.id)),
  );
  if (!user) return null;
  const relation = relationTo(user, dispute);
  const isParty = relation === 'client' || relation === 'freelancer';
  const isClaimant = user.id === dispute.claimantId;
  const isRespondent = user.id === dispute.respondentId;
  const claimantRole = dispute.claimantId === dispute.clientId ? 'client' : 'freelancer';
  const respondentRole = claimantRole === 'client' ? 'freelancer' : 'client';
  const { state } = dispute;
  const claim = formatMoney(dispute.claimCents, dispute.currency);
  const escrow = formatMoney(dispute.escrowCents, dispute.currency);

  if (isTerminal(state)) {
    return <ClosedActions dispute={dispute} isParty={isParty} userId={user.id} />;
  }

  const canEscalate = state === 'mediation' && (isParty || relation === 'assigned_mediator');
  const canWithdraw = isClaimant && (state === 'open' || state === 'mediation');
  const respond = isRespondent && state === 'open';
  const offerAction =
    isParty && state === 'mediation'
      ? awaiting
        ? t('actions.answerOffer')
        : t('actions.makeOffer')
      : relation === 'assigned_mediator' && state === 'mediation'
        ? t('actions.recommend')
        : null;
  let notice: string | null = null;
  if (state === 'open' && isClaimant) {
    notice = t(`actions.waitingFor.${respondentRole}`, {
      deadline: describeDeadline(dispute, new Date(now), zone).label,
    });
  } else if (state === 'mediation' && dispute.mediatorId === null && isParty) {
    notice = t('actions.mediatorSoon');
  }
  if (!respond && !canEscalate && !canWithdraw && !notice && !offerAction) return null;

  return (
    <div className={`action-bar${respond ? ' callout' : ''}`} data-testid="action-bar">
      {respond && (
        <div className="respond">
          <p className="respond-text">
            <Trans
              i18nKey={`actions.claims.${claimantRole}`}
              values={{ claim, escrow }}
              components={{ strong: <strong /> }}
            />
          </p>
          <p className="respond-deadline" data-testid="respond-deadline">
            {t(`actions.respondBy.${claimantRole}`, {
              when: dateTimeLabel(dispute.respondBy, zone),
            })}
          </p>
          <div className="button-row">
            <ConfirmAction
              label={t('actions.acceptClaim')}
              question={t(`actions.acceptQuestion.${claimantRole}`, { claim })}
              confirmLabel={t('actions.acceptClaim')}
              tone="primary"
              withNote
              testId="respond-accept"
              onConfirm={async (text) =>
                apply(
                  (await disputesApi.respond(dispute.id, { accept: true, ...note(text) })).dispute,
                )
              }
            />
            <ConfirmAction
              label={t('actions.rejectLabel')}
              question={t('actions.rejectQuestion')}
              confirmLabel={t('actions.rejectClaim')}
              withNote
              testId="respond-reject"
              onConfirm={async (text) =>
                apply(
                  (await disputesApi.respond(dispute.id, { accept: false, ...note(text) })).dispute,
                )
              }
            />
          </div>
        </div>
      )}
      {notice && <p className="action-notice">{notice}</p>}
      {offerAction && (
        <button
          type="button"
          className="btn btn-primary"
          data-testid="offer-action"
          onClick={onOffers}
        >
          {offerAction}
        </button>
      )}
      {(canEscalate || canWithdraw) && (
        <div className="button-row secondary-actions">
          {canEscalate && (
            <ConfirmAction
              label={t('actions.escalateLabel')}
              question={t('actions.escalateQuestion')}
              confirmLabel={t('actions.escalate')}
              tone="danger"
              secondary
              withNote
              testId="escalate"
              onConfirm={async (text) =>
                apply((await disputesApi.escalate(dispute.id, note(text))).dispute)
              }
            />
          )}
          {canWithdraw && (
            <ConfirmAction
              label={t('actions.withdrawLabel')}
              question={t('actions.withdrawQuestion')}
              confirmLabel={t('actions.withdraw')}
              tone="danger"
              secondary
              withNote
              testId="withdraw"
              onConfirm={async (text) =>
                apply((await disputesApi.withdraw(dispute.id, note(text))).dispute)
              }
            />
          )}
        </div>
      )}
    </div>
  );
}
