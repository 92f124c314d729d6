import type { Page } from '@playwright/test';
import {
  createCast,
  disputeItem,
  expect,
  makePng,
  messagesWith,
  saveRoomScreenshot,
  sendMessage,
  test,
} from './helpers';

const room = (page: Page) => page.getByTestId('dispute-room');
const stateOf = (page: Page) => room(page).getByTestId('state-badge');

test('three people settle a dispute live: filing, mediation, caucus, evidence, settlement', async ({
  request,
  signIn,
}, testInfo) => {
  // Three browsers on a small machine: give the whole story room to breathe.
  test.setTimeout(240_000);
  const cast = await createCast(request);
  const client = await signIn(cast.client);
  const freelancer = await signIn(cast.freelancer);
  const mediator = await signIn(cast.mediator);
  const everyone = { client, freelancer, mediator };
  let disputeId = '';

  await test.step('the client files a dispute through the form', async () => {
    await client.getByRole('link', { name: 'File a dispute', exact: true }).click();
    await expect(client).toHaveURL(/\/file-dispute$/);
    const form = client.getByTestId('file-dispute-form');
    await form.getByLabel('Contract').selectOption(cast.contract.id);
    await form.getByLabel('Reason').selectOption('quality');
    await form
      .getByLabel('What went wrong?')
      .fill('The landing page was delivered without the mobile layout agreed in the brief.');
    await form.getByLabel(/^Amount you claim/).fill('400.00');
    await form.getByRole('button', { name: 'File dispute' }).click();

    await expect(client).toHaveURL(/\/disputes\/[^/]+$/);
    disputeId = new URL(client.url()).pathname.split('/').pop() ?? '';
    await expect(room(client)).toHaveAttribute('data-dispute-id', disputeId);
    await expect(stateOf(client)).toHaveAttribute('data-state', 'open');
    await expect(room(client)).toContainText('$400.00');
  });

  await test.step('the freelancer (respondent) rejects the claim: mediation starts', async () => {
    // The new dispute reaches the respondent's list live.
    await disputeItem(freelancer, disputeId).click();
    await expect(stateOf(freelancer)).toHaveAttribute('data-state', 'open');
    await freelancer.getByTestId('respond-reject').click();
    await freelancer.getByTestId('respond-reject-confirm').click();
    await expect(stateOf(freelancer)).toHaveAttribute('data-state', 'mediation');
    await expect(stateOf(client)).toHaveAttribute('data-state', 'mediation');
  });

  await test.step('the mediator claims it from the queue', async () => {
    await mediator.getByRole('link', { name: 'Queue', exact: true }).click();
    await expect(mediator).toHaveURL(/\/queue$/);
    const row = mediator.locator(`[data-testid="queue-row"][data-dispute-id="${disputeId}"]`);
    await row.getByTestId('queue-claim').click();
    await expect(mediator).toHaveURL(new RegExp(`/disputes/${disputeId}$`));
    await expect(stateOf(mediator)).toHaveAttribute('data-state', 'mediation');
    await expect(mediator.getByTestId('person-mediator')).toContainText(
      `${cast.mediator.user.name} (you)`,
    );
    // The parties see the seat taken and the mediator online. (That they also see the
    // mediator's name is checked, for now as a known bug, in mediator-name.spec.ts.)
    for (const party of [client, freelancer]) {
      await expect(party.getByTestId('person-mediator')).not.toContainText('Not assigned yet');
      await expect(party.getByTestId('presence-mediator')).toHaveText(', online');
    }
  });

  const jointTexts = {
    client: 'Hi both, the mobile layout from the brief is missing on every page.',
    freelancer: 'The brief only showed desktop mock-ups; mobile was planned as a second milestone.',
    mediator: 'Thanks, both. I have read the brief; let us go through the delivered pages.',
  };
  await test.step('joint messages appear live, once, in the other two windows', async () => {
    for (const [author, page] of Object.entries(everyone)) {
      await expect(page.getByTestId('channel-tab-joint')).toHaveAttribute('aria-selected', 'true');
      const text = jointTexts[author as keyof typeof everyone];
      await sendMessage(page, text);
      for (const other of Object.values(everyone)) {
        await expect(messagesWith(other, text)).toHaveCount(1);
        await expect(messagesWith(other, text)).toHaveAttribute('data-channel', 'joint');
      }
    }
  });

  const caucusText = 'Just between us: would a partial refund work if you keep the desktop pages?';
  await test.step('a caucus message reaches only the client', async () => {
    const mediatorTab = mediator.getByTestId('channel-tab-caucus:client');
    await expect(mediatorTab).toHaveText('Caucus · Client');
    await mediatorTab.click();
    await expect(mediatorTab).toHaveAttribute('aria-selected', 'true');
    await sendMessage(mediator, caucusText);
    await expect(messagesWith(mediator, caucusText)).toHaveAttribute(
      'data-channel',
      'caucus:client',
    );

    const clientTab = client.getByTestId('channel-tab-caucus:client');
    await expect(clientTab).toContainText('Private with mediator');
    await expect(clientTab.getByLabel('1 unread')).toBeVisible();
    await clientTab.click();
    await expect(messagesWith(client, caucusText)).toHaveCount(1);
    await expect(messagesWith(client, caucusText)).toHaveAttribute('data-channel', 'caucus:client');

    // The client has seen it; the freelancer has no trace of it: no text, no tab, no count.
    await expect(freelancer.getByText(caucusText)).toHaveCount(0);
    await expect(freelancer.getByTestId('channel-tab-caucus:client')).toHaveCount(0);
    await expect(freelancer.getByTestId('channel-tab-caucus:freelancer')).toHaveText(
      'Private with mediator',
    );
    await expect(
      freelancer.getByRole('tablist', { name: 'Channels' }).getByLabel(/unread/),
    ).toHaveCount(0);
    await expect(disputeItem(freelancer, disputeId).getByTestId('unread-count')).toHaveCount(0);
    await expect(freelancer).not.toHaveTitle(/^\(\d+\)/);
    // Nor does the freelancer's own session get anything of that channel from the API.
    const { dispute } = (await (
      await freelancer.request.get(`/api/disputes/${disputeId}`)
    ).json()) as { dispute: { heads: object; unread: object } };
    expect(Object.keys(dispute.heads)).not.toContain('caucus:client');
    expect(Object.keys(dispute.unread)).not.toContain('caucus:client');
    const refused = await freelancer.request.get(
      `/api/disputes/${disputeId}/messages?channel=caucus:client`,
    );
    expect(refused.status()).toBe(403);

    for (const page of [client, mediator]) {
      await page.getByTestId('channel-tab-joint').click();
      await expect(page.getByTestId('channel-tab-joint')).toHaveAttribute('aria-selected', 'true');
    }
  });

  const filename = 'mobile-layout.png';
  await test.step('the client uploads a screenshot; everyone sees its preview', async () => {
    await client.getByTestId('file-input').setInputFiles({
      name: filename,
      mimeType: 'image/png',
      buffer: makePng(96, 64),
    });
    // Nothing is posted before the file, its channel and a description were shown.
    const stage = client.getByTestId('stage-evidence');
    await expect(stage).toBeVisible();
    await expect(stage).toContainText(filename);
    await expect(stage.getByTestId('stage-audience')).toContainText('Everyone in the dispute');
    await stage.getByTestId('staged-description').fill('Home page at 390 px');
    await stage.getByTestId('stage-post').click();
    await expect(stage).toHaveCount(0);
    for (const page of Object.values(everyone)) {
      // An image's text alternative is its description.
      const thumb = page
        .getByTestId('thread')
        .getByRole('img', { name: 'Home page at 390 px', exact: true });
      await expect(thumb).toBeVisible();
      await expect(thumb).toHaveAttribute(
        'src',
        /^\/api\/evidence\/[^/?]+\/content\?disposition=inline$/,
      );
      // The bytes really came back as an image.
      await expect
        .poll(() => thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
        .toBe(96);
    }
    await expect(client.getByTestId('upload-error')).toHaveCount(0);

    // The evidence panel's preview opens the same image, large.
    await freelancer.getByTestId('side-tab-evidence').click();
    const item = freelancer.getByTestId('evidence-item').filter({ hasText: filename });
    await expect(item).toContainText('sha256');
    await item.getByTestId('evidence-preview').click();
    const preview = freelancer.getByRole('dialog', { name: `Preview of ${filename}` });
    const large = preview.getByRole('img', { name: 'Home page at 390 px', exact: true });
    await expect(large).toBeVisible();
    await expect(large).toHaveAttribute('src', /\/content\?disposition=inline$/);
    await preview.getByRole('button', { name: 'Close' }).click();
    await expect(preview).toHaveCount(0);
  });

  await test.step('the mediator recommends a split and both parties accept it', async () => {
    await mediator.getByTestId('side-tab-offers').click();
    const form = mediator.getByTestId('proposal-form');
    await expect(form).toContainText('Recommend a split');
    await form.getByLabel('Client receives').fill('300.00');
    await expect(form.getByLabel('Freelancer receives')).toHaveValue('200.00');
    await form.getByLabel('Note (optional)').fill('Most of the work is usable; mobile is missing.');
    await form.getByTestId('proposal-submit').click();
    await expect(form.getByRole('status')).toHaveText('Recommendation made.');

    for (const party of [client, freelancer]) {
      await party.getByTestId('side-tab-offers').click();
      const card = party.locator('[data-testid="proposal"][data-status="pending"]');
      await expect(card).toHaveCount(1);
      await expect(card).toContainText('Recommendation #1 by');
      await expect(card).toContainText('$300.00');
      await expect(card).toContainText('$200.00');
      await card.getByTestId('proposal-accept').click();
      await expect(card.getByTestId('proposal-accept-question')).toContainText(
        'The client receives $300.00 and the freelancer $200.00',
      );
      await card.getByTestId('proposal-accept-confirm').click();
      await expect(
        party.locator('[data-testid="proposal"]').getByTestId('proposal-accept'),
      ).toHaveCount(0);
    }
  });

  await test.step('all three see the dispute resolved by the settlement', async () => {
    for (const page of Object.values(everyone)) {
      const banner = page.getByTestId('resolved-banner');
      await expect(banner).toBeVisible();
      await expect(banner).toHaveAttribute('data-outcome', 'settlement');
      await expect(banner).toContainText('Settled by agreement');
      await expect(banner).toContainText('Client receives $300.00 · Freelancer receives $200.00');
      await expect(stateOf(page)).toHaveAttribute('data-state', 'resolved');
      await expect(page.getByTestId('read-only-note')).toBeVisible();
    }
    // Still once each, everywhere, and the caucus never reached the freelancer.
    for (const page of Object.values(everyone)) {
      for (const text of Object.values(jointTexts)) {
        await expect(messagesWith(page, text)).toHaveCount(1);
      }
    }
    await expect(freelancer.getByText(caucusText)).toHaveCount(0);
  });

  await test.step('screenshots of the room, one per role', async () => {
    for (const [role, page] of Object.entries(everyone)) {
      await expect(page.getByTestId('channel-tab-joint')).toHaveAttribute('aria-selected', 'true');
      await saveRoomScreenshot(page, role, testInfo);
    }
  });

  await test.step('a party rates the experience', async () => {
    // The radio is visually hidden behind its star; a person clicks the star.
    await client.getByTitle('Excellent').click();
    await expect(client.getByTestId('feedback-rating-5')).toBeChecked();
    await client.getByRole('button', { name: 'Submit rating' }).click();
    await expect(client.getByTestId('feedback-thanks')).toHaveText('Thanks for your feedback.');
  });
});
