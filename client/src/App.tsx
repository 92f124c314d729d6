import { useEffect } from 'react';
import { onUnauthorized } from './api/http';
import { AppShell } from './components/AppShell';
import { LoginPage } from './components/LoginPage';
import { startRealtime } from './realtime';
import { useDisputes } from './stores/disputes';
import { navigate, selectRoute, useRouter } from './stores/router';
import { useSession } from './stores/session';

export function App() {
  const status = useSession((s) => s.status);
  const userId = useSession((s) => s.user?.id ?? null);
  const route = useRouter(selectRoute);

  useEffect(() => {
    onUnauthorized(() => useSession.getState().expire());
    void useSession.getState().bootstrap();
    return () => onUnauthorized(null);
  }, []);

  // One socket per signed-in user: opened after login, closed on logout.
  useEffect(() => {
    if (!userId) return;
    const stop = startRealtime();
    return () => {
      stop();
      useDisputes.getState().clear();
    };
  }, [userId]);

  useEffect(() => {
    if (status === 'authenticated' && route.name === 'login') navigate('/', { replace: true });
  }, [status, route.name]);

  if (status === 'loading') {
    return (
      <div className="splash" role="status">
        <span className="spinner" aria-hidden="true" />
        Loading…
      </div>
    );
  }
  // The login form shows at whatever address was asked for, so a deep link works after it.
  if (status === 'anonymous') return <LoginPage />;
  return <AppShell />;
}
