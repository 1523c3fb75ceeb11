/**
 * The widget points of WidgetPluginApi end to end (docs/plugins.md "Widget
 * contributions"): lazy and eager loading, a messenger tab (`api.panel`), the composer
 * hook and suggestions, page events and time on page, and `api.request` to the plugin's
 * own widget routes — a host page of another origin, headless Chromium, the real server.
 */
import t from 'tap';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { withBrowser, hostPage, HostSite, launchBrowser, newPage, waitFor } from './harness.js';
import { seen } from './fixtures/helpdesk-plugin.js';

await withBrowser(t, run);

interface HelpdeskState {
  pages: Array<{ url: string; title: string; referrer: string; since: number }>;
  composed: string[];
  renders: number;
  selected: string[];
}

async function run(): Promise<void> {
  const { startTestServer, signup } = await import('@charla/core/testing');
  const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
  const server = await startTestServer({ listen: true, config: { plugins: ['conversations', fixture('helpdesk-plugin.ts'), fixture('promo-plugin.ts')] } });
  const host = await new HostSite().listen();
  const browser: Browser = await launchBrowser();
  t.teardown(async () => {
    await browser.close();
    await host.close();
    await server.close();
  });
  const modules = server.app.charla.container.cradle.widgetContributions.list();
  const urlOf = (name: string) => `${server.url}${modules.find((m) => m.name === name)!.url}`;
  const owner = await signup(server, 'Points');
  const site = (await server.request('POST', '/api/v1/sites', { token: owner.token, body: { name: 'Points', domain: 'localhost' } })).body as { snippet: string };
  const snippet = site.snippet.replace(/src="[^"]*\/widget\/loader\.js"/, `src="${server.url}/widget/loader.js"`);
  host.pages.set('*', hostPage({ snippet, title: 'Shop home' }));
  const state = (page: Page) => page.evaluate(() => (window as unknown as { __helpdesk?: HelpdeskState }).__helpdesk);

  await t.test('lazy by default, eager when declared; tabs, suggestions, page events and request()', async (t) => {
    const { context, page, errors } = await newPage(browser);
    t.teardown(() => context.close());
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    const init = page.waitForResponse((r) => r.url().endsWith('/api/v1/widget/init')).then((r) => r.json() as Promise<{ plugins: Array<{ name: string; eager: boolean }> }>);
    await page.goto(`${host.origin}/shop`);
    t.same((await init).plugins.map((p) => [p.name, p.eager]), [['helpdesk', false], ['promo', true]], 'init lists eager per plugin');
    await page.getByRole('note').waitFor({ timeout: 15_000 });
    t.ok(requests.includes(urlOf('promo')), 'the eager module loaded before any interaction');
    await page.waitForTimeout(300);
    t.notOk(requests.includes(urlOf('helpdesk')), 'the lazy one did not');
    t.notOk(requests.some((u) => u.includes('/widget/plugin-ui.')), 'nor the panels chunk (promo only shows a notice)');

    const sinceBefore = Date.now();
    await page.getByRole('button', { name: 'Open chat', exact: true }).click();
    await waitFor(() => requests.includes(urlOf('helpdesk')), 10_000, 'the lazy module on open');
    const tabs = page.getByRole('tablist');
    await tabs.waitFor();
    const chatTab = page.getByRole('tab', { name: 'Conversation', exact: true });
    const helpTab = page.getByRole('tab', { name: 'Help', exact: true });
    t.equal(await chatTab.getAttribute('aria-selected'), 'true', 'the conversation is the selected tab');
    t.equal(await helpTab.getAttribute('aria-selected'), 'false');
    const first = await waitFor(async () => (await state(page))?.pages[0], 5000, 'the first page event');
    t.match(first, { url: `${host.origin}/shop`, title: 'Shop home', referrer: '' }, 'a module loaded late gets the current page at once');
    t.ok(first.since >= Date.now() - sinceBefore - 50 || first.since > 0, 'with the time already spent on it');

    // The tab: click, keyboard, its pane keeps what the visitor typed (stable keys).
    await helpTab.click();
    const search = page.getByRole('textbox', { name: 'Search help', exact: true });
    await search.waitFor();
    t.equal(await page.getByRole('tabpanel').locator('.out').textContent(), 'showing home', 'render(container) drew the pane');
    t.notOk(await page.getByRole('textbox', { name: 'Message', exact: true }).isVisible(), 'the conversation is hidden meanwhile');
    await search.fill('kept');
    await helpTab.focus();
    await page.keyboard.press('ArrowLeft');
    const isSelected = (tab: typeof chatTab) => waitFor(async () => (await tab.getAttribute('aria-selected')) === 'true', 3000, 'the tab selected').then(() => true, () => false);
    t.ok(await isSelected(chatTab), 'ArrowLeft selects the conversation');
    t.ok(await chatTab.evaluate((e) => e.getRootNode() instanceof ShadowRoot && (e.getRootNode() as ShadowRoot).activeElement === e), 'and moves focus to its tab');
    t.equal(await chatTab.getAttribute('tabindex'), '0', 'roving tabindex');
    t.equal(await helpTab.getAttribute('tabindex'), '-1');
    await page.keyboard.press('End');
    t.ok(await isSelected(helpTab), 'End selects the last tab');
    t.equal(await search.inputValue(), 'kept', 'the pane was kept, not rebuilt');
    const renders = (await state(page))!.renders;
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Open chat', exact: true }).click();
    await waitFor(async () => (await state(page))!.renders > renders, 5000, 'a render on reopen');
    t.pass('reopening on the tab draws it again');

    // The composer hook: debounced, suggestions as text, cleared when the text empties.
    await chatTab.click();
    const box = page.getByRole('textbox', { name: 'Message', exact: true });
    await box.pressSequentially('refund', { delay: 30 });
    const list = page.getByRole('list', { name: 'Suggestions', exact: true });
    await list.waitFor();
    t.same((await state(page))!.composed, ['refund'], 'onCompose got the text once, after the typing paused');
    const items = list.getByRole('button');
    t.equal(await items.count(), 2);
    t.equal(await items.first().locator('.s-title').textContent(), '<img src=x onerror="window.__xss=1">About refund', 'titles are text');
    t.equal(await items.first().locator('.s-desc').textContent(), 'desc <b>bold</b>');
    t.equal(await list.locator('img, b').count(), 0, 'no element made from them');
    await box.fill('');
    await list.waitFor({ state: 'detached' });
    t.equal((await state(page))!.composed.at(-1), '', 'emptied: onCompose(\'\') and the suggestions are gone');
    await box.pressSequentially('where', { delay: 20 });
    await list.waitFor();
    await list.getByRole('button', { name: /About where/ }).click();
    await waitFor(async () => (await helpTab.getAttribute('aria-selected')) === 'true', 5000, 'the Help tab');
    t.equal(await page.getByRole('tabpanel').locator('.out').textContent(), 'showing a', 'onSelect opened the panel on its content (panel.show)');
    t.equal(await list.count(), 0, 'choosing one cleared them');
    await chatTab.click();
    await box.pressSequentially('thanks', { delay: 20 });
    await list.waitFor();
    await box.press('Enter');
    await list.waitFor({ state: 'detached' });
    t.pass('sending the message cleared them');

    // SPA navigation: a page event with the previous URL as referrer; time on page restarts.
    await page.evaluate(() => history.pushState({}, '', '/shop/shoes'));
    const nav = await waitFor(async () => (await state(page))!.pages.find((p) => p.url.endsWith('/shop/shoes')), 5000, 'the page event of the navigation');
    t.match(nav, { referrer: `${host.origin}/shop` }, 'referrer: the page before');
    t.ok(nav.since >= 0 && nav.since < 1000, 'since: just arrived');
    const onPage = await page.evaluate(() => (window as unknown as { __helpdesk: { timeOnPage(): number } }).__helpdesk.timeOnPage());
    t.ok(onPage >= 0 && onPage < 5000, 'timeOnPage() counts from the navigation');

    // request(): the plugin's own routes, as the visitor, JSON both ways, problems reject.
    const call = (...args: unknown[]) => page.evaluate((a) => (window as unknown as { __helpdesk: { request(...x: unknown[]): Promise<unknown> } }).__helpdesk.request(...a), args);
    t.same(await call('GET', '/helpdesk/echo?q=hola'), { q: 'hola', answer: '<b>hola</b>' }, 'GET with a query');
    t.ok(seen.some((s) => s.q === 'hola' && s.visitorId), 'the route saw the visitor (its widget token)');
    t.same(await call('PATCH', '/helpdesk/note', { text: 'hi' }), { saved: 'hi' }, 'PATCH with a JSON body, cross-origin (core\'s preflight)');
    t.match(await call('GET', '/helpdesk/echo'), { rejected: { name: 'ProblemError', status: 400 } }, 'a 400 problem rejects with the problem');
    t.match(await call('PATCH', '/helpdesk/note', { text: 'x'.repeat(21) }), { rejected: { name: 'ProblemError', status: 400, detail: /text/ } }, 'a body the route refuses: 400, its detail');
    for (const bad of ['/../auth/me', '/%2e%2e/auth/me', 'helpdesk/echo', 'https://evil.example/x']) {
      t.match(await call('GET', bad), { rejected: { name: 'TypeError' } }, `${bad}: refused before any request`);
    }
    t.notOk(requests.some((u) => u.includes('/api/v1/auth/')), 'nothing left /api/v1/widget/');

    // Realtime: the plugin's own events on the conversation's channel, for visitors; status lines.
    type Live = { pings: unknown[]; conversations: Array<string | null>; conversation(): string | null };
    const live = () => page.evaluate(() => { const h = (window as unknown as { __helpdesk: Live }).__helpdesk; return { pings: h.pings, conversations: h.conversations, current: h.conversation() }; });
    const { current, conversations } = await live();
    t.ok(current, 'api.conversation(): the conversation the visitor just wrote in');
    t.same(conversations, [current], 'the conversation event told the module once');
    t.equal(await page.locator('charla-messenger').evaluate((e) => e.shadowRoot!.querySelector('.status-line')?.textContent), `Helpdesk follows ${current!.slice(0, 4)}`, 'api.status: a text line under the header');
    await call('POST', `/helpdesk/ping/${current}`);
    await waitFor(async () => (await live()).pings.length > 0, 5000, 'the ping');
    await page.waitForTimeout(300);
    t.same((await live()).pings, [{ n: 2 }], 'subscribe(\'ping\'): its own event for visitors only — not another plugin\'s, not the agents\'');

    t.same(errors, [], 'no page errors');
    t.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined, 'nothing ran');
  });

  await t.test('Spanish: the tabs are labelled in the widget\'s language', async (t) => {
    const { context, page } = await newPage(browser, 'es-ES');
    t.teardown(() => context.close());
    await page.goto(`${host.origin}/tienda`);
    await page.getByRole('button', { name: 'Abrir chat', exact: true }).click();
    await page.getByRole('tab', { name: 'Ayuda', exact: true }).waitFor({ timeout: 10_000 });
    t.ok(await page.getByRole('tab', { name: 'Conversación', exact: true }).isVisible(), 'Conversación / Ayuda');
    await page.evaluate(() => (window as unknown as { __helpdesk: { removePanel(): void } }).__helpdesk.removePanel());
    await page.getByRole('tablist').waitFor({ state: 'detached' });
    t.ok(await page.getByRole('textbox', { name: 'Mensaje', exact: true }).isVisible(), 'panel removed: no tabs, the conversation as before');
  });
}
