import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from './logger.js';
import { restartDelay, superviseChild, type ChildHandle, type Supervised } from './supervisor.js';

/** A real child process running `command`. */
function run(command: string, args: string[]): ChildHandle {
  const child = spawn(command, args, { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    pid: child.pid!,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

const log = createLogger('silent');
const supervised: Supervised<ChildHandle>[] = [];
afterEach(async () => {
  for (const s of supervised.splice(0)) await s.stop();
});

async function supervise(opts: {
  start: () => Promise<ChildHandle>;
  maxRestarts: number;
  stableMs?: number;
  initialDelayMs?: number;
  maxDelayMs?: number;
}) {
  const gaveUp: string[] = [];
  const s = await superviseChild({
    name: 'test child',
    log,
    initialDelayMs: 1,
    maxDelayMs: 5,
    stableMs: 60_000,
    onGiveUp: (reason) => gaveUp.push(reason),
    ...opts,
  });
  supervised.push(s);
  return { s, gaveUp };
}

describe('superviseChild', () => {
  it('doubles the restart delay from the first one up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => restartDelay(n, 500, 10_000))).toEqual([
      500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000,
    ]);
  });

  it('restarts a child killed with SIGKILL', async () => {
    let starts = 0;
    const { s, gaveUp } = await supervise({
      start: async () => {
        starts += 1;
        return run('sleep', ['60']);
      },
      maxRestarts: 3,
    });
    const first = s.current;
    process.kill(first.pid, 'SIGKILL');
    await vi.waitFor(() => expect(s.current.pid).not.toBe(first.pid), { timeout: 5_000 });
    expect(starts).toBe(2);
    expect(gaveUp).toEqual([]);
  });

  it('gives up, once, after maxRestarts failed starts in a row', async () => {
    let starts = 0;
    const { s, gaveUp } = await supervise({
      start: async () => {
        starts += 1;
        if (starts > 1) throw new Error('cannot start');
        return run('sleep', ['60']);
      },
      maxRestarts: 3,
    });
    process.kill(s.current.pid, 'SIGKILL');
    await vi.waitFor(() => expect(gaveUp).toHaveLength(1), { timeout: 5_000 });
    expect(gaveUp[0]).toBe('test child is down: gave up after 3 restarts in a row');
    expect(starts).toBe(4);
  });

  it('counts a child that dies again before it ran stableMs as a failed restart', async () => {
    let starts = 0;
    const { gaveUp } = await supervise({
      start: async () => {
        starts += 1;
        // The first one runs until killed below; every restart dies at once.
        return starts === 1 ? run('sleep', ['0.2']) : run('true', []);
      },
      maxRestarts: 2,
    });
    await vi.waitFor(() => expect(gaveUp).toHaveLength(1), { timeout: 5_000 });
    expect(starts).toBe(3);
  });

  it('starts a fresh count for a child that ran stableMs', async () => {
    const { s, gaveUp } = await supervise({
      start: async () => run('sleep', ['60']),
      maxRestarts: 1,
      stableMs: 0,
    });
    for (let i = 0; i < 3; i += 1) {
      const before = s.current.pid;
      process.kill(before, 'SIGKILL');
      await vi.waitFor(() => expect(s.current.pid).not.toBe(before), { timeout: 5_000 });
    }
    expect(gaveUp).toEqual([]);
  });

  it('with 0 restarts gives up at the first exit', async () => {
    const { s, gaveUp } = await supervise({
      start: async () => run('sleep', ['60']),
      maxRestarts: 0,
    });
    process.kill(s.current.pid, 'SIGKILL');
    await vi.waitFor(() => expect(gaveUp).toEqual(['test child is down and restarts are off']), {
      timeout: 5_000,
    });
  });

  it('stop cancels a restart that is waiting out its delay', async () => {
    let starts = 0;
    const { s, gaveUp } = await supervise({
      start: async () => {
        starts += 1;
        return run('sleep', ['60']);
      },
      maxRestarts: 3,
      initialDelayMs: 60_000,
      maxDelayMs: 60_000,
    });
    process.kill(s.current.pid, 'SIGKILL');
    await s.current.exited;
    await s.stop();
    expect(starts).toBe(1);
    expect(gaveUp).toEqual([]);
  });
});
