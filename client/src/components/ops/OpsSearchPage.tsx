import { disputeStates, outcomeKinds, type Dispute } from '@dispute-room/shared';
import { useEffect, useId, useMemo, useState, type FormEvent } from 'react';
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
          <bdi>{names[mediator] ?? 'Former mediator'}</bdi>
        ) : (
          <span className="muted">None</span>
        )}
      </td>
      <td className="cell-time">
        <span className="muted small">{closed ? 'Closed' : 'Filed'}</span>{' '}
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
      setFormError('A mediator id has only letters, digits, "-" and "_".');
      return;
    }
    if (!isOrdered(next)) {
      setFormError('The “filed from” day is after the “filed to” day.');
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
        <h1>Search disputes</h1>
        <p className="muted">Newest closed (else filed) first. Times in {zone}.</p>
      </header>

      <form className="ops-filters card" onSubmit={onSubmit} role="search" aria-label="Disputes">
        <div className="field filter-q">
          <label htmlFor={ids.q} className="field-label">
            Text
          </label>
          <input
            id={ids.q}
            type="search"
            placeholder="Number, contract title or description"
            maxLength={200}
            value={draft.q}
            onChange={(e) => update({ q: e.target.value })}
            data-testid="ops-filter-q"
          />
        </div>
        <Field id={ids.state} label="State">
          <select
            id={ids.state}
            value={draft.state ?? ''}
            onChange={(e) =>
              update({ state: (e.target.value || null) as OpsFilters['state'] }, true)
            }
            data-testid="ops-filter-state"
          >
            <option value="">Any state</option>
            {disputeStates.map((s) => (
              <option key={s} value={s}>
                {stateLabels[s]}
              </option>
            ))}
          </select>
        </Field>
        <Field id={ids.outcome} label="Outcome">
          <select
            id={ids.outcome}
            value={draft.outcome ?? ''}
            onChange={(e) =>
              update({ outcome: (e.target.value || null) as OpsFilters['outcome'] }, true)
            }
            data-testid="ops-filter-outcome"
          >
            <option value="">Any outcome</option>
            {outcomeKinds.map((k) => (
              <option key={k} value={k}>
                {outcomeKindLabels[k]}
              </option>
            ))}
          </select>
        </Field>
        <Field id={ids.mediator} label="Mediator">
          <select
            id={ids.mediator}
            value={chosenMediator}
            onChange={(e) => update({ mediatorId: e.target.value }, true)}
            data-testid="ops-filter-mediator"
          >
            <option value="">Any mediator</option>
            {mediatorList.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
            {chosenMediator && !mediatorList.some((m) => m.id === chosenMediator) && (
              <option value={chosenMediator}>{names[chosenMediator] ?? 'Former mediator'}</option>
            )}
          </select>
        </Field>
        <DateRangeFields
          range={{ from: draft.from, to: draft.to }}
          onChange={(range) => update(range)}
          fromLabel="Filed from"
          toLabel="Filed to"
          testId="ops-filter"
        />
        <div className="button-row filter-actions">
          <button type="submit" className="btn btn-primary" data-testid="ops-search-submit">
            Search
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
              Clear filters
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
          ? 'Searching…'
          : status === 'error'
            ? ''
            : disputes.length === 0
              ? hasOpsFilters(applied)
                ? 'No dispute matches these filters.'
                : 'No disputes yet.'
              : `${disputes.length} dispute${disputes.length === 1 ? '' : 's'}${nextCursor ? ' shown, more available' : ''}`}
      </div>
      {status === 'error' && (
        <p className="form-error" role="alert">
          Could not search: {error}
        </p>
      )}

      {disputes.length > 0 && (
        <div className="table-scroll card flush" tabIndex={0} aria-label="Search results">
          <table className="ops-table" data-testid="ops-results">
            <thead>
              <tr>
                <th scope="col">Dispute</th>
                <th scope="col">Contract</th>
                <th scope="col">State</th>
                <th scope="col">Outcome</th>
                <th scope="col">Mediator</th>
                <th scope="col">Closed / filed</th>
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
            {status === 'loadingMore' ? 'Loading…' : 'Load more'}
          </button>
        </div>
      )}
    </div>
  );
}
