import getPort from 'get-port';

/**
 * A free port for a process a test starts later, chosen below the kernel's ephemeral range
 * (32768–60999 by default): a port picked from that range is free only until some other
 * listener asks for port 0 — an embedded database, a mail catcher — and the kernel hands it
 * out again before our process binds it (EADDRINUSE). Candidates are random, so parallel test
 * files do not try the same ones in the same order.
 */
export function freePort(): Promise<number> {
  const candidates = Array.from({ length: 64 }, () => 20_000 + Math.floor(Math.random() * 12_000));
  return getPort({ port: candidates });
}
