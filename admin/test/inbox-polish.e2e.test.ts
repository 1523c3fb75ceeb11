/**
 * Issue 24, the inbox as a person sees it on a 1366×850 laptop: every status tab on
 * screen, the assignee select showing the real assignee after opening and reloading,
 * "You:" only for the viewer's own messages, Pending settable from the UI, and one
 * friendly stable name for an anonymous visitor in the list and the header (en and es).
 */
import { randomUUID } from 'node:crypto';
import t from 'tap';
import type { Page } from 'playwright-core';
import { addMember } from '../../core/test/team-fixtures';
import { adminSuiteReady, logIn, startHarness, type Harness } from './harness';

const LAPTOP = { width: 1366, height: 850 };

if (adminSuiteReady(t)) {
  let h: Harness;
  let theirs = ''; // assigned to a colleague, who wrote last
  let mine = ''; // the owner wrote last
  let colleagueName = '';

  t.before(async () => {
    h = await startHarness();
    await h.api('PATCH', '/api/v1/plugins/inbox', { settings: { autoAssign: false } });
    const site = (await h.api('POST', '/api/v1/sites', { name: 'Shop' })).body as { appId: string };
    const colleague = await addMember(h.server, h.smtp, h.owner.token, 'agent', 'Ana Colleague');
    colleagueName = 'Ana Colleague';
    const anonymous = async (text: string) => {
      const v = (await h.api('POST', '/api/v1/widget/init', { appId: site.appId }, '')).body as { visitorToken: string };
      const sent = await h.api('POST', '/api/v1/widget/messages', { content: text, clientId: randomUUID() }, v.visitorToken);
      return (sent.body as { conversation: { id: string } }).conversation.id;
    };
    theirs = await anonymous('Where is my parcel?');
    await h.api('PATCH', `/api/v1/inbox/conversations/${theirs}`, { assigneeId: colleague.userId });
    await h.api('POST', `/api/v1/inbox/conversations/${theirs}/messages`, { content: 'Checking with the courier', clientId: randomUUID() }, colleague.token);
    mine = await anonymous('Do you ship to Peru?');
    await h.api('POST', `/api/v1/inbox/conversations/${mine}/messages`, { content: 'Yes, we do', clientId: randomUUID() });
  });
  t.teardown(async () => h?.close());

  const inbox = async (): Promise<Page> => {
    const { page } = await h.newPage({ viewport: LAPTOP });
    await logIn(page, h.owner.email, h.owner.password);
    await page.waitForURL(/\/admin\/inbox/);
    await page.locator(`[data-conversation="${theirs}"]`).waitFor();
    return page;
  };
  const listName = (page: Page, id: string) => page.locator(`[data-conversation="${id}"] .conv-name`).innerText();
  const headerName = (page: Page) => page.locator('.conv-header h2').innerText();

  t.test('every status tab is on screen at 1366×850, with no sideways scroll', async (t) => {
    const page = await inbox();
    const closed = await page.locator('[data-tab="closed"]').boundingBox();
    const list = await page.locator('.inbox-lists').boundingBox();
    t.ok(closed && list && closed.x + closed.width <= list.x + list.width + 0.5, `the Closed tab ends inside the list column (${closed?.x}+${closed?.width} ≤ ${list?.x}+${list?.width})`);
    const overflow = await page.locator('.tabs').evaluate((el) => el.scrollWidth - el.clientWidth);
    t.ok(overflow <= 0, `the tabs do not scroll sideways (overflow ${overflow}px)`);
    await page.locator('[data-tab="closed"]').click();
    // Selecting a tab goes through the router: wait for it to settle before reading the state.
    await page.locator('[data-tab="closed"][aria-selected="true"]').waitFor({ timeout: 10_000 }).catch(() => undefined);
    t.equal(await page.locator('[data-tab="closed"]').getAttribute('aria-selected'), 'true', 'and it can be clicked');
  });

  t.test('"You:" only for my own messages; a colleague\'s message carries their name', async (t) => {
    const page = await inbox();
    await page.locator(`[data-conversation="${mine}"]`).waitFor();
    t.match(await page.locator(`[data-conversation="${mine}"] .conv-preview`).innerText(), /^You:\s*Yes, we do/, 'my reply: "You:"');
    const theirsPreview = await page.locator(`[data-conversation="${theirs}"] .conv-preview`).innerText();
    t.notMatch(theirsPreview, /You:/, 'a colleague\'s reply is not "You:"');
    t.match(theirsPreview, new RegExp(`^${colleagueName}:\\s*Checking with the courier`), 'it names the colleague');
  });

  t.test('the assignee select shows the real assignee after opening and after a reload', async (t) => {
    const page = await inbox();
    await page.locator(`[data-conversation="${theirs}"]`).click();
    await page.waitForURL(new RegExp(theirs));
    const select = page.locator('#assignee-select');
    await page.waitForFunction((name) => {
      const s = document.querySelector<HTMLSelectElement>('#assignee-select');
      return s?.selectedOptions[0]?.textContent?.trim() === name;
    }, colleagueName, { timeout: 10_000 }).catch(() => undefined);
    t.equal((await select.evaluate((s: HTMLSelectElement) => s.selectedOptions[0]?.textContent ?? '')).trim(), colleagueName, 'after opening');
    await page.reload();
    await page.getByTestId('conversation-status').waitFor();
    await page.waitForTimeout(1000); // the team list loads after the conversation
    t.equal((await select.evaluate((s: HTMLSelectElement) => s.selectedOptions[0]?.textContent ?? '')).trim(), colleagueName, 'after a reload');
  });

  t.test('Set pending from the conversation, and back to open', async (t) => {
    const page = await inbox();
    await page.locator(`[data-conversation="${mine}"]`).click();
    await page.getByRole('button', { name: 'Set pending' }).click();
    await page.getByTestId('conversation-status').filter({ hasText: 'Pending' }).waitFor();
    t.equal((await h.api('GET', `/api/v1/inbox/conversations/${mine}`)).body.status, 'pending', 'pending on the server');
    await page.getByRole('button', { name: 'Set open' }).click();
    await page.getByTestId('conversation-status').filter({ hasText: 'Open' }).waitFor();
    t.equal((await h.api('GET', `/api/v1/inbox/conversations/${mine}`)).body.status, 'open', 'open again');
  });

  t.test('an anonymous visitor has one friendly, stable name in the list and the header, in English and Spanish', async (t) => {
    const page = await inbox();
    const inList = await listName(page, theirs);
    t.match(inList, /^[A-Z][a-z]+ [A-Z][a-z]+$/, `a friendly name (${inList}), not "#…" or "Visitor"`);
    await page.locator(`[data-conversation="${theirs}"]`).click();
    await page.locator('.conv-header h2').waitFor();
    t.equal(await headerName(page), inList, 'the header says the same');
    await page.reload();
    await page.locator('.conv-header h2').waitFor();
    t.equal(await listName(page, theirs), inList, 'stable across reloads');

    await page.evaluate(() => localStorage.setItem('charla.locale', 'es'));
    await page.reload();
    await page.locator('.conv-header h2').waitFor();
    const es = await listName(page, theirs);
    t.not(es, inList, `a Spanish name (${es})`);
    t.equal(await headerName(page), es, 'list and header agree in Spanish too');
    t.notMatch(es, /Visitante|#/, 'not the generic word nor an id');
  });
}
