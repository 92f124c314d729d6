import {
  SocketSwitch,
  createCast,
  disputeItem,
  expect,
  fileDisputeApi,
  messagesWith,
  sendMessage,
  shownSeqs,
  test,
  uniqueTag,
} from './helpers';

test('a dropped socket reconnects and catches up: nothing lost, nothing twice, in order', async ({
  request,
  signIn,
}) => {
  test.setTimeout(180_000);
  const cast = await createCast(request);
  const tag = uniqueTag();
  const network = new SocketSwitch();
  const freelancer = await signIn(cast.freelancer, (page) => network.install(page));
  const client = await signIn(cast.client);
  // This test is about the connection, so the dispute is filed through the API.
  const dispute = await fileDisputeApi(client.request, {
    contractId: cast.contract.id,
    reason: 'non_delivery',
    description: `Nothing was delivered by the deadline. ${tag}`,
    claimCents: 25_000,
  });

  await test.step('both sides are in the room and talking live', async () => {
    for (const page of [client, freelancer]) {
      await disputeItem(page, dispute.id).click();
      await expect(page.getByTestId('dispute-room')).toHaveAttribute('data-dispute-id', dispute.id);
    }
    const hello = `Hello before the outage ${tag}`;
    await sendMessage(client, hello);
    await expect(messagesWith(freelancer, hello)).toHaveCount(1);
    await expect(client.getByTestId('presence-freelancer')).toHaveText(', online');
    // The freelancer's socket runs over the WebSocket we can cut (the upgrade is done).
    await expect.poll(() => network.upgradedCount).toBeGreaterThan(0);
    expect(network.openCount).toBe(1);
  });

  const firstMissed = `First while you were away ${tag}`;
  const secondMissed = `Second while you were away ${tag}`;
  const missed = [firstMissed, secondMissed];
  await test.step('the freelancer loses the connection while the client keeps writing', async () => {
    await network.cut();
    const banner = freelancer.getByTestId('connection-banner');
    await expect(banner).toBeVisible();
    await expect(banner).toContainText('Reconnecting…');
    await expect(client.getByTestId('presence-freelancer')).toHaveText(', offline');

    for (const text of missed) await sendMessage(client, text);
    // Really cut off: still down, and nothing has arrived.
    await expect(banner).toContainText('Reconnecting…');
    for (const text of missed) await expect(freelancer.getByText(text)).toHaveCount(0);
  });

  await test.step('on reconnect the missed messages arrive once each, in order', async () => {
    network.restore();
    // Socket.IO retries with a back-off of up to several seconds.
    await expect(freelancer.getByTestId('connection-banner')).toHaveCount(0, { timeout: 30_000 });
    for (const text of missed) await expect(messagesWith(freelancer, text)).toHaveCount(1);
    await expect(client.getByTestId('presence-freelancer')).toHaveText(', online');

    const seqOf = async (text: string) =>
      Number(await messagesWith(freelancer, text).getAttribute('data-seq'));
    const first = await seqOf(firstMissed);
    const second = await seqOf(secondMissed);
    expect(second).toBeGreaterThan(first);

    // The joint log as shown equals the stored log: every seq once, ascending, no holes.
    const shown = await shownSeqs(freelancer, 'joint');
    const stored = (await (
      await freelancer.request.get(`/api/disputes/${dispute.id}/messages?channel=joint`)
    ).json()) as { messages: { seq: number; kind: string }[] };
    const expected = stored.messages.filter((m) => m.kind !== 'edit').map((m) => m.seq);
    expect(shown).toEqual(expected);
    expect(shown).toEqual(expected.map((_, i) => i + 1));
    expect(shown).toContain(first);
    expect(shown).toContain(second);
  });

  await test.step('the reconnected socket works both ways', async () => {
    const reply = `Back online, reading now ${tag}`;
    await sendMessage(freelancer, reply);
    await expect(messagesWith(client, reply)).toHaveCount(1);
    const late = `Welcome back ${tag}`;
    await sendMessage(client, late);
    await expect(messagesWith(freelancer, late)).toHaveCount(1);
    for (const text of missed) await expect(messagesWith(freelancer, text)).toHaveCount(1);
    const shown = await shownSeqs(freelancer, 'joint');
    expect(shown).toEqual(shown.map((_, i) => i + 1));
  });
});
