import { create } from 'zustand';
import { parseRoute, type Route } from '../lib/routes';

interface RouterState {
  pathname: string;
  search: string;
  route: Route;
  /** Counts navigations: following the same link again is a new visit. */
  visit: number;
  navigate(to: string, options?: { replace?: boolean }): void;
}

function read() {
  const { pathname, search } = window.location;
  return { pathname, search, route: parseRoute(pathname) };
}

/** The location as state: a tiny history-API router. */
export const useRouter = create<RouterState>()((set) => ({
  ...read(),
  visit: 0,
  navigate(to, options) {
    const current = `${window.location.pathname}${window.location.search}`;
    if (to !== current) {
      if (options?.replace) window.history.replaceState(null, '', to);
      else window.history.pushState(null, '', to);
    }
    set((s) => ({ ...read(), visit: s.visit + 1 }));
  },
}));

window.addEventListener('popstate', () => useRouter.setState(read()));

export const navigate = (to: string, options?: { replace?: boolean }) =>
  useRouter.getState().navigate(to, options);
export const selectRoute = (s: RouterState) => s.route;
