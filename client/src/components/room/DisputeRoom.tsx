import { isTerminal, relationTo, type Channel, type Dispute } from '@dispute-room/shared';
import { useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { disputesApi } from '../../api/endpoints';
import { errorMessage } from '../../api/http';
import { audienceOf } from '../../lib/audience';
import { channelTabs } from '../../lib/channels';
import { isInQueue, totalUnread } from '../../lib/disputes';
import { paths } from '../../lib/routes';
import { closeRoom, join, onDisputeUpdated, openRoom } from '../../realtime/roomSync';
import { useDisputes } from '../../stores/disputes';
import { useProposals } from '../../stores/proposals';
import { useRoom } from '../../stores/room';
import { useRouter } from '../../stores/router';
import { selectUser, useSession } from '../../stores/session';
import { useUploads } from '../../stores/uploads';
import { Link } from '../Link';
import { ActionBar } from './ActionBar';
import { ChannelTabs, panelId, tabId } from './ChannelTabs';
import { Composer } from './Composer';
import { DetailsPanel } from './DetailsPanel';
import { EvidencePanel } from './EvidencePanel';
import { EvidencePreview } from './EvidencePreview';
import { PriorConversation } from './PriorConversation';
import { ProposalsPanel } from './ProposalsPanel';
import { ResolutionBanner } from './ResolutionBanner';
import { RoomHeader } from './RoomHeader';
import { StageEvidenceDialog } from './StageEvidenceDialog';
import { Thread } from './Thread';
import { TypingIndicator } from './TypingIndicator';
import { UploadTray } from './UploadTray';
import { useNameOf } from './useNames';

type SideTab = 'details' | 'offers' | 'evidence';

function useTabs(dispute: Dispute) {
  const user = useSession(selectUser);
  // Tab labels are words of the interface's language: a switch makes new ones.
  const { i18n } = useTranslation();
  const { clientId, freelancerId, mediatorId } = dispute;
  return useMemo(
    () => (user ? channelTabs(user, { clientId, freelancerId, mediatorId }) : []),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the language is a dependency
    [user, clientId, freelancerId, mediatorId, i18n.language],
  );
}

/**
 * A link into a channel (`?channel=internal`, as notifications and mails carry) opens that
 * tab once per visit, as soon as the viewer may read it (a party's private channel appears
 * only with a mediator); a channel they may not read is ignored.
 */
function useChannelFromLink(tabs: { channel: Channel }[]) {
  const search = useRouter((s) => s.search);
  const visit = useRouter((s) => s.visit);
  const setActiveChannel = useRoom((s) => s.setActiveChannel);
  const applied = useRef<string | null>(null);
  useEffect(() => {
    const key = `${visit}|${search}`;
    if (applied.current === key) return;
    const wanted = new URLSearchParams(search).get('channel');
    const tab = wanted ? tabs.find((t) => t.channel === wanted) : undefined;
    if (wanted && !tab) return;
    applied.current = key;
    if (tab) setActiveChannel(tab.channel);
  }, [search, visit, tabs, setActiveChannel]);
}

/** The thread column: channel tabs, messages, typing, uploads and the composer. */
function Conversation({ dispute }: { dispute: Dispute }) {
  const user = useSession(selectUser);
  const tabs = useTabs(dispute);
  const activeChannel = useRoom((s) => s.activeChannel);
  const setActiveChannel = useRoom((s) => s.setActiveChannel);
  const stage = useUploads((s) => s.stage);
  const staged = useUploads((s) => (s.staged?.disputeId === dispute.id ? s.staged : null));
  const nameOf = useNameOf();
  const { t } = useTranslation();
  useChannelFromLink(tabs);
  const [dragging, setDragging] = useState(false);
  const dragDepth = useRef(0);
  const tab = tabs.find((candidate) => candidate.channel === activeChannel) ?? tabs[0];
  if (!tab || !user) return null;

  const closed = isTerminal(dispute.state);
  const canPost = tab.writable && !closed;
  const relation = relationTo(user, dispute);
  const isMediator = relation === 'assigned_mediator';
  const audienceFor = (channel: Channel) =>
    audienceOf(channel, relation, dispute, (id, role) => nameOf(id, role));
  const audience = audienceFor(tab.channel);
  const stagedTab = staged
    ? tabs.find((candidate) => candidate.channel === staged.channel)
    : undefined;

  const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer.types).includes('Files');
  const dropHandlers = canPost
    ? {
        onDragEnter: (e: DragEvent) => {
          if (!hasFiles(e)) return;
          e.preventDefault();
          dragDepth.current += 1;
          setDragging(true);
        },
        onDragOver: (e: DragEvent) => {
          if (hasFiles(e)) e.preventDefault();
        },
        onDragLeave: () => {
          dragDepth.current = Math.max(0, dragDepth.current - 1);
          if (dragDepth.current === 0) setDragging(false);
        },
        onDrop: (e: DragEvent) => {
          e.preventDefault();
          dragDepth.current = 0;
          setDragging(false);
          stage(dispute.id, tab.channel, Array.from(e.dataTransfer.files));
        },
      }
    : {};

  return (
    <div className="conversation" {...dropHandlers} data-testid="conversation">
      <ChannelTabs
        tabs={tabs}
        active={tab.channel}
        unread={dispute.unread}
        onSelect={(c: Channel) => setActiveChannel(c)}
      />
      <div
        className={`thread-panel audience-${audience.kind}`}
        data-audience={audience.kind}
        role="tabpanel"
        id={panelId(tab.channel)}
        aria-labelledby={tabId(tab.channel)}
      >
        {tab.channel === 'joint' && (
          <PriorConversation disputeId={dispute.id} canQuote={isMediator && canPost} />
        )}
        <Thread key={`thread-${tab.channel}`} channel={tab.channel} label={tab.label} />
        <TypingIndicator channel={tab.channel} />
        <UploadTray disputeId={dispute.id} />
        {canPost ? (
          <Composer
            key={tab.channel}
            disputeId={dispute.id}
            channel={tab.channel}
            channelLabel={tab.label}
            audience={audience}
            switchTabs={isMediator ? tabs.filter((candidate) => candidate.writable) : []}
            onSwitch={setActiveChannel}
            withMacros={isMediator}
          />
        ) : (
          <p className="read-only-note" data-testid="read-only-note">
            {closed ? t('room.closedNote') : t('room.readOnlyNote')}
          </p>
        )}
      </div>
      {dragging && (
        <div className="drop-overlay" aria-hidden="true">
          {t('room.drop', { channel: tab.label })}
        </div>
      )}
      {staged && stagedTab && (
        <StageEvidenceDialog
          staged={staged}
          channelLabel={stagedTab.label}
          audience={audienceFor(staged.channel)}
        />
      )}
      <EvidencePreview />
    </div>
  );
}

function SidePanel({
  dispute,
  tab,
  onTab,
  open,
  onClose,
}: {
  dispute: Dispute;
  tab: SideTab;
  onTab: (tab: SideTab) => void;
  open: boolean;
  onClose: () => void;
}) {
  const tabs = useTabs(dispute);
  const activeChannel = useRoom((s) => s.activeChannel);
  const pendingOffers = useProposals((s) => s.items.filter((p) => p.status === 'pending').length);
  const selectedTab = useRef<HTMLButtonElement>(null);
  const { t } = useTranslation();
  useEffect(() => {
    if (open) selectedTab.current?.focus();
    // Only when the drawer opens, not on every tab change.
  }, [open]);
  const sideTabs: { id: SideTab; label: string }[] = [
    { id: 'details', label: t('room.side.details') },
    {
      id: 'offers',
      label:
        pendingOffers > 0
          ? t('room.side.offersCount', { count: pendingOffers })
          : t('room.side.offers'),
    },
    { id: 'evidence', label: t('room.side.evidence') },
  ];
  return (
    <aside
      id="room-side"
      className={`room-side${open ? ' open' : ''}`}
      aria-label={t('room.side.label')}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open) onClose();
      }}
    >
      <div className="side-tabs">
        <div className="side-tablist" role="tablist" aria-label={t('room.side.tabs')}>
          {sideTabs.map((side) => (
            <button
              key={side.id}
              ref={side.id === tab ? selectedTab : undefined}
              type="button"
              role="tab"
              id={`side-tab-${side.id}`}
              aria-controls="side-panel"
              aria-selected={tab === side.id}
              className="side-tab"
              data-testid={`side-tab-${side.id}`}
              onClick={() => onTab(side.id)}
            >
              {side.label}
            </button>
          ))}
        </div>
        <button type="button" className="btn btn-ghost btn-small side-close" onClick={onClose}>
          {t('common.close')}
        </button>
      </div>
      <div
        className="side-content"
        role="tabpanel"
        id="side-panel"
        aria-labelledby={`side-tab-${tab}`}
      >
        {tab === 'details' && <DetailsPanel dispute={dispute} />}
        {tab === 'offers' && <ProposalsPanel dispute={dispute} />}
        {tab === 'evidence' && (
          <EvidencePanel
            disputeId={dispute.id}
            tabs={tabs}
            activeChannel={activeChannel}
            canUpload={!isTerminal(dispute.state)}
          />
        )}
      </div>
    </aside>
  );
}

/** A dispute the viewer may see but not read: a mediator's queue item before claiming it. */
function RoomSummary({ dispute }: { dispute: Dispute }) {
  const user = useSession(selectUser);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const claimable = user?.role === 'mediator' && isInQueue(dispute);
  const { t } = useTranslation();

  const claim = async () => {
    setBusy(true);
    setError(null);
    try {
      const { dispute: updated } = await disputesApi.claim(dispute.id);
      useDisputes.getState().upsert(updated);
      onDisputeUpdated(updated);
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  return (
    <section className="room" aria-labelledby="room-title">
      <RoomHeader dispute={dispute} />
      <div className="summary-body">
        <div className="card">
          <DetailsPanel dispute={dispute} />
          <p className="muted">{claimable ? t('room.claimHint') : t('room.cannotRead')}</p>
          {error && (
            <p className="form-error" role="alert">
              {error}
            </p>
          )}
          {claimable && (
            <button
              type="button"
              className="btn btn-primary"
              disabled={busy}
              data-testid="room-claim"
              onClick={() => void claim()}
            >
              {busy ? t('queue.claiming') : t('room.claim')}
            </button>
          )}
        </div>
      </div>
    </section>
  );
}

/** The live room of one dispute. */
export function DisputeRoom({ disputeId }: { disputeId: string }) {
  const status = useRoom((s) => s.status);
  const error = useRoom((s) => s.error);
  const dispute = useRoom((s) => (s.disputeId === disputeId ? s.dispute : null));
  const [sideOpen, setSideOpen] = useState(false);
  const [sideTab, setSideTab] = useState<SideTab>('details');
  const { t } = useTranslation();

  useEffect(() => {
    void openRoom(disputeId);
    return () => closeRoom(disputeId);
  }, [disputeId]);

  useEffect(() => {
    if (dispute) {
      const unread = totalUnread(dispute);
      document.title = `${unread > 0 ? `(${unread}) ` : ''}${dispute.number} · ${t('app.name')}`;
    }
    return () => {
      document.title = t('app.name');
    };
  }, [dispute, t]);

  if (!dispute) {
    if (status === 'error') {
      return (
        <div className="empty-state" role="alert">
          <h2>{t('room.couldNotOpen')}</h2>
          <p className="muted">{error}</p>
          <Link to={paths.inbox}>{t('common.backToDisputes')}</Link>
        </div>
      );
    }
    return (
      <div className="empty-state" role="status">
        <span className="spinner" aria-hidden="true" /> {t('room.opening')}
      </div>
    );
  }

  if (status === 'summary') return <RoomSummary dispute={dispute} />;

  return (
    <section
      className="room"
      aria-labelledby="room-title"
      data-testid="dispute-room"
      data-dispute-id={dispute.id}
    >
      <RoomHeader
        dispute={dispute}
        sideOpen={sideOpen}
        onToggleSide={() => setSideOpen((v) => !v)}
      />
      {status === 'error' && (
        <div className="room-error" role="alert">
          {t('room.liveStopped', { error })}{' '}
          <button
            type="button"
            className="link-button"
            onClick={() => {
              useRoom.getState().setStatus('joining');
              join();
            }}
          >
            {t('room.tryAgain')}
          </button>
        </div>
      )}
      <ResolutionBanner dispute={dispute} />
      <ActionBar
        dispute={dispute}
        onOffers={() => {
          setSideTab('offers');
          setSideOpen(true);
          // Keyboard and screen-reader users land on what the button opened.
          window.requestAnimationFrame(() => document.getElementById('side-tab-offers')?.focus());
        }}
      />
      <div className="room-body">
        <Conversation dispute={dispute} />
        <SidePanel
          dispute={dispute}
          tab={sideTab}
          onTab={setSideTab}
          open={sideOpen}
          onClose={() => {
            setSideOpen(false);
            document.querySelector<HTMLElement>('.side-toggle')?.focus();
          }}
        />
      </div>
    </section>
  );
}
