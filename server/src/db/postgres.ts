import { execFileSync } from 'node:child_process';

/** Runs one SQL statement with psql against the database `url` names (or `database`). */
export function psql(url: string, sql: string, database?: string): string {
  const u = new URL(url);
  return execFileSync(
    'psql',
    [
      '-h',
      u.hostname,
      '-p',
      u.port || '5432',
      '-U',
      u.username || 'postgres',
      '-d',
      database ?? u.pathname.slice(1),
      '-tAc',
      sql,
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  ).trim();
}

/**
 * Creates the PostgreSQL database FerretDB's postgresql handler stores into, with psql.
 * Returns false when PostgreSQL (or psql) is not there.
 */
export function ensurePostgresDatabase(url: string): boolean {
  const name = new URL(url).pathname.slice(1);
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`unexpected database name in ${url}`);
  try {
    const exists = psql(url, `SELECT 1 FROM pg_database WHERE datname = '${name}'`, 'postgres');
    if (exists !== '1') psql(url, `CREATE DATABASE "${name}"`, 'postgres');
    return true;
  } catch {
    return false;
  }
}
