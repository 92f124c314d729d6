import { randomUUID } from 'node:crypto';
import {
  createCast,
  disputeItem,
  expect,
  fileDisputeApi,
  loginApi,
  messagesWith,
  test,
} from './helpers';

// A party whose room is open when the mediator claims the dispute learns the mediator's
// name at once (the room joins again when mediatorId changes, which brings `participants`).
test('the parties see the mediator by name as soon as the dispute is claimed', async ({
  request,
  signIn,
  playwright,
  baseURL,
}) => {
  const cast = await createCast(request);
  const client = await signIn(cast.client);
  const freelancer = await signIn(cast.freelancer);
  const dispute = await fileDisputeApi(client.request, {
    contractId: cast.contract.id,
    reason: 'scope',
    description: 'Extra pages were requested after the contract was signed.',
    claimCents: 10_000,
  });
  for (const party of [client, freelancer]) await disputeItem(party, dispute.id).click();
  await freelancer.getByTestId('respond-reject').click();
  await freelancer.getByTestId('respond-reject-confirm').click();

  const mediatorApi = await playwright.request.newContext({ baseURL });
  try {
    await loginApi(mediatorApi, cast.mediator.email, cast.mediator.password);
    expect((await mediatorApi.post(`/api/disputes/${dispute.id}/assign`)).status()).toBe(200);
    const text = 'Hello, I am your mediator for this dispute.';
    const sent = await mediatorApi.post(`/api/disputes/${dispute.id}/messages`, {
      data: { channel: 'joint', body: text, clientMsgId: randomUUID() },
    });
    expect(sent.status()).toBe(201);

    for (const party of [client, freelancer]) {
      await expect(party.getByTestId('person-mediator')).toContainText(cast.mediator.user.name);
      await expect(messagesWith(party, text)).toContainText(cast.mediator.user.name);
    }
  } finally {
    await mediatorApi.dispose();
  }
});
