import { useEffect, useState, type FormEvent } from 'react';
import type { Health } from '@dispute-room/shared';
import { useTranslation } from 'react-i18next';
import { ApiRequestError, errorMessage } from '../api/http';
import { t } from '../i18n';
import { useSession } from '../stores/session';
import { Field } from './Field';

function loginError(error: unknown): string {
  if (error instanceof ApiRequestError) {
    if (error.status === 401) return t('login.wrong');
    if (error.status === 429) return t('login.tooMany');
  }
  return errorMessage(error);
}

/** Server status under the form: tells at a glance whether the backend is up. */
function HealthLine() {
  const [health, setHealth] = useState<Health | null>(null);
  const [failed, setFailed] = useState(false);
  const { t } = useTranslation();
  useEffect(() => {
    let live = true;
    fetch('/api/health', { credentials: 'same-origin' })
      .then((res) => res.json() as Promise<Health>)
      .then((body) => live && setHealth(body))
      .catch(() => live && setFailed(true));
    return () => {
      live = false;
    };
  }, []);
  return (
    <p className="health" data-testid="health">
      {health
        ? t('login.health', { mongo: health.mongo, redis: health.redis })
        : failed
          ? t('login.unreachable')
          : t('login.checking')}
    </p>
  );
}

export function LoginPage() {
  const login = useSession((s) => s.login);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const { t } = useTranslation();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login(email.trim(), password);
    } catch (err) {
      setError(loginError(err));
      setBusy(false);
    }
  };

  return (
    <main className="login-page">
      <div className="login-card">
        <div className="brand-mark" aria-hidden="true">
          ⚖
        </div>
        <h1>{t('app.name')}</h1>
        <p className="muted">{t('login.intro')}</p>
        <form onSubmit={submit} className="stack" noValidate>
          <Field id="login-email" label={t('login.email')}>
            <input
              id="login-email"
              type="email"
              autoComplete="username"
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              autoFocus
            />
          </Field>
          <Field id="login-password" label={t('login.password')}>
            <input
              id="login-password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </Field>
          {error && (
            <p className="form-error" role="alert">
              {error}
            </p>
          )}
          <button
            type="submit"
            className="btn btn-primary btn-block"
            disabled={busy || !email || !password}
          >
            {busy ? t('login.signingIn') : t('login.signIn')}
          </button>
        </form>
        <HealthLine />
      </div>
    </main>
  );
}
