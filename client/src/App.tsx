import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { onUnauthorized } from './api/http';
import { notificationsApi } from './api/notifications';
import { AppShell } from './components/AppShell';
import { LoginPage } from './components/LoginPage';
import { switchLocale } from './i18n';
import { startRealtime } from './realtime';
import { useDisputes } from './stores/disputes';
import { navigate, selectRoute, useRouter } from './stores/router';
import { useSession } from './stores/session';

export function App() {
  const status = useSession((s) => s.status);
  const userId = useSession((s) => s.user?.id ?? null);
  const route = useRouter(selectRoute);
  const { t } = useTranslation();

  useEffect(() => {
    onUnauthorized(() => useSession.getState().expire());
    void useSession.getState().bootstrap();
    return () => onUnauthorized(null);
  }, []);

  // The user's language once signed in (if they chose one); the browser's otherwise.
  useEffect(() => {
    if (!userId) {
      switchLocale(null);
      return;
    }
    let live = true;
    notificationsApi.preferences().then(
      (r) => live && switchLocale(r.localeChosen ? r.preferences.locale : null),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [userId]);

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
        {t('app.loading')}
      </div>
    );
  }
  // The login form shows at whatever address was asked for, so a deep link works after it.
  if (status === 'anonymous') return <LoginPage />;
  return <AppShell />;
}
