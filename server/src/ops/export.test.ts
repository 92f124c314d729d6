import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { startTestServer, stopTestServer } from '../../test/harness.js';
import { disputeInMediation, makeWorld, type World } from '../../test/world.js';

let server: RunningServer;
let w: World;

beforeAll(async () => {
  server = await startTestServer();
  w = await makeWorld(server);
});
afterAll(() => stopTestServer(server));

describe('the printable export', () => {
  it('isolates every name and body, and keeps the bodies’ own characters', async () => {
    const d = await disputeInMediation(w);
    // An override in a body is kept (the hash covers it); it must not reach past the body.
    const spoof = 'I agree to \u202Ednuf\u202C the full refund';
    await w.client.post(`/api/disputes/${d.id}/messages`, {
      channel: 'joint',
      body: spoof,
      clientMsgId: 'bidi-1',
    });
    await w.mediator.post(`/api/disputes/${d.id}/messages`, {
      channel: 'joint',
      body: 'שלום לשניכם',
      clientMsgId: 'bidi-2',
    });

    const res = await w.ops.get(`/api/ops/disputes/${d.id}/export?format=html`);
    expect(res.status).toBe(200);
    const html = res.body as string;
    expect(html).toContain(`<div class="body" dir="auto">${spoof}</div>`);
    expect(html).toContain('<div class="body" dir="auto">שלום לשניכם</div>');
    expect(html).toContain('<td><bdi>Carla Client</bdi> (client)</td>');
    expect(html).toContain('Claimant <bdi>Carla Client</bdi> (client)');
    expect(html).toContain(`— <bdi>Website redesign</bdi></h1>`);
    expect(html).toContain(`<p dir="auto">${d.description}</p>`);
    // Every override opened in the page is inside an element that isolates it.
    for (const at of [...html.matchAll(/\u202E/g)].map((m) => m.index)) {
      const before = html.slice(0, at);
      const opened = Math.max(before.lastIndexOf('<bdi>'), before.lastIndexOf('dir="auto">'));
      const closed = Math.max(before.lastIndexOf('</bdi>'), before.lastIndexOf('</div>'));
      expect(opened).toBeGreaterThan(closed);
    }
  });
});
