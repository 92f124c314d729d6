import {
  EMBED_SOURCE,
  embedThemeVariables,
  hostInitSchema,
  type EmbedEventType,
  type EmbedTheme,
  type HostInit,
} from '@dispute-room/shared';

/** The origins allowed to frame this page, as the server wrote them into it. */
export function embedOrigins(doc: Document = document): string[] {
  const content = doc.querySelector('meta[name="dr-embed-origins"]')?.getAttribute('content');
  return (content ?? '').split(/\s+/).filter(Boolean);
}

/**
 * The host's init message, if `event` is one from an allowed origin, sent by our parent
 * window: anything else (another frame, another origin, a malformed message) is ignored.
 */
export function acceptInit(
  event: Pick<MessageEvent, 'origin' | 'data' | 'source'>,
  origins: readonly string[],
  parent: unknown,
): HostInit | null {
  if (!origins.includes(event.origin) || event.source !== parent) return null;
  const parsed = hostInitSchema.safeParse(event.data);
  return parsed.success ? parsed.data : null;
}

/** The host's theme, as the room's CSS variables. */
export function applyTheme(theme: EmbedTheme | undefined, root: HTMLElement): void {
  if (!theme) return;
  for (const [key, value] of Object.entries(theme) as [keyof EmbedTheme, string | undefined][]) {
    if (!value) continue;
    for (const variable of embedThemeVariables[key]) root.style.setProperty(variable, value);
  }
}

let hostOrigin: string | null = null;
let pendingInit: HostInit | null = null;
let initListener: ((init: HostInit) => void) | null = null;

/**
 * Listens from the moment the page runs, so a host that posts on the frame's `load` is heard
 * even before React has mounted. The first valid init wins; the host is then known.
 */
export function listenToHost(): void {
  const origins = embedOrigins();
  window.addEventListener('message', (event) => {
    if (hostOrigin) return;
    const init = acceptInit(event, origins, window.parent);
    if (!init) return;
    hostOrigin = event.origin;
    if (initListener) initListener(init);
    else pendingInit = init;
  });
}

export function onHostInit(listener: (init: HostInit) => void): void {
  initListener = listener;
  if (pendingInit) {
    const init = pendingInit;
    pendingInit = null;
    listener(init);
  }
}

/** Tells the host something, only ever to the origin that signed us in. */
export function postToHost(type: EmbedEventType, detail: Record<string, unknown> = {}): void {
  if (!hostOrigin || window.parent === window) return;
  window.parent.postMessage({ source: EMBED_SOURCE, type, ...detail }, hostOrigin);
}
