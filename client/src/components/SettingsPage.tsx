import { useEffect, useState, type FormEvent } from 'react';
import { localeNames, locales, resolveLocale, type Preferences } from '@dispute-room/shared';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../api/http';
import { notificationsApi } from '../api/notifications';
import { currentLocale, switchLocale } from '../i18n';
import { selectZone, useSession } from '../stores/session';
import { Field } from './Field';

const modes: Preferences['email'][] = ['immediate', 'digest', 'off'];

/**
 * Email notification preferences (how often, quiet hours in the user's zone) and the
 * language of the interface and of emails, which applies as soon as it is picked.
 */
export function SettingsPage() {
  const zone = useSession(selectZone);
  const { t } = useTranslation();
  const [prefs, setPrefs] = useState<Preferences | null>(null);
  /** The preferences as stored: a language change saves these with the new language. */
  const [saved, setSaved] = useState<Preferences | null>(null);
  const [status, setStatus] = useState<'idle' | 'saving' | 'saved'>('idle');
  const [localeStatus, setLocaleStatus] = useState<'idle' | 'saving' | 'saved'>('idle');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    notificationsApi.preferences().then(
      (r) => {
        // Until a language is chosen the form shows the one in use (the browser's): saving
        // the form then keeps what the user sees.
        const shown = r.localeChosen
          ? r.preferences
          : { ...r.preferences, locale: currentLocale() };
        setPrefs(shown);
        setSaved(shown);
      },
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
        {t('app.loading')}
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
        setSaved(r.preferences);
        setStatus('saved');
      },
      (err: unknown) => {
        setError(errorMessage(err));
        setStatus('idle');
      },
    );
  };

  // The language applies at once, interface and emails: it is saved on its own.
  const changeLocale = (locale: string) => {
    const base = saved ?? prefs;
    setPrefs({ ...prefs, locale });
    setLocaleStatus('saving');
    setError(null);
    switchLocale(locale);
    notificationsApi.savePreferences({ ...base, locale }).then(
      (r) => {
        setSaved(r.preferences);
        setLocaleStatus('saved');
      },
      (err: unknown) => {
        setError(errorMessage(err));
        setLocaleStatus('idle');
      },
    );
  };

  return (
    <div className="page narrow settings-page">
      <h1>{t('settings.title')}</h1>
      <section className="card stack" aria-labelledby="language-title">
        <h2 id="language-title" className="panel-subtitle">
          {t('settings.language')}
        </h2>
        <Field id="locale" label={t('settings.languageLabel')}>
          <select
            id="locale"
            value={resolveLocale([prefs.locale])}
            onChange={(e) => changeLocale(e.target.value)}
            data-testid="locale-select"
          >
            {locales.map((l) => (
              <option key={l} value={l} lang={l}>
                {localeNames[l]}
              </option>
            ))}
          </select>
        </Field>
        {localeStatus === 'saved' && (
          <span role="status" className="muted" data-testid="locale-saved">
            {t('common.saved')}
          </span>
        )}
      </section>
      <p className="muted">{t('settings.intro')}</p>
      <form className="card stack" onSubmit={submit} data-testid="preferences-form">
        <fieldset className="field">
          <legend className="field-label">{t('settings.email')}</legend>
          {modes.map((m) => (
            <label key={m} className="choice">
              <input
                type="radio"
                name="email"
                value={m}
                checked={prefs.email === m}
                onChange={() => change({ email: m })}
              />
              <span>
                {t(`settings.mode.${m}`)} <span className="muted">— {t(`settings.hint.${m}`)}</span>
              </span>
            </label>
          ))}
        </fieldset>
        <Field id="digest-minutes" label={t('settings.digestEvery')}>
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
          <legend className="field-label">{t('settings.quietHours', { zone })}</legend>
          <label className="choice">
            <input
              type="checkbox"
              checked={prefs.quietHours !== null}
              onChange={(e) =>
                change({ quietHours: e.target.checked ? { start: '22:00', end: '07:00' } : null })
              }
            />
            <span>{t('settings.quietHint')}</span>
          </label>
          {prefs.quietHours && (
            <div className="quiet-hours">
              <Field id="quiet-start" label={t('settings.from')}>
                <input
                  id="quiet-start"
                  type="time"
                  value={prefs.quietHours.start}
                  onChange={(e) =>
                    change({ quietHours: { ...prefs.quietHours!, start: e.target.value } })
                  }
                />
              </Field>
              <Field id="quiet-end" label={t('settings.until')}>
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
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <div className="button-row">
          <button type="submit" className="btn btn-primary" disabled={status === 'saving'}>
            {t('common.save')}
          </button>
          {status === 'saved' && (
            <span role="status" className="muted">
              {t('common.saved')}
            </span>
          )}
        </div>
      </form>
    </div>
  );
}
