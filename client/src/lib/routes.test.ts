import { describe, expect, it } from 'vitest';
import { parseRoute, paths } from './routes';

describe('parseRoute', () => {
  it('maps paths to screens', () => {
    expect(parseRoute('/')).toEqual({ name: 'inbox' });
    expect(parseRoute('/disputes/')).toEqual({ name: 'inbox' });
    expect(parseRoute('/disputes/abc_1')).toEqual({ name: 'dispute', disputeId: 'abc_1' });
    expect(parseRoute('/queue')).toEqual({ name: 'queue' });
    expect(parseRoute('/file-dispute')).toEqual({ name: 'file' });
    expect(parseRoute('/login')).toEqual({ name: 'login' });
    expect(parseRoute('/nope/x')).toEqual({ name: 'notFound' });
    expect(parseRoute('/disputes/%E0%A4%A')).toEqual({ name: 'notFound' });
  });

  it('maps the ops screens', () => {
    expect(parseRoute('/ops')).toEqual({ name: 'opsDashboard' });
    expect(parseRoute('/ops/')).toEqual({ name: 'opsDashboard' });
    expect(parseRoute('/ops/search')).toEqual({ name: 'opsSearch' });
    expect(parseRoute('/ops/disputes')).toEqual({ name: 'opsSearch' });
    expect(parseRoute(paths.adminQueues)).toEqual({ name: 'adminQueues' });
    expect(parseRoute('/ops/disputes/abc_1')).toEqual({
      name: 'opsTranscript',
      disputeId: 'abc_1',
    });
    expect(parseRoute('/ops/disputes/%E0%A4%A')).toEqual({ name: 'notFound' });
    expect(parseRoute('/ops/disputes/a/b')).toEqual({ name: 'notFound' });
  });

  it('round-trips dispute paths', () => {
    expect(parseRoute(paths.dispute('a b'))).toEqual({ name: 'dispute', disputeId: 'a b' });
    expect(parseRoute(paths.opsTranscript('a/b'))).toEqual({
      name: 'opsTranscript',
      disputeId: 'a/b',
    });
  });
});
