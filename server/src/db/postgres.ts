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
