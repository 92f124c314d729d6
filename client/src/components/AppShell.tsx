import type { Role } from '@dispute-room/shared';
import { lazy, Suspense } from 'react';
import { paths, type Route } from '../lib/routes';
import { isOpsViewer, roleLabel } from '../lib/people';
import { useRouter, selectRoute } from '../stores/router';
import { selectUser, useSession } from '../stores/session';
import { ConnectionBanner } from './ConnectionBanner';
import { DisputeList } from './DisputeList';
import { FileDisputePage } from './FileDisputePage';
import { Link } from './Link';
import { NotificationBell } from './NotificationBell';
import { QueuePage } from './QueuePage';
import { SettingsPage } from './SettingsPage';
import { DisputeRoom } from './room/DisputeRoom';

// The ops screens (and their chart library) load only for those who open them.
const OpsDashboard = lazy(() =>
  import('./ops/OpsDashboard').then((m) => ({ default: m.OpsDashboard })),
);
const OpsSearchPage = lazy(() =>
  import('./ops/OpsSearchPage').then((m) => ({ default: m.OpsSearchPage })),
);
const TranscriptPage = lazy(() =>
  import('./ops/TranscriptPage').then((m) => ({ default: m.TranscriptPage })),
);
const QueuesPage = lazy(() => import('./ops/QueuesPage').then((m) => ({ default: m.QueuesPage })));

interface NavItem {
  to: string;
  label: string;
  active: (route: Route) => boolean;
  roles: readonly Role[];
}

const nav: NavItem[] = [
  {
    to: paths.inbox,
    label: 'Disputes',
    active: (r) => r.name === 'inbox' || r.name === 'dispute',
    roles: ['client', 'freelancer', 'mediator', 'ops', 'admin'],
  },
  { to: paths.queue, label: 'Queue', active: (r) => r.name === 'queue', roles: ['mediator'] },
  {
    to: paths.file,
    label: 'File a dispute',
    active: (r) => r.name === 'file',
    roles: ['client', 'freelancer'],
  },
  {
    to: paths.opsDashboard,
    label: 'Dashboard',
    active: (r) => r.name === 'opsDashboard',
    roles: ['ops', 'admin'],
  },
  {
    to: paths.opsSearch,
    label: 'Search',
    active: (r) => r.name === 'opsSearch' || r.name === 'opsTranscript',
    roles: ['ops', 'admin'],
  },
  {
    to: paths.adminQueues,
    label: 'Queues',
    active: (r) => r.name === 'adminQueues',
    roles: ['admin'],
  },
];

const opsRoutes: readonly Route['name'][] = ['opsDashboard', 'opsSearch', 'opsTranscript'];

function Main({ route, role }: { route: Route; role: Role }) {
  if (opsRoutes.includes(route.name) && !isOpsViewer(role)) {
    return (
      <div className="empty-state">
        <h2>This page is for the ops team</h2>
        <Link to={paths.inbox}>Back to your disputes</Link>
      </div>
    );
  }
  switch (route.name) {
    case 'dispute':
      return <DisputeRoom key={route.disputeId} disputeId={route.disputeId} />;
    case 'queue':
      return <QueuePage />;
    case 'file':
      return <FileDisputePage />;
    case 'opsDashboard':
      return <OpsDashboard />;
    case 'opsSearch':
      return <OpsSearchPage />;
    case 'opsTranscript':
      return <TranscriptPage key={route.disputeId} disputeId={route.disputeId} />;
    case 'settings':
      return <SettingsPage />;
    case 'adminQueues':
      return role === 'admin' ? (
        <QueuesPage />
      ) : (
        <div className="empty-state">
          <h2>This page is for admins</h2>
          <Link to={paths.inbox}>Back to your disputes</Link>
        </div>
      );
    case 'notFound':
      return (
        <div className="empty-state">
          <h2>Page not found</h2>
          <Link to={paths.inbox}>Back to your disputes</Link>
        </div>
      );
    default:
      return (
        <div className="empty-state">
          <h2>Select a dispute</h2>
          <p className="muted">Pick a dispute from the list to open its room.</p>
        </div>
      );
  }
}

/** Top bar, the dispute list on the left and the current screen beside it. */
export function AppShell() {
  const route = useRouter(selectRoute);
  const user = useSession(selectUser);
  const logout = useSession((s) => s.logout);
  if (!user) return null;
  const withList = route.name === 'inbox' || route.name === 'dispute' || route.name === 'login';

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to={paths.inbox} className="brand">
          <span className="brand-mark small" aria-hidden="true">
            ⚖
          </span>
          <span className="brand-name">Dispute room</span>
        </Link>
        <nav aria-label="Main" className="topnav">
          {nav
            .filter((item) => item.roles.includes(user.role))
            .map((item) => (
              <Link
                key={item.to}
                to={item.to}
                className="topnav-link"
                aria-current={item.active(route) ? 'page' : undefined}
              >
                {item.label}
              </Link>
            ))}
        </nav>
        <div className="user-menu">
          <NotificationBell />
          <span className="user-name" title={user.email}>
            <bdi>{user.name}</bdi>
            <span className={`role-tag role-${user.role}`}>{roleLabel(user.role)}</span>
          </span>
          <button type="button" className="btn btn-ghost btn-small" onClick={() => void logout()}>
            Log out
          </button>
        </div>
      </header>
      <ConnectionBanner />
      <div className={`workspace ${withList ? 'with-list' : 'full'}`} data-view={route.name}>
        {withList && (
          <aside className="sidebar" aria-label="Disputes">
            <DisputeList activeId={route.name === 'dispute' ? route.disputeId : null} />
          </aside>
        )}
        <main id="main" className="main" tabIndex={-1}>
          <Suspense
            fallback={
              <div className="splash" role="status">
                <span className="spinner" aria-hidden="true" />
                Loading…
              </div>
            }
          >
            <Main route={route} role={user.role} />
          </Suspense>
        </main>
      </div>
    </div>
  );
}
