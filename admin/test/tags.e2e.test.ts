/**
 * Conversation tags as an agent uses them: add a tag in the conversation's sidebar, see
 * it as a chip, filter the inbox by it (the tags plugin's select beside the inbox
 * filters, or the chip's link), and remove it again.
 */
import { randomUUID } from 'node:crypto';
import t from 'tap';
import { adminSuiteReady, logIn, startHarness, type Harness } from './harness';

if (adminSuiteReady(t)) {
  let h: Harness;
  let billing = '';
  let other = '';

  t.before(async () => {
    h = await startHarness();
    const site = (await h.api('POST', '/api/v1/sites', { name: 'Shop' })).body as { appId: string };
    const start = async (text: string) => {
      const v = (await h.api('POST', '/api/v1/widget/init', { appId: site.appId }, '')).body as { visitorToken: string };
      const sent = await h.api('POST', '/api/v1/widget/messages', { content: text, clientId: randomUUID() }, v.visitorToken);
      return (sent.body as { conversation: { id: string } }).conversation.id;
    };
    other = await start('Do you ship to Peru?');
    billing = await start('My invoice is wrong');
  });
  t.teardown(async () => h?.close());

  t.test('an agent tags a conversation, filters the inbox by the tag, and removes it', async (t) => {
    const { page } = await h.newPage();
    await logIn(page, h.owner.email, h.owner.password);
    await page.waitForURL(/\/admin\/inbox/);
    await page.goto(`/admin/inbox/${billing}`);
    const panel = page.getByTestId('conversation-tags');
    await panel.waitFor();
    t.match(await panel.innerText(), /No tags yet/, 'an untagged conversation says so');

    await page.getByLabel('Add a tag').fill('Billing');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await panel.getByRole('link', { name: 'Billing' }).waitFor();
    const stored = await h.api('GET', `/api/v1/inbox/conversations/${billing}`);
    t.same(stored.body.tags, ['Billing'], 'the tag is stored on the conversation');

    // The inbox filter the tags plugin adds beside the inbox's own.
    await page.locator(`[data-conversation="${other}"]`).waitFor();
    await page.getByLabel('Tag', { exact: true }).selectOption('Billing');
    await page.waitForURL(/[?&]tag=Billing/);
    await page.getByTestId('inbox-tag-filter').waitFor();
    await page.locator(`[data-conversation="${other}"]`).waitFor({ state: 'detached' });
    t.equal(await page.locator(`[data-conversation="${billing}"]`).count(), 1, 'filtered by Billing, the list shows the tagged conversation');
    t.equal(await page.locator(`[data-conversation="${other}"]`).count(), 0, 'and not the other one');

    // Opening a conversation keeps the filter; clearing it brings everything back.
    await page.locator(`[data-conversation="${billing}"]`).click();
    await page.waitForURL(new RegExp(`/inbox/${billing}\\?tag=Billing`));
    await page.getByRole('button', { name: 'Clear the tag filter' }).click();
    await page.locator(`[data-conversation="${other}"]`).waitFor();
    t.pass('clearing the tag filter lists every conversation again');

    await page.getByRole('button', { name: 'Remove the tag Billing' }).click();
    await panel.getByText('No tags yet.').waitFor();
    t.same((await h.api('GET', `/api/v1/inbox/conversations/${billing}`)).body.tags, [], 'removed on the server too');
  });
}
