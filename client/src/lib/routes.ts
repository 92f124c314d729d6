export type Route =
  | { name: 'inbox' }
  | { name: 'dispute'; disputeId: string }
  | { name: 'queue' }
  | { name: 'file' }
  | { name: 'login' }
  | { name: 'notFound' };

export const paths = {
  inbox: '/',
  dispute: (id: string) => `/disputes/${encodeURIComponent(id)}`,
  queue: '/queue',
  file: '/file-dispute',
  login: '/login',
} as const;

/** Maps a location pathname onto a screen of the app. */
export function parseRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/' || path === '/disputes') return { name: 'inbox' };
  if (path === '/queue') return { name: 'queue' };
  if (path === '/file-dispute') return { name: 'file' };
  if (path === '/login') return { name: 'login' };
  const match = /^\/disputes\/([^/]+)$/.exec(path);
  if (match?.[1]) {
    try {
      return { name: 'dispute', disputeId: decodeURIComponent(match[1]) };
    } catch {
      return { name: 'notFound' };
    }
  }
  return { name: 'notFound' };
}
