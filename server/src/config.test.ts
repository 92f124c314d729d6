import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('gives working defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.MONGODB_URI).toBeUndefined();
    expect(config.REDIS_URL).toBeUndefined();
    expect(config.FERRETDB_HANDLER).toBe('auto');
    expect(config.FERRETDB_POSTGRESQL_URL).toBeUndefined();
    expect(config.sessionSecret).toMatch(/^dev-only/);
  });

  it('names every bad variable in one error', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        MONGODB_URI: 'http://x',
        REDIS_URL: 'nope',
        FERRETDB_HANDLER: 'mysql',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['PORT', 'MONGODB_URI', 'REDIS_URL', 'FERRETDB_HANDLER']) {
      expect(problems).toContain(name);
    }
  });

  it('refuses to run in production without a session secret', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/SESSION_SECRET/);
    expect(
      loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(32) }).sessionSecret,
    ).toBe('x'.repeat(32));
  });

  it('treats empty variables as unset and splits allowed origins', () => {
    const config = loadConfig({
      MONGODB_URI: '',
      ALLOWED_ORIGINS: 'https://a.example, https://b.example',
    });
    expect(config.MONGODB_URI).toBeUndefined();
    expect(config.allowedOrigins).toEqual(['https://a.example', 'https://b.example']);
  });

  it('lists sign-on roles and embedding origins, naming a bad one', () => {
    const config = loadConfig({
      SSO_ROLES: 'ops, mediator',
      EMBED_ORIGINS: 'https://market.example, http://127.0.0.1:3001',
    });
    expect(config.ssoRoles).toEqual(['ops', 'mediator']);
    expect(config.embedOrigins).toEqual(['https://market.example', 'http://127.0.0.1:3001']);
    expect(() => loadConfig({ SSO_ROLES: 'root' })).toThrow(/SSO_ROLES: root/);
    expect(() => loadConfig({ EMBED_ORIGINS: 'https://market.example/path' })).toThrow(
      /EMBED_ORIGINS/,
    );
    expect(() => loadConfig({ SSO_JWT_SECRET: 'short' })).toThrow(/SSO_JWT_SECRET/);
  });
});
