import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { macrosApi } from '../../api/endpoints';
import { errorMessage } from '../../api/http';
import { useMacros } from '../../stores/macros';

/** A mediator's canned replies: pick one, the server fills its placeholders, it lands in the composer. */
export function MacroPicker({
  disputeId,
  onInsert,
}: {
  disputeId: string;
  onInsert: (body: string) => void;
}) {
  const [open, setOpen] = useState(false);
  const [search, setSearch] = useState('');
  const [busyId, setBusyId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const macros = useMacros((s) => s.macros);
  const status = useMacros((s) => s.status);
  const loadError = useMacros((s) => s.error);
  const root = useRef<HTMLDivElement>(null);
  const searchId = useId();
  const listId = useId();
  const { t } = useTranslation();

  useEffect(() => {
    if (!open) return;
    if (useMacros.getState().status !== 'ready') void useMacros.getState().load();
    const onPointer = (event: MouseEvent) => {
      if (root.current && !root.current.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', onPointer);
    return () => document.removeEventListener('mousedown', onPointer);
  }, [open]);

  const pick = async (macroId: string) => {
    setBusyId(macroId);
    setError(null);
    try {
      const { body } = await macrosApi.render(disputeId, macroId);
      onInsert(body);
      setOpen(false);
      setSearch('');
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusyId(null);
    }
  };

  const needle = search.trim().toLowerCase();
  const shown = needle
    ? macros.filter((m) => `${m.title} ${m.body}`.toLowerCase().includes(needle))
    : macros;

  return (
    <div
      className="macro-picker"
      ref={root}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open) {
          e.stopPropagation();
          setOpen(false);
        }
      }}
    >
      <button
        type="button"
        className="btn btn-ghost btn-small"
        aria-expanded={open}
        aria-controls={listId}
        data-testid="macros-button"
        onClick={() => setOpen((v) => !v)}
      >
        {t('macros.button')}
      </button>
      {open && (
        <div className="macro-popover" id={listId}>
          <label htmlFor={searchId} className="sr-only">
            {t('macros.search')}
          </label>
          <input
            id={searchId}
            type="search"
            placeholder={t('macros.search')}
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            autoFocus
          />
          {status === 'loading' && <p className="muted small">{t('app.loading')}</p>}
          {status === 'error' && <p className="form-error small">{loadError}</p>}
          {error && (
            <p className="form-error small" role="alert">
              {error}
            </p>
          )}
          {status === 'ready' && shown.length === 0 && (
            <p className="muted small">{t('macros.none')}</p>
          )}
          <ul className="macro-list">
            {shown.map((m) => (
              <li key={m.id}>
                <button
                  type="button"
                  className="macro-item"
                  data-testid="macro-item"
                  disabled={busyId !== null}
                  onClick={() => void pick(m.id)}
                >
                  <span className="macro-title">
                    <bdi>{m.title}</bdi>
                  </span>
                  <span className="macro-preview" dir="auto">
                    {m.body}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
