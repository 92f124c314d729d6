import type { User } from '@dispute-room/shared';
import { create } from 'zustand';
import { authApi } from '../api/endpoints';

type SessionStatus = 'loading' | 'anonymous' | 'authenticated';

interface SessionState {
  status: SessionStatus;
  user: User | null;
  /** Asks the server who the cookie belongs to, once at start. */
  bootstrap(): Promise<void>;
  /** Throws the server's error (401 for wrong credentials, 429 when rate limited). */
  login(email: string, password: string): Promise<void>;
  logout(): Promise<void>;
  /** The server said 401 to a call: the session is gone. */
  expire(): void;
}

export const useSession = create<SessionState>()((set, get) => ({
  status: 'loading',
  user: null,

  async bootstrap() {
    try {
      const { user } = await authApi.me();
      set({ status: 'authenticated', user });
    } catch {
      // 401, or the server is unreachable: the login form rather than a spinner forever.
      set({ status: 'anonymous', user: null });
    }
  },

  async login(email, password) {
    const { user } = await authApi.login({ email, password });
    set({ status: 'authenticated', user });
  },

  async logout() {
    try {
      await authApi.logout();
    } finally {
      set({ status: 'anonymous', user: null });
    }
  },

  expire() {
    if (get().status === 'authenticated') set({ status: 'anonymous', user: null });
  },
}));

export const selectUser = (s: SessionState) => s.user;
export const selectZone = (s: SessionState) => s.user?.timezone ?? 'UTC';
