/**
 * A database (or Redis) the server cannot use at start. Its message is one line for the
 * operator, naming what was tried without credentials; the process says it and exits 2,
 * without a stack trace, as for a bad configuration.
 */
export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
}

/** The address in a connection URL, without user or password. */
export function withoutCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1');
}
