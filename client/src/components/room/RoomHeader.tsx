import { relationTo, type Dispute } from '@dispute-room/shared';
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
        <span className="countdown" aria-label={`${countdown(remaining)} left`}>
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
  const isMediator = user ? relationTo(user, dispute) === 'assigned_mediator' : false;
  const seats = [
    { seat: 'client' as const, label: 'Client', userId: dispute.clientId },
    { seat: 'freelancer' as const, label: 'Freelancer', userId: dispute.freelancerId },
    { seat: 'mediator' as const, label: 'Mediator', userId: dispute.mediatorId },
  ];
  return (
    <ul className="people" aria-label="People in this dispute">
      {seats.map(({ seat, label, userId }) => {
        const online = userId ? (presence[userId] ?? false) : undefined;
        const name = userId ? nameOf(userId, seat) : 'Not assigned yet';
        return (
          <li key={seat} className="person" data-testid={`person-${seat}`}>
            <Avatar name={userId ? name : '?'} role={userId ? seat : null} online={online} />
            <span className="person-text">
              <span className="person-name">
                <bdi>{name}</bdi>
                {userId === user?.id && <span className="muted"> (you)</span>}
              </span>
              <span className="person-role">
                {label}
                {online !== undefined && (
                  <span className="sr-only" data-testid={`presence-${seat}`}>
                    {online ? ', online' : ', offline'}
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
                Private chat
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
  return (
    <header className="room-header">
      <div className="room-header-main">
        <Link to={paths.inbox} className="back-link">
          ← Disputes
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
          Claim <strong>{formatMoney(dispute.claimCents, dispute.currency)}</strong> of{' '}
          {formatMoney(dispute.escrowCents, dispute.currency)} in escrow
        </p>
        {user && isOpsViewer(user.role) && (
          <p className="room-facts">
            <Link to={paths.opsTranscript(dispute.id)} data-testid="room-transcript-link">
              Full transcript and QA review
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
          <span className="side-toggle-long">Details, offers &amp; evidence</span>
          <span className="side-toggle-short">Details</span>
        </button>
      )}
    </header>
  );
}
