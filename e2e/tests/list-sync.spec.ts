import {
  SocketSwitch,
  createCast,
  disputeItem,
  expect,
  fileDisputeApi,
  test,
  uniqueTag,
} from './helpers';

test('a dispute filed before the socket first connects still reaches the list', async ({
  request,
  signIn,
}) => {
  const cast = await createCast(request);
  const network = new SocketSwitch();
  await network.cut();
  // Signed in with the list loaded over HTTP, but no socket yet.
  const freelancer = await signIn(cast.freelancer, (page) => network.install(page));
  await expect(freelancer.getByText('No disputes yet.')).toBeVisible();
  const client = await signIn(cast.client);
  const dispute = await fileDisputeApi(client.request, {
    contractId: cast.contract.id,
    reason: 'quality',
    description: `Filed while the other side was still connecting. ${uniqueTag()}`,
    claimCents: 10_000,
  });
  expect(network.openCount).toBe(0);
  // The socket's first connection comes after the filing: the list must catch up by itself.
  network.restore();
  await expect(disputeItem(freelancer, dispute.id)).toBeVisible({ timeout: 20_000 });
});
