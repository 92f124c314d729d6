import {
  disputeStateSchema,
  idSchema,
  outcomeKindSchema,
  type DisputeState,
  type OutcomeKind,
} from '@dispute-room/shared';
import { rangeInstants, readDayRange } from './dateRange';

/** The ops search as a person sets it: what the form holds and the address bar shows. */
export interface OpsFilters {
  state: DisputeState | null;
  outcome: OutcomeKind | null;
  mediatorId: string;
  /** Filed on or after this day ("2026-03-01", viewer's zone), or ''. */
  from: string;
  /** Filed on or before this day, or ''. */
  to: string;
  q: string;
}

export const emptyOpsFilters: OpsFilters = {
  state: null,
  outcome: null,
  mediatorId: '',
  from: '',
  to: '',
  q: '',
};

/** The contract caps the free text at 200 characters. */
const MAX_Q = 200;

export function isMediatorId(value: string): boolean {
  return idSchema.safeParse(value).success;
}

/** Filters from a location's query string; values the API would refuse are dropped. */
export function parseOpsFilters(search: string): OpsFilters {
  const params = new URLSearchParams(search);
  const state = disputeStateSchema.safeParse(params.get('state'));
  const outcome = outcomeKindSchema.safeParse(params.get('outcome'));
  const mediatorId = params.get('mediatorId')?.trim() ?? '';
  return {
    state: state.success ? state.data : null,
    outcome: outcome.success ? outcome.data : null,
    mediatorId: isMediatorId(mediatorId) ? mediatorId : '',
    ...readDayRange(params),
    q: (params.get('q') ?? '').trim().slice(0, MAX_Q),
  };
}

/** The query string of a set of filters ('' when none is set), in a stable order. */
export function opsFiltersQuery(filters: OpsFilters): string {
  const params = new URLSearchParams();
  if (filters.state) params.set('state', filters.state);
  if (filters.outcome) params.set('outcome', filters.outcome);
  const mediatorId = filters.mediatorId.trim();
  if (isMediatorId(mediatorId)) params.set('mediatorId', mediatorId);
  const range = readDayRange(new URLSearchParams({ from: filters.from, to: filters.to }));
  if (range.from) params.set('from', range.from);
  if (range.to) params.set('to', range.to);
  const q = filters.q.trim().slice(0, MAX_Q);
  if (q) params.set('q', q);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The parameters of `GET /api/ops/disputes`: days become instants in the viewer's zone. */
export function opsSearchParams(filters: OpsFilters, zone: string): Record<string, string> {
  const clean = parseOpsFilters(opsFiltersQuery(filters));
  const params: Record<string, string> = {};
  if (clean.state) params.state = clean.state;
  if (clean.outcome) params.outcome = clean.outcome;
  if (clean.mediatorId) params.mediatorId = clean.mediatorId;
  Object.assign(params, rangeInstants(clean, zone));
  if (clean.q) params.q = clean.q;
  return params;
}

export function hasOpsFilters(filters: OpsFilters): boolean {
  return opsFiltersQuery(filters) !== '';
}
