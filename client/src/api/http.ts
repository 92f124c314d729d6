/** A failed REST call, carrying the contract's error shape `{error: {code, message}}`. */
export class ApiRequestError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'ApiRequestError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** Turns any response body into an ApiRequestError, whether or not it has the error shape. */
export function toApiError(status: number, body: unknown): ApiRequestError {
  const error =
    body && typeof body === 'object' && 'error' in body
      ? (body as { error?: { code?: unknown; message?: unknown; details?: unknown } }).error
      : undefined;
  const code = typeof error?.code === 'string' ? error.code : `http_${status}`;
  const message =
    typeof error?.message === 'string' && error.message
      ? error.message
      : `Request failed (HTTP ${status})`;
  return new ApiRequestError(status, code, message, error?.details);
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}

let unauthorizedListener: (() => void) | null = null;

/** Called on any 401: the session ended (expired, logged out elsewhere, token revoked). */
export function onUnauthorized(listener: (() => void) | null): void {
  unauthorizedListener = listener;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

let bearer: string | null = null;

/**
 * A sign-on session token (the embedded room): sent as `Authorization: Bearer` on every call
 * and given to the socket, so nothing depends on cookies (blocked in third-party frames).
 * Held in memory only: it never reaches storage or a URL.
 */
export function setBearerToken(token: string | null): void {
  bearer = token;
}

export function bearerToken(): string | null {
  return bearer;
}

/** The headers that authenticate a call made outside `request` (uploads). */
export function authHeaders(): Record<string, string> {
  return bearer ? { Authorization: `Bearer ${bearer}` } : {};
}

/**
 * A same-origin JSON call with the session cookie. Always relative URLs: the server
 * refuses state changes from other origins.
 */
export async function request<T>(method: Method, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...authHeaders() };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiRequestError(0, 'network', 'No connection to the server.');
  }
  if (res.status === 204) return undefined as T;
  const data: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    if (res.status === 401) unauthorizedListener?.();
    throw toApiError(res.status, data);
  }
  return data as T;
}

/** A query string from the defined values only. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
