export type Route =
  | { name: 'inbox' }
  | { name: 'dispute'; disputeId: string }
  | { name: 'queue' }
  | { name: 'file' }
  | { name: 'login' }
  | { name: 'opsDashboard' }
  | { name: 'opsSearch' }
  | { name: 'opsTranscript'; disputeId: string }
  | { name: 'adminQueues' }
  | { name: 'settings' }
  | { name: 'notFound' };

export const paths = {
  inbox: '/',
  dispute: (id: string) => `/disputes/${encodeURIComponent(id)}`,
  queue: '/queue',
  file: '/file-dispute',
  login: '/login',
  opsDashboard: '/ops',
  opsSearch: '/ops/search',
  opsTranscript: (id: string) => `/ops/disputes/${encodeURIComponent(id)}`,
  adminQueues: '/admin/queues',
  settings: '/settings/notifications',
} as const;

/** The id in a path segment, or null when it is not valid percent-encoding. */
function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** Maps a location pathname onto a screen of the app. */
export function parseRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/' || path === '/disputes') return { name: 'inbox' };
  if (path === '/queue') return { name: 'queue' };
  if (path === '/file-dispute') return { name: 'file' };
  if (path === '/login') return { name: 'login' };
  if (path === '/ops') return { name: 'opsDashboard' };
  if (path === '/ops/search' || path === '/ops/disputes') return { name: 'opsSearch' };
  if (path === '/admin/queues') return { name: 'adminQueues' };
  if (path === '/settings/notifications' || path === '/settings') return { name: 'settings' };
  const dispute = /^\/disputes\/([^/]+)$/.exec(path)?.[1];
  if (dispute) {
    const disputeId = decodeSegment(dispute);
    return disputeId === null ? { name: 'notFound' } : { name: 'dispute', disputeId };
  }
  const transcript = /^\/ops\/disputes\/([^/]+)$/.exec(path)?.[1];
  if (transcript) {
    const disputeId = decodeSegment(transcript);
    return disputeId === null ? { name: 'notFound' } : { name: 'opsTranscript', disputeId };
  }
  return { name: 'notFound' };
}
