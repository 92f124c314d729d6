import { create } from 'zustand';

/** One shared "now" for relative times and deadlines, so they all tick together. */
export const useClock = create<{ now: number }>()(() => ({ now: Date.now() }));

window.setInterval(() => useClock.setState({ now: Date.now() }), 30_000);

export const selectNow = (s: { now: number }) => s.now;
