import { isTerminal, type Dispute, type HostInit } from '@dispute-room/shared';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { authApi } from '../api/endpoints';
import { errorMessage, setBearerToken } from '../api/http';
import { DisputeRoom } from '../components/room/DisputeRoom';
import { switchLocale } from '../i18n';
import { totalUnread } from '../lib/disputes';
import { startRealtime } from '../realtime';
import { useRoom } from '../stores/room';
import { useSession } from '../stores/session';
import { applyTheme, embedOrigins, onHostInit, postToHost } from './bridge';

type Phase = 'waiting' | 'signing-in' | 'signed-in' | 'refused' | 'not-embedded';

/** Tells the host what it may show around the room: unread count, state, payout. */
function useHostEvents(disputeId: string, active: boolean) {
  const dispute = useRoom((s) => (s.disputeId === disputeId ? s.dispute : null));
  const status = useRoom((s) => s.status);
  const ready = useRef(false);
  const last = useRef<{ unread: number | null; state: string | null }>({
    unread: null,
    state: null,
  });

  useEffect(() => {
    if (!active || !dispute || ready.current || (status !== 'joined' && status !== 'summary'))
      return;
    ready.current = true;
    const user = useSession.getState().user;
    postToHost('ready', {
      disputeId,
      user: user ? { id: user.id, name: user.name, role: user.role } : null,
    });
  }, [active, dispute, status, disputeId]);

  useEffect(() => {
    if (!active || !dispute || !ready.current) return;
    const unread = totalUnread(dispute);
    if (unread !== last.current.unread) {
      last.current.unread = unread;
      postToHost('unread', { disputeId, count: unread });
    }
    const state = `${dispute.state}:${dispute.settlement?.status ?? ''}`;
    if (state !== last.current.state) {
      last.current.state = state;
      postToHost('state', { disputeId, ...describeState(dispute) });
    }
  }, [active, dispute, status, disputeId]);

  // The room's height, so the host can size its frame (and follow when the room grows).
  useEffect(() => {
    if (!active) return;
    let height = 0;
    const report = () => {
      const next = Math.ceil(document.documentElement.scrollHeight);
      if (next === height) return;
      height = next;
      postToHost('resize', { height });
    };
    const observer = new ResizeObserver(report);
    observer.observe(document.body);
    report();
    return () => observer.disconnect();
  }, [active]);
}

function describeState(d: Dispute) {
  return {
    state: d.state,
    closed: isTerminal(d.state),
    outcome: d.outcome?.kind ?? null,
    settlement: d.settlement ? { status: d.settlement.status } : null,
  };
}

/**
 * The room of one dispute inside a marketplace's page (`/embed/disputes/:id`): it waits for
 * the host's sign-on token over postMessage, trades it for a session token kept in memory,
 * and from then on is the ordinary room, on Bearer and a token socket — no cookie involved.
 */
export function EmbedApp({ disputeId }: { disputeId: string }) {
  const [phase, setPhase] = useState<Phase>(() =>
    window.parent === window || embedOrigins().length === 0 ? 'not-embedded' : 'waiting',
  );
  const [error, setError] = useState<string | null>(null);
  const userId = useSession((s) => s.user?.id ?? null);
  const { t } = useTranslation();

  useEffect(() => {
    document.documentElement.classList.add('embedded');
    onHostInit((init: HostInit) => {
      setPhase('signing-in');
      applyTheme(init.theme, document.documentElement);
      switchLocale(init.locale ?? null);
      authApi.sso(init.ssoToken).then(
        ({ user, sessionToken }) => {
          setBearerToken(sessionToken);
          useSession.setState({ status: 'authenticated', user });
          setPhase('signed-in');
        },
        (err: unknown) => {
          setError(errorMessage(err));
          setPhase('refused');
        },
      );
    });
  }, []);

  useEffect(() => {
    if (!userId) return;
    return startRealtime();
  }, [userId]);

  useHostEvents(disputeId, phase === 'signed-in');

  if (phase === 'signed-in') return <DisputeRoom disputeId={disputeId} />;
  return (
    <div className="splash" role={phase === 'refused' ? 'alert' : 'status'}>
      {phase === 'not-embedded' && t('embed.notEmbedded')}
      {(phase === 'waiting' || phase === 'signing-in') && (
        <>
          <span className="spinner" aria-hidden="true" />
          {t('embed.signingIn')}
        </>
      )}
      {phase === 'refused' && t('embed.refused', { error })}
    </div>
  );
}
