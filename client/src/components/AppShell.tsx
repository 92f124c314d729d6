import type { Role } from '@dispute-room/shared';
import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
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
  /** Catalog key of the link's text. */
  label: string;
  active: (route: Route) => boolean;
  roles: readonly Role[];
}

const nav: NavItem[] = [
  {
    to: paths.inbox,
    label: 'nav.disputes',
    active: (r) => r.name === 'inbox' || r.name === 'dispute',
    roles: ['client', 'freelancer', 'mediator', 'ops', 'admin'],
  },
  { to: paths.queue, label: 'nav.queue', active: (r) => r.name === 'queue', roles: ['mediator'] },
  {
    to: paths.file,
    label: 'nav.file',
    active: (r) => r.name === 'file',
    roles: ['client', 'freelancer'],
  },
  {
    to: paths.opsDashboard,
    label: 'nav.dashboard',
    active: (r) => r.name === 'opsDashboard',
    roles: ['ops', 'admin'],
  },
  {
    to: paths.opsSearch,
    label: 'nav.search',
    active: (r) => r.name === 'opsSearch' || r.name === 'opsTranscript',
    roles: ['ops', 'admin'],
  },
  {
    to: paths.adminQueues,
    label: 'nav.queues',
    active: (r) => r.name === 'adminQueues',
    roles: ['admin'],
  },
];

const opsRoutes: readonly Route['name'][] = ['opsDashboard', 'opsSearch', 'opsTranscript'];

function Main({ route, role }: { route: Route; role: Role }) {
  const { t } = useTranslation();
  if (opsRoutes.includes(route.name) && !isOpsViewer(role)) {
    return (
      <div className="empty-state">
        <h2>{t('shell.opsOnly')}</h2>
        <Link to={paths.inbox}>{t('common.backToDisputes')}</Link>
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
          <h2>{t('shell.adminOnly')}</h2>
          <Link to={paths.inbox}>{t('common.backToDisputes')}</Link>
        </div>
      );
    case 'notFound':
      return (
        <div className="empty-state">
          <h2>{t('shell.notFound')}</h2>
          <Link to={paths.inbox}>{t('common.backToDisputes')}</Link>
        </div>
      );
    default:
      return (
        <div className="empty-state">
          <h2>{t('shell.select')}</h2>
          <p className="muted">{t('shell.selectHint')}</p>
        </div>
      );
  }
}

/** Top bar, the dispute list on the left and the current screen beside it. */
export function AppShell() {
  const route = useRouter(selectRoute);
  const user = useSession(selectUser);
  const logout = useSession((s) => s.logout);
  const { t } = useTranslation();
  if (!user) return null;
  const withList = route.name === 'inbox' || route.name === 'dispute' || route.name === 'login';

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t('shell.skip')}
      </a>
      <header className="topbar">
        <Link to={paths.inbox} className="brand">
          <span className="brand-mark small" aria-hidden="true">
            ⚖
          </span>
          <span className="brand-name">{t('shell.brand')}</span>
        </Link>
        <nav aria-label={t('shell.mainNav')} className="topnav">
          {nav
            .filter((item) => item.roles.includes(user.role))
            .map((item) => (
              <Link
                key={item.to}
                to={item.to}
                className="topnav-link"
                aria-current={item.active(route) ? 'page' : undefined}
              >
                {t(item.label)}
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
            {t('shell.logout')}
          </button>
        </div>
      </header>
      <ConnectionBanner />
      <div className={`workspace ${withList ? 'with-list' : 'full'}`} data-view={route.name}>
        {withList && (
          <aside className="sidebar" aria-label={t('nav.disputes')}>
            <DisputeList activeId={route.name === 'dispute' ? route.disputeId : null} />
          </aside>
        )}
        <main id="main" className="main" tabIndex={-1}>
          <Suspense
            fallback={
              <div className="splash" role="status">
                <span className="spinner" aria-hidden="true" />
                {t('app.loading')}
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
