/**
 * The Contacts section in headless Chromium against a real server (the built-in plugins):
 * build a filter (an attribute and the "Active today" quick filter), save it as a segment,
 * open a contact, and watch its page change live while the visitor browses (the widget API).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { requirePart } from '@charla/core/testing';
import { browserAvailable, logIn, startHarness } from '../../../admin/test/harness.js';

const registry = join(import.meta.dirname, '../../../admin/dist/browser/plugins.json');
const compiledIn =
  existsSync(registry) && (JSON.parse(readFileSync(registry, 'utf8')) as { plugins: Array<{ name: string }> }).plugins.some((p) => p.name === 'contacts');

t.test('Contacts: filter, save a segment, open a contact, watch it browse live', async (t) => {
  if (!requirePart('Chromium (/usr/bin/chromium)', browserAvailable(), t)) return;
  if (!requirePart('the admin build with the contacts UI (npm run build -w @charla/admin)', compiledIn, t)) return;
  const h = await startHarness();
  t.teardown(() => h.close());
  const site = (await h.api('POST', '/api/v1/sites', { name: 'Shop' })).body;
  const init = async (user: Record<string, unknown>, page: { url: string; title: string }) => {
    const r = await h.server.request('POST', '/api/v1/widget/init', { body: { appId: site.appId, user, page } });
    return { token: r.body.visitorToken as string, id: r.body.visitor.id as string };
  };
  const ana = await init({ name: 'Ana Enterprise', email: 'ana@acme.com', attributes: { plan: 'enterprise' } }, { url: 'https://shop.example/', title: 'Home' });
  await init({ name: 'Bob Free', email: 'bob@example.org', attributes: { plan: 'free' } }, { url: 'https://shop.example/blog', title: 'Blog' });

  const { page } = await h.newPage();
  await logIn(page, h.owner.email, h.owner.password);
  await page.waitForURL(/\/admin\/inbox/);
  await page.getByRole('link', { name: 'Contacts' }).click();
  await page.waitForURL(/\/admin\/contacts$/);
  const table = page.getByTestId('contacts');
  await table.locator(`[data-contact="${ana.id}"]`).waitFor();
  t.match(await page.getByTestId('total').textContent(), /2 contacts/, 'everyone at first');

  await page.getByRole('button', { name: 'Add condition' }).click();
  const row = page.locator('[data-row="0"]');
  await row.getByLabel('Field').selectOption('attributes');
  await row.getByLabel('Attribute name').fill('plan');
  await row.getByLabel('Operator').selectOption('eq');
  await row.getByLabel('Value').fill('enterprise');
  await page.getByRole('button', { name: 'Active today' }).click();
  await page.getByTestId('total').filter({ hasText: '1 contact' }).waitFor();
  t.equal(await table.locator('tbody tr').count(), 1, 'enterprise contacts active today: only Ana');
  t.match(await table.textContent(), /Ana Enterprise/);

  await page.getByLabel('Segment name').fill('Enterprise today');
  await page.getByRole('button', { name: 'Save as segment' }).click();
  const seg = page.locator('[data-segment="Enterprise today"]');
  await seg.waitFor();
  t.equal((await seg.getByTestId('segment-count').textContent())?.trim(), '1', 'the saved segment shows its live count');
  const saved = (await h.api('GET', '/api/v1/segments')).body.segments;
  t.match(saved, [{ name: 'Enterprise today', count: 1, filter: { and: [{ field: 'attributes.plan', op: 'eq', value: 'enterprise' }, { field: 'lastSeenAt', op: 'in_last_days', value: 1 }] } }], 'saved on the server with the filter built');

  await table.getByRole('link', { name: 'Ana Enterprise' }).click();
  await page.waitForURL(new RegExp(`/admin/contacts/${ana.id}$`));
  await page.getByTestId('current-page').filter({ hasText: 'Home' }).waitFor();
  t.match(await page.getByTestId('contact-profile').textContent(), /ana@acme\.com/);

  for (const [url, title] of [['https://shop.example/pricing', 'Pricing'], ['https://shop.example/checkout', 'Checkout']]) {
    const r = await h.server.request('POST', '/api/v1/widget/page', { token: ana.token, body: { url, title } });
    t.equal(r.status, 202);
    await page.getByTestId('current-page').filter({ hasText: title }).waitFor({ timeout: 10_000 });
    t.match(await page.getByTestId('pages-timeline').locator('li').first().textContent(), title, `${title}: the current page and the top of the timeline change live`);
  }
  t.equal(await page.getByTestId('pages-timeline').locator('li').count(), 3, 'Home, Pricing, Checkout');

  // The same contact beside its conversation, live.
  const sent = await h.server.request('POST', '/api/v1/widget/messages', { token: ana.token, body: { content: 'Hola, una pregunta', clientId: 'e2e-contacts-1' } });
  t.equal(sent.status, 201);
  await page.goto(`${h.base}/admin/inbox/${sent.body.conversation.id}`);
  const panel = page.getByTestId('contact-panel');
  await panel.waitFor();
  t.equal((await panel.locator('[data-field="pageViewCount"]').textContent())?.trim(), '3', 'the sidebar panel shows the contact\'s profile');
  await h.server.request('POST', '/api/v1/widget/page', { token: ana.token, body: { url: 'https://shop.example/thanks', title: 'Thanks' } });
  await page.getByTestId('panel-current-page').filter({ hasText: 'Thanks' }).waitFor({ timeout: 10_000 });
  t.pass('the sidebar panel\'s current page changes live');
  await panel.getByRole('link', { name: 'Open contact' }).click();
  await page.getByTestId('contact-profile').waitFor();
  t.match(page.url(), new RegExp(`/admin/contacts/${ana.id}$`), 'and links to the contact page');
});
