import { useEffect, useState, type FormEvent } from 'react';
import type { Preferences } from '@dispute-room/shared';
import { errorMessage } from '../api/http';
import { notificationsApi } from '../api/notifications';
import { selectZone, useSession } from '../stores/session';
import { Field } from './Field';

const modes: { value: Preferences['email']; label: string; hint: string }[] = [
  { value: 'immediate', label: 'Right away', hint: 'One email for each notification.' },
  {
    value: 'digest',
    label: 'In a digest',
    hint: 'One email per period with everything you missed.',
  },
  { value: 'off', label: 'Never', hint: 'Only in the app.' },
];

const locales = [
  { value: 'en', label: 'English' },
  { value: 'de', label: 'Deutsch' },
  { value: 'es', label: 'Español' },
  { value: 'fr', label: 'Français' },
  { value: 'pt-BR', label: 'Português (Brasil)' },
];

/** Email notification preferences: how often, quiet hours in the user's zone, language. */
export function SettingsPage() {
  const zone = useSession(selectZone);
  const [prefs, setPrefs] = useState<Preferences | null>(null);
  const [status, setStatus] = useState<'idle' | 'saving' | 'saved'>('idle');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    notificationsApi.preferences().then(
      (r) => setPrefs(r.preferences),
      (err: unknown) => setError(errorMessage(err)),
    );
  }, []);

  if (!prefs) {
    return error ? (
      <p className="form-error" role="alert">
        {error}
      </p>
    ) : (
      <div className="splash" role="status">
        <span className="spinner" aria-hidden="true" />
        Loading…
      </div>
    );
  }

  const change = (next: Partial<Preferences>) => {
    setPrefs({ ...prefs, ...next });
    setStatus('idle');
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setStatus('saving');
    setError(null);
    notificationsApi.savePreferences(prefs).then(
      (r) => {
        setPrefs(r.preferences);
        setStatus('saved');
      },
      (err: unknown) => {
        setError(errorMessage(err));
        setStatus('idle');
      },
    );
  };

  return (
    <div className="page narrow settings-page">
      <h1>Notifications</h1>
      <p className="muted">
        You are always told in the app (the bell). Choose how email reaches you. A dispute filed
        against you and deadline reminders are sent right away unless email is off.
      </p>
      <form className="card stack" onSubmit={submit} data-testid="preferences-form">
        <fieldset className="field">
          <legend className="field-label">Email</legend>
          {modes.map((m) => (
            <label key={m.value} className="choice">
              <input
                type="radio"
                name="email"
                value={m.value}
                checked={prefs.email === m.value}
                onChange={() => change({ email: m.value })}
              />
              <span>
                {m.label} <span className="muted">— {m.hint}</span>
              </span>
            </label>
          ))}
        </fieldset>
        <Field id="digest-minutes" label="Digest every (minutes)">
          <input
            id="digest-minutes"
            type="number"
            min={5}
            max={1440}
            value={prefs.digestMinutes}
            disabled={prefs.email !== 'digest'}
            onChange={(e) => change({ digestMinutes: Number(e.target.value) })}
          />
        </Field>
        <fieldset className="field">
          <legend className="field-label">Quiet hours ({zone})</legend>
          <label className="choice">
            <input
              type="checkbox"
              checked={prefs.quietHours !== null}
              onChange={(e) =>
                change({ quietHours: e.target.checked ? { start: '22:00', end: '07:00' } : null })
              }
            />
            <span>No email during these hours; it waits until they end</span>
          </label>
          {prefs.quietHours && (
            <div className="quiet-hours">
              <Field id="quiet-start" label="From">
                <input
                  id="quiet-start"
                  type="time"
                  value={prefs.quietHours.start}
                  onChange={(e) =>
                    change({ quietHours: { ...prefs.quietHours!, start: e.target.value } })
                  }
                />
              </Field>
              <Field id="quiet-end" label="Until">
                <input
                  id="quiet-end"
                  type="time"
                  value={prefs.quietHours.end}
                  onChange={(e) =>
                    change({ quietHours: { ...prefs.quietHours!, end: e.target.value } })
                  }
                />
              </Field>
            </div>
          )}
        </fieldset>
        <Field id="locale" label="Language of emails">
          <select
            id="locale"
            value={prefs.locale}
            onChange={(e) => change({ locale: e.target.value })}
          >
            {locales.map((l) => (
              <option key={l.value} value={l.value}>
                {l.label}
              </option>
            ))}
          </select>
        </Field>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <div className="button-row">
          <button type="submit" className="btn btn-primary" disabled={status === 'saving'}>
            Save
          </button>
          {status === 'saved' && (
            <span role="status" className="muted">
              Saved
            </span>
          )}
        </div>
      </form>
    </div>
  );
}
