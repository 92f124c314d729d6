/**
 * Runs `fn` with the process in another time zone: Node re-reads `TZ` when it is assigned,
 * so code that wrongly uses local time gives a different answer inside.
 */
export function inZone<T>(zone: string, fn: () => T): T {
  const before = process.env.TZ;
  process.env.TZ = zone;
  try {
    // A test that only seems to run elsewhere could never fail.
    const inEffect = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (inEffect !== zone) throw new Error(`TZ=${zone} did not take effect (${inEffect})`);
    return fn();
  } finally {
    if (before === undefined) delete process.env.TZ;
    else process.env.TZ = before;
  }
}

/** UTC, zones either side of it as far as they go, and one with summer time. */
export const ZONES = [
  'UTC',
  'America/New_York',
  'Asia/Tokyo',
  'Pacific/Kiritimati',
  'Pacific/Pago_Pago',
];
