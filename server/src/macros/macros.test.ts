import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { startTestServer, stopTestServer } from '../../test/harness.js';
import { disputeInMediation, makeWorld, type World } from '../../test/world.js';
import { renderMacro } from './service.js';

let server: RunningServer;
let w: World;
beforeAll(async () => {
  server = await startTestServer();
  w = await makeWorld(server);
});
afterAll(() => stopTestServer(server));

describe('macros', () => {
  it('mediators keep their own canned replies; others cannot see or touch them', async () => {
    const created = await w.mediator.post('/api/macros', {
      title: 'Welcome',
      body: 'Hi {{client.name}}',
    });
    expect(created.status).toBe(201);
    const id = created.body.macro.id;
    expect((await w.client.get('/api/macros')).status).toBe(403);
    expect((await w.otherMediator.get('/api/macros')).body.macros).toEqual([]);
    expect((await w.otherMediator.patch(`/api/macros/${id}`, { title: 'Mine now' })).status).toBe(
      404,
    );
    expect((await w.mediator.patch(`/api/macros/${id}`, { title: '' })).status).toBe(400);
    expect((await w.mediator.patch(`/api/macros/${id}`, { title: 'Hello' })).body.macro).toEqual({
      id,
      title: 'Hello',
      body: 'Hi {{client.name}}',
    });
    expect((await w.mediator.get('/api/macros')).body.macros).toHaveLength(1);
    expect((await w.mediator.delete(`/api/macros/${id}`)).status).toBe(204);
    expect((await w.mediator.get('/api/macros')).body.macros).toEqual([]);
  });

  it('renders the placeholders with the dispute facts in a recipient-neutral form', async () => {
    const d = await disputeInMediation(w);
    const { body } = await w.mediator.post('/api/macros', {
      title: 'Intro',
      body: 'Hello {{client.name}} and {{freelancer.name}}, I am {{mediator.name}} on {{dispute.number}}. Mediation ends {{mediationEndsBy}}. {{unknown}}',
    });
    const res = await w.mediator.post(`/api/disputes/${d.id}/macros/${body.macro.id}/render`);
    expect(res.status).toBe(200);
    expect(res.body.body).toMatch(
      new RegExp(
        `^Hello Carla Client and Fred Freelancer, I am Mia Mediator on ${d.number}\\. Mediation ends \\d{1,2} \\w+ \\d{4} at \\d{2}:\\d{2} UTC\\. \\{\\{unknown\\}\\}$`,
      ),
    );
    expect(
      (await w.otherMediator.post(`/api/disputes/${d.id}/macros/${body.macro.id}/render`)).status,
    ).toBe(404);
    expect(
      (await w.client.post(`/api/disputes/${d.id}/macros/${body.macro.id}/render`)).status,
    ).toBe(403);
  });

  it('renderMacro resolves only the documented placeholders and tolerates spaces', () => {
    const facts = {
      'client.name': 'Carla',
      'freelancer.name': 'Fred',
      'mediator.name': 'Mia',
      'dispute.number': 'D-000001',
      respondBy: 'soon',
      mediationEndsBy: 'later',
    };
    expect(renderMacro('{{ client.name }}-{{b}}-{{dispute.number}}', facts)).toBe(
      'Carla-{{b}}-D-000001',
    );
    // Names an object has without being facts stay as written.
    for (const inherited of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'])
      expect(renderMacro(`{{${inherited}}}`, facts)).toBe(`{{${inherited}}}`);
  });
});
