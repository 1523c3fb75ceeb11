/**
 * Issue 24, SDK defects, through the Charla API and the Intercom layer alike:
 *  - `showNewMessage(text)` opens the messenger with `text` in the composer;
 *  - `unreadCountChange` fires once per change (it fired twice: on boot with unread
 *    messages, once from the widget and once from the SDK).
 */
import t from 'tap';
import type { Page } from 'playwright-core';
import { withBrowser, hostPage, newPage, startWidgetWorld, waitFor } from './harness.js';

await withBrowser(t, run);

async function run(): Promise<void> {
  const { signup } = await import('@charla/core/testing');
  const { server, host, browser } = await startWidgetWorld(t);
  const owner = await signup(server, 'SdkShop');
  const req = async (method: string, path: string, body?: unknown) => {
    const r = await server.request(method, path, { token: owner.token, body });
    if (r.status >= 400) throw new Error(`${method} ${path} → ${r.status} ${r.text}`);
    return r.body;
  };
  const newSite = async (name: string) => (await req('POST', '/api/v1/sites', { name, domain: 'localhost' })) as { id: string; appId: string; snippet: string };
  const charlaSnippet = (site: { snippet: string }) => site.snippet.replace(/src="[^"]*\/widget\/loader\.js"/, `src="${server.url}/widget/loader.js"`);
  const intercomSnippet = `<script>(function(w){if(typeof w.Intercom==='function')return;var i=function(){i.q.push(arguments)};i.q=[];w.Intercom=i})(window);</script>
<script src="${server.url}/widget/loader.js" data-intercom async></script>`;

  const composer = (page: Page) => page.getByRole('textbox', { name: 'Message', exact: true });
  const log = (page: Page) => page.evaluate(() => (window as unknown as { __unread: number[] }).__unread.slice());
  const agentSays = async (siteId: string, content: string) => {
    const conv = await waitFor(async () => ((await req('GET', `/api/v1/inbox/conversations?siteId=${siteId}`)).conversations as Array<{ id: string }>)[0], 10_000, 'the conversation');
    await req('POST', `/api/v1/inbox/conversations/${conv.id}/messages`, { content, clientId: `agent-${Math.random()}` });
  };

  const flavours = [
    {
      name: 'Charla API',
      page: (site: { appId: string; snippet: string }) =>
        hostPage({
          before: 'window.__unread = [];',
          snippet: charlaSnippet(site),
          after: "Charla('on', 'unreadCountChange', function (n) { __unread.push(n); });",
        }),
      showNewMessage: (page: Page, text: string) => page.evaluate((x) => void (window as unknown as { Charla(c: string, a: string): unknown }).Charla('showNewMessage', x), text),
    },
    {
      name: 'Intercom layer',
      page: (site: { appId: string }) =>
        hostPage({
          before: `window.__unread = []; window.intercomSettings = { app_id: ${JSON.stringify(site.appId)} };`,
          snippet: intercomSnippet,
          after: "Intercom('onUnreadCountChange', function (n) { __unread.push(n); });",
        }),
      showNewMessage: (page: Page, text: string) => page.evaluate((x) => void (window as unknown as { Intercom(c: string, a: string): unknown }).Intercom('showNewMessage', x), text),
    },
  ];

  for (const f of flavours) {
    await t.test(`${f.name}: showNewMessage(text) opens the messenger with the text in the composer`, async (t) => {
      const site = await newSite(`Prefill ${f.name}`);
      const path = `/prefill-${f.name.replace(/\W/g, '')}`;
      host.pages.set(path, f.page(site));
      const { context, page, errors } = await newPage(browser);
      t.teardown(() => context.close());
      await page.goto(`${host.origin}${path}`);
      await page.getByRole('button', { name: 'Open chat', exact: true }).waitFor({ timeout: 15_000 });
      await f.showNewMessage(page, 'I want to upgrade to Pro');
      await composer(page).waitFor();
      await waitFor(async () => (await composer(page).inputValue()) === 'I want to upgrade to Pro', 5000, 'the pre-filled composer');
      t.pass('the composer holds the text');
      t.ok(await page.getByRole('button', { name: 'Send', exact: true }).isEnabled(), 'and Send is enabled: the text is a draft, not a placeholder');
      await composer(page).press('Enter');
      await page.getByText('I want to upgrade to Pro').waitFor();
      t.equal(await composer(page).inputValue(), '', 'sent as the visitor\'s message');
      t.same(errors, [], 'no page errors');
    });

    await t.test(`${f.name}: unreadCountChange fires once per change, on live messages and on boot`, async (t) => {
      const site = await newSite(`Unread ${f.name}`);
      const path = `/unread-${f.name.replace(/\W/g, '')}`;
      host.pages.set(path, f.page(site));
      const { context, page, errors } = await newPage(browser);
      t.teardown(() => context.close());
      await page.goto(`${host.origin}${path}`);
      await page.getByRole('button', { name: 'Open chat', exact: true }).click();
      await composer(page).fill('Hello?');
      await composer(page).press('Enter');
      await page.getByText('Hello?').waitFor();
      await page.keyboard.press('Escape');
      await page.getByRole('button', { name: 'Open chat', exact: true }).waitFor();

      await agentSays(site.id, 'First reply');
      await waitFor(async () => (await log(page)).includes(1), 10_000, 'unread 1');
      await agentSays(site.id, 'Second reply');
      await waitFor(async () => (await log(page)).includes(2), 10_000, 'unread 2');
      t.same(await log(page), [1, 2], 'one event per new message');

      await page.reload();
      await waitFor(async () => (await log(page)).length > 0, 15_000, 'the count on boot');
      await page.getByRole('button', { name: /Open chat/ }).click();
      await waitFor(async () => (await log(page)).includes(0), 10_000, 'unread 0 once read');
      t.same(await log(page), [2, 0], 'on boot the stored count once, then 0 once read');
      t.same(errors, [], 'no page errors');
    });
  }
}
