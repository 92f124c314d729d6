import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBodySchema } from '@dispute-room/shared';
import type { RunningServer } from '../server.js';
import { startTestServer, stopTestServer } from '../../test/harness.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer({ env: { BODY_LIMIT: '2kb' } });
});
afterAll(() => stopTestServer(server));

describe('the HTTP shell', () => {
  it('answers an unknown API route with 404 in the error shape', async () => {
    const res = await fetch(`${server.url}/api/nope`);
    expect(res.status).toBe(404);
    const body = errorBodySchema.parse(await res.json());
    expect(body.error.code).toBe('not_found');
  });

  it('answers malformed JSON with 400 validation_failed', async () => {
    const res = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email": ',
    });
    expect(res.status).toBe(400);
    expect(errorBodySchema.parse(await res.json()).error.code).toBe('validation_failed');
  });

  it('refuses malformed UTF-8 in a JSON body (400) instead of storing U+FFFD', async () => {
    // 0xC3 0x28 is an invalid two-byte sequence; 0xFF never appears in UTF-8.
    for (const bytes of [[0xc3, 0x28], [0xff], [0xed, 0xa0, 0x80]]) {
      const body = Buffer.concat([
        Buffer.from('{"email": "a'),
        Buffer.from(bytes),
        Buffer.from('@b.c", "password": "whatever-it-is"}'),
      ]);
      const res = await fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(res.status).toBe(400);
      const { error } = errorBodySchema.parse(await res.json());
      expect(error).toMatchObject({
        code: 'validation_failed',
        message: 'the body is not valid UTF-8',
      });
    }
  });

  it('answers a body of another type with 415 naming what the endpoint takes', async () => {
    for (const [type, body] of [
      ['text/plain', 'email=a@b.c'],
      ['application/xml', '<login><email>a@b.c</email></login>'],
      ['application/x-www-form-urlencoded', 'email=a%40b.c&password=x'],
      ['multipart/form-data; boundary=x', '--x--\r\n'],
    ] as const) {
      const res = await fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': type },
        body,
      });
      expect(res.status, type).toBe(415);
      const { error } = errorBodySchema.parse(await res.json());
      expect(error.code).toBe('unsupported_media_type');
      expect(error.message).toContain('application/json');
    }
    // A bodiless POST is not a type problem, and JSON with a charset or +json is JSON.
    const bodiless = await fetch(`${server.url}/api/auth/login`, { method: 'POST' });
    expect(bodiless.status).toBe(400);
    const charset = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: '{}',
    });
    expect(charset.status).toBe(400);
    expect(errorBodySchema.parse(await charset.json()).error.code).toBe('validation_failed');
  });

  it('answers an oversized body with 413 payload_too_large', async () => {
    const res = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'a@b.c', password: 'x'.repeat(4000) }),
    });
    expect(res.status).toBe(413);
    expect(errorBodySchema.parse(await res.json()).error.code).toBe('payload_too_large');
  });

  it('echoes a well-formed request id and makes one up otherwise', async () => {
    const given = await fetch(`${server.url}/api/health`, {
      headers: { 'x-request-id': 'abc-123' },
    });
    expect(given.headers.get('x-request-id')).toBe('abc-123');
    const made = await fetch(`${server.url}/api/health`, {
      headers: { 'x-request-id': 'bad id\u00e9' },
    });
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends security headers', async () => {
    const res = await fetch(`${server.url}/api/health`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-powered-by')).toBeNull();
  });
});
