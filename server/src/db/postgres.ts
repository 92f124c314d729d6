import { execFileSync } from 'node:child_process';

/**
 * Creates the PostgreSQL database FerretDB's postgresql handler stores into, with psql.
 * Returns false when PostgreSQL (or psql) is not there.
 */
export function ensurePostgresDatabase(url: string): boolean {
  const u = new URL(url);
  const name = u.pathname.slice(1);
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`unexpected database name in ${url}`);
  const args = [
    '-h',
    u.hostname,
    '-p',
    u.port || '5432',
    '-U',
    u.username || 'postgres',
    '-d',
    'postgres',
    '-tAc',
  ];
  try {
    const exists = execFileSync(
      'psql',
      [...args, `SELECT 1 FROM pg_database WHERE datname = '${name}'`],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    if (exists.trim() !== '1')
      execFileSync('psql', [...args, `CREATE DATABASE "${name}"`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
