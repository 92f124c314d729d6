import { disputeStates, outcomeKinds, type Dispute } from '@dispute-room/shared';
import { useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { isOrdered } from '../../lib/dateRange';
import { stateLabels } from '../../lib/disputes';
import { outcomeKindLabels } from '../../lib/metrics';
import {
  emptyOpsFilters,
  hasOpsFilters,
  isMediatorId,
  opsFiltersQuery,
  opsSearchParams,
  parseOpsFilters,
  type OpsFilters,
} from '../../lib/opsFilters';
import { paths } from '../../lib/routes';
import { dateTimeLabel, relativeTime } from '../../lib/time';
import { selectNow, useClock } from '../../stores/clock';
import { useOpsSearch } from '../../stores/opsSearch';
import { navigate, useRouter } from '../../stores/router';
import { selectZone, useSession } from '../../stores/session';
import { useTranscript } from '../../stores/transcript';
import { Link } from '../Link';
import { StateBadge } from '../StateBadge';
import { DateRangeFields } from './DateRangeFields';
import { Field } from '../Field';

function ResultRow({ dispute, names }: { dispute: Dispute; names: Record<string, string> }) {
  const zone = useSession(selectZone);
  const now = useClock(selectNow);
  const closed = dispute.closedAt !== null;
  const at = dispute.closedAt ?? dispute.createdAt;
  const mediator = dispute.mediatorId;
  const { t } = useTranslation();
  return (
    <tr data-testid="ops-result" data-dispute-id={dispute.id}>
      <td>
        <Link to={paths.opsTranscript(dispute.id)} className="dispute-number">
          {dispute.number}
        </Link>
      </td>
      <td className="cell-title">
        <Link to={paths.opsTranscript(dispute.id)}>
          <bdi>{dispute.contractTitle}</bdi>
        </Link>
      </td>
      <td>
        <StateBadge state={dispute.state} />
      </td>
      <td>
        {dispute.outcome ? (
          outcomeKindLabels[dispute.outcome.kind]
        ) : (
          <span className="muted">—</span>
        )}
      </td>
      <td>
        {mediator ? (
          <bdi>{names[mediator] ?? t('search.formerMediator')}</bdi>
        ) : (
          <span className="muted">{t('search.noMediator')}</span>
        )}
      </td>
      <td className="cell-time">
        <span className="muted small">{closed ? t('details.closed') : t('details.filed')}</span>{' '}
        <time dateTime={at} title={dateTimeLabel(at, zone)}>
          {dateTimeLabel(at, zone)}
        </time>
        <span className="muted small"> · {relativeTime(at, new Date(now), zone)}</span>
      </td>
    </tr>
  );
}

/** Ops search over every dispute, filters kept in the address bar, newest first. */
export function OpsSearchPage() {
  const search = useRouter((s) => s.search);
  const zone = useSession(selectZone);
  const disputes = useOpsSearch((s) => s.disputes);
  const nextCursor = useOpsSearch((s) => s.nextCursor);
  const status = useOpsSearch((s) => s.status);
  const error = useOpsSearch((s) => s.error);
  const transcriptNames = useTranscript((s) => s.names);
  const mediatorList = useOpsSearch((s) => s.mediators);
  const names = useMemo(
    () => ({
      ...transcriptNames,
      ...Object.fromEntries(mediatorList.map((m) => [m.id, m.name])),
    }),
    [transcriptNames, mediatorList],
  );
  const applied = useMemo(() => parseOpsFilters(search), [search]);
  const query = opsFiltersQuery(applied);

  // The form edits a draft; a new address (a search, back/forward) resets it.
  const [draft, setDraft] = useState<OpsFilters>(applied);
  const [draftOf, setDraftOf] = useState(query);
  if (draftOf !== query) {
    setDraftOf(query);
    setDraft(applied);
  }
  const [formError, setFormError] = useState<string | null>(null);
  const { t } = useTranslation();
  const ids = {
    q: useId(),
    state: useId(),
    outcome: useId(),
    mediator: useId(),
  };

  useEffect(() => {
    void useOpsSearch.getState().search(opsSearchParams(parseOpsFilters(query), zone), query);
  }, [query, zone]);

  const apply = (next: OpsFilters) => {
    if (next.mediatorId.trim() && !isMediatorId(next.mediatorId.trim())) {
      setFormError(t('search.badMediator'));
      return;
    }
    if (!isOrdered(next)) {
      setFormError(t('search.unordered'));
      return;
    }
    setFormError(null);
    const target = `${paths.opsSearch}${opsFiltersQuery(next)}`;
    if (opsFiltersQuery(next) === query) {
      void useOpsSearch.getState().search(opsSearchParams(next, zone), query);
    } else navigate(target);
  };

  const update = (patch: Partial<OpsFilters>, now = false) => {
    const next = { ...draft, ...patch };
    setDraft(next);
    if (now) apply(next);
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    apply(draft);
  };

  const chosenMediator = draft.mediatorId.trim();
  const loading = status === 'loading';

  return (
    <div className="page wide ops-page" data-testid="ops-search">
      <header className="page-header">
        <h1>{t('search.title')}</h1>
        <p className="muted">{t('search.intro', { zone })}</p>
      </header>

      <form
        className="ops-filters card"
        onSubmit={onSubmit}
        role="search"
        aria-label={t('nav.disputes')}
      >
        <div className="field filter-q">
          <label htmlFor={ids.q} className="field-label">
            {t('search.text')}
          </label>
          <input
            id={ids.q}
            type="search"
            placeholder={t('search.placeholder')}
            maxLength={200}
            value={draft.q}
            onChange={(e) => update({ q: e.target.value })}
            data-testid="ops-filter-q"
          />
        </div>
        <Field id={ids.state} label={t('search.state')}>
          <select
            id={ids.state}
            value={draft.state ?? ''}
            onChange={(e) =>
              update({ state: (e.target.value || null) as OpsFilters['state'] }, true)
            }
            data-testid="ops-filter-state"
          >
            <option value="">{t('search.anyState')}</option>
            {disputeStates.map((s) => (
              <option key={s} value={s}>
                {stateLabels[s]}
              </option>
            ))}
          </select>
        </Field>
        <Field id={ids.outcome} label={t('dashboard.outcome')}>
          <select
            id={ids.outcome}
            value={draft.outcome ?? ''}
            onChange={(e) =>
              update({ outcome: (e.target.value || null) as OpsFilters['outcome'] }, true)
            }
            data-testid="ops-filter-outcome"
          >
            <option value="">{t('search.anyOutcome')}</option>
            {outcomeKinds.map((k) => (
              <option key={k} value={k}>
                {outcomeKindLabels[k]}
              </option>
            ))}
          </select>
        </Field>
        <Field id={ids.mediator} label={t('role.mediator')}>
          <select
            id={ids.mediator}
            value={chosenMediator}
            onChange={(e) => update({ mediatorId: e.target.value }, true)}
            data-testid="ops-filter-mediator"
          >
            <option value="">{t('search.anyMediator')}</option>
            {mediatorList.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
            {chosenMediator && !mediatorList.some((m) => m.id === chosenMediator) && (
              <option value={chosenMediator}>
                {names[chosenMediator] ?? t('search.formerMediator')}
              </option>
            )}
          </select>
        </Field>
        <DateRangeFields
          range={{ from: draft.from, to: draft.to }}
          onChange={(range) => update(range)}
          fromLabel={t('search.filedFrom')}
          toLabel={t('search.filedTo')}
          testId="ops-filter"
        />
        <div className="button-row filter-actions">
          <button type="submit" className="btn btn-primary" data-testid="ops-search-submit">
            {t('nav.search')}
          </button>
          {(hasOpsFilters(applied) || hasOpsFilters(draft)) && (
            <button
              type="button"
              className="btn btn-ghost"
              onClick={() => {
                setFormError(null);
                setDraft(emptyOpsFilters);
                navigate(paths.opsSearch);
              }}
            >
              {t('search.clear')}
            </button>
          )}
        </div>
        {formError && (
          <p className="form-error filter-error" role="alert">
            {formError}
          </p>
        )}
      </form>

      <div className="results-status" role="status" aria-live="polite">
        {loading
          ? t('search.searching')
          : status === 'error'
            ? ''
            : disputes.length === 0
              ? hasOpsFilters(applied)
                ? t('search.noMatch')
                : t('list.none')
              : t(nextCursor ? 'search.countMore' : 'search.count', { count: disputes.length })}
      </div>
      {status === 'error' && (
        <p className="form-error" role="alert">
          {t('search.error', { error })}
        </p>
      )}

      {disputes.length > 0 && (
        <div className="table-scroll card flush" tabIndex={0} aria-label={t('search.results')}>
          <table className="ops-table" data-testid="ops-results">
            <thead>
              <tr>
                <th scope="col">{t('search.dispute')}</th>
                <th scope="col">{t('file.contract')}</th>
                <th scope="col">{t('search.state')}</th>
                <th scope="col">{t('dashboard.outcome')}</th>
                <th scope="col">{t('role.mediator')}</th>
                <th scope="col">{t('search.closedFiled')}</th>
              </tr>
            </thead>
            <tbody>
              {disputes.map((d) => (
                <ResultRow key={d.id} dispute={d} names={names} />
              ))}
            </tbody>
          </table>
        </div>
      )}

      {nextCursor && (
        <div className="load-more">
          <button
            type="button"
            className="btn btn-ghost"
            disabled={status === 'loadingMore'}
            onClick={() => void useOpsSearch.getState().loadMore()}
            data-testid="ops-load-more"
          >
            {status === 'loadingMore' ? t('app.loading') : t('search.more')}
          </button>
        </div>
      )}
    </div>
  );
}
