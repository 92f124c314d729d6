import { relationTo, type Dispute } from '@dispute-room/shared';
import { Trans, useTranslation } from 'react-i18next';
import { caucusOf } from '../../lib/channels';
import { describeDeadline } from '../../lib/deadline';
import { isOpsViewer } from '../../lib/people';
import { formatMoney } from '../../lib/money';
import { paths } from '../../lib/routes';
import { countdown } from '../../lib/duration';
import { dateTimeLabel } from '../../lib/time';
import { selectNow, useClock } from '../../stores/clock';
import { useRoom } from '../../stores/room';
import { selectUser, selectZone, useSession } from '../../stores/session';
import { Avatar } from '../Avatar';
import { Link } from '../Link';
import { StateBadge } from '../StateBadge';
import { useNameOf } from './useNames';

function Deadline({ dispute }: { dispute: Dispute }) {
  const now = useClock(selectNow);
  const zone = useSession(selectZone);
  const { t } = useTranslation();
  const deadline = describeDeadline(dispute, new Date(now), zone);
  const remaining = deadline.at ? Date.parse(deadline.at) - now : 0;
  return (
    <span
      className={`deadline tone-${deadline.tone}`}
      title={deadline.at ? dateTimeLabel(deadline.at, zone) : undefined}
      data-testid="room-deadline"
    >
      {deadline.label}
      {deadline.tone !== 'closed' && remaining > 0 && (
        <span className="countdown" aria-label={t('room.timeLeft', { time: countdown(remaining) })}>
          {countdown(remaining)}
        </span>
      )}
    </span>
  );
}

function People({ dispute }: { dispute: Dispute }) {
  const presence = useRoom((s) => s.presence);
  const setActiveChannel = useRoom((s) => s.setActiveChannel);
  const nameOf = useNameOf();
  const user = useSession(selectUser);
  const { t } = useTranslation();
  const isMediator = user ? relationTo(user, dispute) === 'assigned_mediator' : false;
  const seats = [
    { seat: 'client' as const, label: t('role.client'), userId: dispute.clientId },
    { seat: 'freelancer' as const, label: t('role.freelancer'), userId: dispute.freelancerId },
    { seat: 'mediator' as const, label: t('role.mediator'), userId: dispute.mediatorId },
  ];
  return (
    <ul className="people" aria-label={t('room.people')}>
      {seats.map(({ seat, label, userId }) => {
        const online = userId ? (presence[userId] ?? false) : undefined;
        const name = userId ? nameOf(userId, seat) : t('room.notAssigned');
        return (
          <li key={seat} className="person" data-testid={`person-${seat}`}>
            <Avatar name={userId ? name : '?'} role={userId ? seat : null} online={online} />
            <span className="person-text">
              <span className="person-name">
                <bdi>{name}</bdi>
                {userId === user?.id && <span className="muted"> {t('room.you')}</span>}
              </span>
              <span className="person-role">
                {label}
                {online !== undefined && (
                  <span className="sr-only" data-testid={`presence-${seat}`}>
                    {online ? t('room.online') : t('room.offline')}
                  </span>
                )}
              </span>
            </span>
            {isMediator && seat !== 'mediator' && (
              <button
                type="button"
                className="btn btn-ghost btn-small"
                data-testid={`open-caucus-${seat}`}
                onClick={() => setActiveChannel(caucusOf(seat))}
              >
                {t('room.privateChat')}
              </button>
            )}
          </li>
        );
      })}
    </ul>
  );
}

export function RoomHeader({
  dispute,
  sideOpen,
  onToggleSide,
}: {
  dispute: Dispute;
  sideOpen?: boolean;
  onToggleSide?: () => void;
}) {
  const user = useSession(selectUser);
  const { t } = useTranslation();
  return (
    <header className="room-header">
      <div className="room-header-main">
        <Link to={paths.inbox} className="back-link">
          <span className="flip-rtl">←</span> {t('room.back')}
        </Link>
        <div className="room-title-row">
          <span className="dispute-number" data-testid="dispute-number">
            {dispute.number}
          </span>
          <StateBadge state={dispute.state} />
          <Deadline dispute={dispute} />
        </div>
        <h1 id="room-title" className="room-title">
          <bdi>{dispute.contractTitle}</bdi>
        </h1>
        <p className="room-facts">
          <Trans
            i18nKey="room.claimOfEscrow"
            values={{
              claim: formatMoney(dispute.claimCents, dispute.currency),
              escrow: formatMoney(dispute.escrowCents, dispute.currency),
            }}
            components={{ strong: <strong /> }}
          />
        </p>
        {user && isOpsViewer(user.role) && (
          <p className="room-facts">
            <Link to={paths.opsTranscript(dispute.id)} data-testid="room-transcript-link">
              {t('room.transcriptLink')}
            </Link>
          </p>
        )}
      </div>
      <People dispute={dispute} />
      {onToggleSide && (
        <button
          type="button"
          className="btn btn-ghost side-toggle"
          aria-expanded={sideOpen}
          aria-controls="room-side"
          onClick={onToggleSide}
        >
          <span className="side-toggle-long">{t('room.sideToggle')}</span>
          <span className="side-toggle-short">{t('room.side.details')}</span>
        </button>
      )}
    </header>
  );
}
