import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { requirePart } from '@charla/core/testing';
import { browserAvailable, logIn, startHarness } from '../../../../admin/test/harness.js';

// The example plugin end to end: its sidebar panel (conversation.sidebar slot) in the real
// admin, in headless Chromium, against a server with the plugin enabled.
const registry = join(import.meta.dirname, '../../../../admin/dist/browser/plugins.json');
const compiledIn = existsSync(registry) && (JSON.parse(readFileSync(registry, 'utf8')) as { plugins: Array<{ name: string }> }).plugins.some((p) => p.name === 'conversation-tags');

t.test('an agent tags a conversation from the sidebar panel', async (t) => {
  if (!requirePart('Chromium (/usr/bin/chromium)', browserAvailable(), t)) return;
  if (!requirePart('the admin build with conversation-tags (npm run build -w @charla/admin)', compiledIn, t)) return;
  const h = await startHarness({ plugins: ['conversations', '@charla/plugin-conversation-tags'] });
  t.teardown(() => h.close());
  const tag = await h.api('POST', '/api/v1/conversation-tags', { name: 'VIP', color: '#7c3aed', keywords: ['urgent'] });
  t.equal(tag.status, 201);
  const site = await h.api('POST', '/api/v1/sites', { name: 'Shop' });
  const init = await h.api('POST', '/api/v1/widget/init', { appId: site.body.appId }, '');
  const sent = await h.api('POST', '/api/v1/widget/messages', { content: 'Hello there', clientId: 'e2e-1' }, init.body.visitorToken);
  const conversationId = sent.body.conversation.id;

  const { page } = await h.newPage();
  await logIn(page, h.owner.email, h.owner.password);
  await page.getByRole('heading', { name: 'Inbox' }).waitFor();
  await page.goto(`/admin/inbox/${conversationId}`);
  const toggle = page.getByRole('button', { name: 'Tag VIP' });
  await toggle.waitFor();
  t.equal(await toggle.getAttribute('aria-pressed'), 'false');
  await toggle.click();
  await page.locator('button[aria-pressed="true"]', { hasText: 'VIP' }).waitFor();
  const conv = await h.api('GET', `/api/v1/inbox/conversations/${conversationId}`);
  t.same(conv.body.tags, ['VIP'], 'the click tagged the conversation on the server');

  await page.goto('/admin/conversation-tags');
  await page.getByLabel('Name').fill('Billing');
  await page.getByRole('button', { name: 'Create tag' }).click();
  await page.getByRole('cell', { name: 'Billing' }).waitFor();
  const list = await h.api('GET', '/api/v1/conversation-tags');
  t.ok(list.body.tags.some((x: { name: string }) => x.name === 'Billing'), 'the tags page creates tags');
});
