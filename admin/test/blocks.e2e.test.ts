import t from 'tap';
import { requirePart } from '@charla/core/testing';
import { browserAvailable, logIn, startHarness } from './harness.js';

// Message blocks in the inbox: a bot message of the auto-reply example carries a
// quick-replies block; the conversation view shows its button label as text.
t.test('the inbox shows a bot message\'s blocks as text', async (t) => {
  if (!requirePart('Chromium (/usr/bin/chromium)', browserAvailable(), t)) return;
  const h = await startHarness({ plugins: ['conversations', '@charla/plugin-auto-reply'] });
  t.teardown(() => h.close());
  const site = await h.api('POST', '/api/v1/sites', { name: 'Shop' });
  const init = await h.api('POST', '/api/v1/widget/init', { appId: site.body.appId }, '');
  const sent = await h.api('POST', '/api/v1/widget/messages', { content: 'Hello bot', clientId: 'blocks-1' }, init.body.visitorToken);
  const conversationId = sent.body.conversation.id;

  const { page } = await h.newPage();
  await logIn(page, h.owner.email, h.owner.password);
  await page.getByRole('heading', { name: 'Inbox' }).waitFor();
  await page.goto(`/admin/inbox/${conversationId}`);
  await page.getByRole('list', { name: 'Messages' }).getByText('Echo: Hello bot').waitFor({ timeout: 15_000 });
  const block = page.locator('.msg[data-sender="bot"] .msg-block[data-block="quick-replies"]');
  await block.waitFor();
  t.equal((await block.locator('.chip').textContent())?.trim(), 'Talk to a human', 'the block\'s button label is shown as text');
});
