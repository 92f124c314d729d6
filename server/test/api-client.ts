import { io as connectSocket, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents, User } from '@dispute-room/shared';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** An outside client of the public API: a cookie jar or a bearer token, nothing else. */
export class ApiClient {
  cookie: string | null = null;
  token: string | null = null;
  user: User | null = null;

  constructor(readonly baseUrl: string) {}

  async request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> {
    const h: Record<string, string> = { ...headers };
    if (body !== undefined && !h['content-type']) h['content-type'] = 'application/json';
    if (this.cookie) h.cookie = this.cookie;
    if (this.token) h.authorization = `Bearer ${this.token}`;
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: h,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('dr.sid='));
    if (setCookie) this.cookie = setCookie.split(';')[0] ?? null;
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  get = <T = any>(path: string) => this.request<T>('GET', path);
  post = <T = any>(path: string, body?: unknown) => this.request<T>('POST', path, body ?? {});
  patch = <T = any>(path: string, body?: unknown) => this.request<T>('PATCH', path, body ?? {});
  put = <T = any>(path: string, body?: unknown) => this.request<T>('PUT', path, body ?? {});
  delete = <T = any>(path: string) => this.request<T>('DELETE', path);

  async login(email: string, password: string): Promise<User> {
    const res = await this.post<{ user: User }>('/api/auth/login', { email, password });
    if (res.status !== 200)
      throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
    this.user = res.body.user;
    return res.body.user;
  }

  /** A connected Socket.IO client using this client's cookie or token. */
  async socket(opts: { url?: string } = {}): Promise<ClientSocket> {
    const socket: ClientSocket = connectSocket(opts.url ?? this.baseUrl, {
      path: '/socket.io',
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      extraHeaders: this.cookie ? { cookie: this.cookie } : {},
      auth: this.token ? { token: this.token } : {},
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (err) => reject(err));
    });
    return socket;
  }
}

/** Creates a user through the admin API and returns a client logged in as them. */
export async function makeUser(
  admin: ApiClient,
  role: User['role'],
  name: string = role,
  extra: Partial<{ email: string; timezone: string; externalId: string }> = {},
): Promise<ApiClient> {
  const email =
    extra.email ??
    `${name.replace(/\W/g, '')}-${Math.random().toString(36).slice(2, 8)}@example.test`;
  const password = 'correct horse battery';
  const res = await admin.post('/api/users', {
    email,
    name,
    role,
    password,
    ...(extra.timezone ? { timezone: extra.timezone } : {}),
    ...(extra.externalId ? { externalId: extra.externalId } : {}),
  });
  if (res.status !== 201)
    throw new Error(`create user failed: ${res.status} ${JSON.stringify(res.body)}`);
  const client = new ApiClient(admin.baseUrl);
  await client.login(email, password);
  return client;
}

export const ADMIN = { email: 'admin@example.test', password: 'admin-password-for-tests' };

export async function adminClient(baseUrl: string): Promise<ApiClient> {
  const admin = new ApiClient(baseUrl);
  await admin.login(ADMIN.email, ADMIN.password);
  return admin;
}

export function waitFor<T>(
  socket: ClientSocket,
  event: keyof ServerToClientEvents,
  timeoutMs = 5_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no ${String(event)} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.once(
      event as never,
      ((payload: T) => {
        clearTimeout(timer);
        resolve(payload);
      }) as never,
    );
  });
}
