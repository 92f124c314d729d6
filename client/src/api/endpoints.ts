import type {
  Channel,
  Contract,
  CreateProposalBody,
  Dispute,
  DisputeState,
  Evidence,
  Feedback,
  FileDisputeBody,
  LoginBody,
  Macro,
  Message,
  Metrics,
  Proposal,
  QueueSummary,
  HistoryPage,
  OverdueSettlement,
  Review,
  SsoResponse,
  Transcript,
  User,
  escalateBodySchema,
  feedbackBodySchema,
  respondBodySchema,
  reviewBodySchema,
  withdrawBodySchema,
} from '@dispute-room/shared';
import { query, request } from './http';

/** The parsed type of a shared zod schema (the contract exports the schemas of these bodies). */
type BodyOf<S extends { _zod: { output: unknown } }> = S['_zod']['output'];

export type RespondBody = BodyOf<typeof respondBodySchema>;
export type EscalateBody = BodyOf<typeof escalateBodySchema>;
export type WithdrawBody = BodyOf<typeof withdrawBodySchema>;
export type FeedbackBody = BodyOf<typeof feedbackBodySchema>;
export type ReviewBody = BodyOf<typeof reviewBodySchema>;

const id = encodeURIComponent;
const disputePath = (disputeId: string) => `/api/disputes/${id(disputeId)}`;

export const authApi = {
  me: () => request<{ user: User }>('GET', '/api/auth/me'),
  login: (body: LoginBody) => request<{ user: User }>('POST', '/api/auth/login', body),
  logout: () => request<void>('POST', '/api/auth/logout'),
  /** The marketplace's sign-on token for a session token (the embedded room). */
  sso: (token: string) => request<SsoResponse>('POST', '/api/auth/sso', { token }),
};

export const disputesApi = {
  list: (params: {
    state?: DisputeState | null;
    assigned?: 'me' | 'none';
    limit?: number;
    cursor?: string | null;
  }) =>
    request<{ disputes: Dispute[]; nextCursor: string | null }>(
      'GET',
      `/api/disputes${query(params)}`,
    ),
  get: (disputeId: string) => request<{ dispute: Dispute }>('GET', disputePath(disputeId)),
  file: (body: FileDisputeBody) => request<{ dispute: Dispute }>('POST', '/api/disputes', body),
  respond: (disputeId: string, body: RespondBody) =>
    request<{ dispute: Dispute }>('POST', `${disputePath(disputeId)}/respond`, body),
  withdraw: (disputeId: string, body: WithdrawBody) =>
    request<{ dispute: Dispute }>('POST', `${disputePath(disputeId)}/withdraw`, body),
  escalate: (disputeId: string, body: EscalateBody) =>
    request<{ dispute: Dispute }>('POST', `${disputePath(disputeId)}/escalate`, body),
  /** A mediator claims the dispute: no body, per the contract. */
  claim: (disputeId: string) =>
    request<{ dispute: Dispute }>('POST', `${disputePath(disputeId)}/assign`),
  feedback: (disputeId: string, body: FeedbackBody) =>
    request<{ feedback: Feedback }>('POST', `${disputePath(disputeId)}/feedback`, body),
  messages: (disputeId: string, channel: Channel, after: number, limit = 500) =>
    request<{ messages: Message[]; hasMore: boolean }>(
      'GET',
      `${disputePath(disputeId)}/messages${query({ channel, after, limit })}`,
    ),
};

export const proposalsApi = {
  list: (disputeId: string) =>
    request<{ proposals: Proposal[] }>('GET', `${disputePath(disputeId)}/proposals`),
  create: (disputeId: string, body: CreateProposalBody) =>
    request<{ proposal: Proposal }>('POST', `${disputePath(disputeId)}/proposals`, body),
  accept: (disputeId: string, proposalId: string) =>
    request<{ proposal: Proposal; dispute: Dispute }>(
      'POST',
      `${disputePath(disputeId)}/proposals/${id(proposalId)}/accept`,
    ),
  reject: (disputeId: string, proposalId: string) =>
    request<{ proposal: Proposal; dispute: Dispute }>(
      'POST',
      `${disputePath(disputeId)}/proposals/${id(proposalId)}/reject`,
    ),
};

export const opsSettlementsApi = {
  overdue: () =>
    request<{ settlements: OverdueSettlement[] }>('GET', '/api/ops/settlements/overdue'),
};

/** The conversation before the dispute; pages run backward from the latest (`before`). */
export const historyApi = {
  page: (disputeId: string, params: { before?: string | null; limit?: number }) =>
    request<HistoryPage>(
      'GET',
      `${disputePath(disputeId)}/history${query({
        latest: params.before ? undefined : 'true',
        before: params.before,
        limit: params.limit,
      })}`,
    ),
};

export const evidenceApi = {
  list: (disputeId: string, channel?: Channel) =>
    request<{ evidence: Evidence[] }>(
      'GET',
      `${disputePath(disputeId)}/evidence${query({ channel })}`,
    ),
  /** The bytes: inline for image and PDF previews, else as a download. */
  contentUrl: (evidenceId: string, inline = false) =>
    `/api/evidence/${id(evidenceId)}/content${inline ? '?disposition=inline' : ''}`,
  uploadUrl: (disputeId: string) => `${disputePath(disputeId)}/evidence`,
};

export const macrosApi = {
  list: () => request<{ macros: Macro[] }>('GET', '/api/macros'),
  render: (disputeId: string, macroId: string) =>
    request<{ body: string }>('POST', `${disputePath(disputeId)}/macros/${id(macroId)}/render`),
};

export const contractsApi = {
  list: () => request<{ contracts: Contract[] }>('GET', '/api/contracts'),
};

const opsDisputePath = (disputeId: string) => `/api/ops/disputes/${id(disputeId)}`;

/** Ops and admin only: search, full transcripts, QA reviews, exports and metrics. */
export const opsApi = {
  /** `params` as built by `opsSearchParams` (instants, not days), plus the paging cursor. */
  search: (params: Record<string, string>, cursor?: string | null, limit = 25) =>
    request<{
      disputes: Dispute[];
      nextCursor: string | null;
      mediators: { id: string; name: string }[];
    }>('GET', `/api/ops/disputes${query({ ...params, cursor, limit })}`),
  transcript: (disputeId: string) =>
    request<Transcript>('GET', `${opsDisputePath(disputeId)}/transcript`),
  review: (disputeId: string, body: ReviewBody) =>
    request<{ review: Review }>('POST', `${opsDisputePath(disputeId)}/reviews`, body),
  /** The whole record as a download: JSON for tools, HTML to print for arbitration. */
  exportUrl: (disputeId: string, format: 'json' | 'html') =>
    `${opsDisputePath(disputeId)}/export${query({ format })}`,
  /** The HTML export as a page that opens the print dialog (print to paper or PDF). */
  printUrl: (disputeId: string) =>
    `${opsDisputePath(disputeId)}/export${query({ format: 'html', print: 'true' })}`,
  metrics: (range: { from?: string; to?: string }) =>
    request<Metrics>('GET', `/api/ops/metrics${query(range)}`),
};

/** Admin only: the background job queues and their dead letters. */
export const queuesApi = {
  list: () => request<{ queues: QueueSummary[] }>('GET', '/api/admin/queues'),
  retry: (queue: QueueSummary['name'], jobId: string) =>
    request<void>('POST', `/api/admin/queues/${id(queue)}/retry`, { jobId }),
};
