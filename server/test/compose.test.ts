import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { envSchema } from '../src/config.js';

const root = join(import.meta.dirname, '..', '..');
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<
    string,
    {
      environment?: Record<string, string>;
      image?: string;
      command?: unknown;
      build?: { dockerfile: string; target: string };
    }
  >;
};

describe('docker-compose.yml', () => {
  it('names the whole stack', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      ['mongo', 'mongo-init', 'proxy', 'redis', 'server-1', 'server-2'].sort(),
    );
    expect(compose.services.mongo?.image).toBe('mongo:7');
    expect(JSON.stringify(compose.services.mongo?.command)).toContain('--replSet');
    expect(compose.services.redis?.image).toBe('redis:7');
    expect(compose.services.proxy?.build?.target).toBe('proxy');
  });

  it('gives both servers the variables the server needs, all of them known to its config', () => {
    const known = Object.keys(envSchema.shape);
    for (const name of ['server-1', 'server-2']) {
      const env = compose.services[name]?.environment ?? {};
      for (const required of [
        'NODE_ENV',
        'HOST',
        'PORT',
        'MONGODB_URI',
        'REDIS_URL',
        'SESSION_SECRET',
      ]) {
        expect(env, `${name} lacks ${required}`).toHaveProperty(required);
      }
      for (const key of Object.keys(env))
        expect(known, `${name} sets unknown ${key}`).toContain(key);
      expect(env.MONGODB_URI).toContain('replicaSet=rs0');
    }
  });

  it('builds from a Dockerfile in server/ whose targets exist', () => {
    const dockerfile = readFileSync(join(root, 'server', 'Dockerfile'), 'utf8');
    for (const svc of ['server-1', 'proxy']) {
      const build = compose.services[svc]?.build;
      expect(build?.dockerfile).toBe('server/Dockerfile');
      expect(dockerfile).toMatch(new RegExp(`^FROM .+ AS ${build?.target}$`, 'm'));
    }
  });

  it('documents every server variable in the README', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    for (const key of Object.keys(envSchema.shape))
      expect(readme, `README lacks ${key}`).toContain(`\`${key}\``);
  });
});
