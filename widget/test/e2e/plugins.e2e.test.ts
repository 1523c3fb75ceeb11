/**
 * Plugins' widget contributions end to end: plugins with a widget module, loaded by the
 * real plugin loader, a host page of another origin with the snippet, headless Chromium.
 */
import t from 'tap';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { withBrowser, hostPage, HostSite, launchBrowser, newPage, waitFor } from './harness.js';
import { PROMO_TEXT, tracked } from './fixtures/promo-plugin.js';

await withBrowser(t, run);

async function run(): Promise<void> {
  const { startTestServer, signup } = await import('@charla/core/testing');
  const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
  const server = await startTestServer({
    listen: true,
    config: { plugins: ['conversations', fixture('promo-plugin.ts'), fixture('broken-setup-plugin.ts'), fixture('broken-load-plugin.ts')] },
  });
  const host = await new HostSite().listen();
  const browser: Browser = await launchBrowser();
  t.teardown(async () => {
    await browser.close();
    await host.close();
    await server.close();
  });
  const modules = server.app.charla.container.cradle.widgetContributions.list();
  const urlOf = (name: string) => `${server.url}${modules.find((m) => m.name === name)!.url}`;

  /** A fresh account with one site on localhost; `off` lists the plugins to turn off for it. */
  const accountWithSite = async (name: string, off: string[] = []) => {
    const owner = await signup(server, name);
    const req = async (method: string, path: string, body?: unknown) => {
      const r = await server.request(method, path, { token: owner.token, body });
      if (r.status >= 400) throw new Error(`${method} ${path} → ${r.status} ${r.text}`);
      return r.body;
    };
    for (const p of off) await req('PATCH', `/api/v1/plugins/${p}`, { enabled: false });
    const site = (await req('POST', '/api/v1/sites', { name, domain: 'localhost' })) as { id: string; appId: string; snippet: string };
    const path = `/${name.toLowerCase()}`;
    host.pages.set(path, hostPage({ snippet: site.snippet.replace(/src="[^"]*\/widget\/loader\.js"/, `src="${server.url}/widget/loader.js"`) }));
    return { owner, site, req, path };
  };
  /** A page that records requests, console warnings and page errors. */
  const open = async () => {
    const { context, page, errors } = await newPage(browser);
    const requests: string[] = [];
    const warnings: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
    return { context, page, errors, requests, warnings };
  };
  type InitBody = { visitor: { id: string }; plugins: Array<{ name: string }> };
  const initBody = (page: Page) => page.waitForResponse((r) => r.url().endsWith('/api/v1/widget/init')).then(async (r) => (await r.json()) as InitBody);
  const initPlugins = (page: Page) => initBody(page).then((b) => b.plugins.map((p) => p.name));
  const promoState = (page: Page) => page.evaluate(() => (window as unknown as { __promo?: { events: string[]; messages: string[]; cleaned: boolean; data: Record<string, unknown> } }).__promo);

  await t.test('a plugin on for the account: its notice shows data as text, its action tracks and opens the messenger', async (t) => {
    const { owner, site, req, path } = await accountWithSite('Promo');
    const { context, page, errors, requests, warnings } = await open();
    t.teardown(() => context.close());
    const init = initBody(page);
    await page.goto(`${host.origin}${path}`);
    const { visitor, plugins } = await init;
    t.same(plugins.map((p) => p.name), ['promo', 'broken-setup', 'broken-load'], 'init lists the modules of the plugins on for the account');

    const note = page.getByRole('note');
    await note.waitFor({ state: 'visible', timeout: 15_000 });
    t.ok(requests.includes(urlOf('promo')), 'the module was imported from its hashed URL on the Charla server');
    t.equal(await note.locator('p').textContent(), PROMO_TEXT, 'the HTML in data is shown as text');
    t.equal(await note.locator('img, b').count(), 0, 'no element was made from it');
    t.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined, 'nothing in it ran');
    const state = await promoState(page);
    t.match(state, { data: { text: PROMO_TEXT, visitorId: visitor.id }, events: ['ready'] }, 'the module got this visitor\'s data and the ready event');
    const cardBox = await note.boundingBox();
    const bubbleBox = await page.getByRole('button', { name: 'Open chat', exact: true }).boundingBox();
    t.ok(cardBox && bubbleBox && cardBox.y + cardBox.height <= bubbleBox.y, 'the card sits above the bubble');
    t.ok(await page.getByRole('button', { name: 'Dismiss', exact: true }).isVisible(), 'the card can be dismissed (a named button)');

    const trackCall = page.waitForResponse((r) => r.url().endsWith('/api/v1/widget/track'));
    await note.getByRole('button', { name: 'Chat now', exact: true }).click();
    t.equal((await trackCall).status(), 202, 'the action tracked an event');
    const event = await waitFor(() => tracked.find((e) => e.accountId === owner.accountId), 10_000, 'the tracked event on the server');
    t.match(event, { name: 'promo.cta-clicked', properties: { from: 'notice' }, siteId: site.id }, 'the event reached the server (event.tracked)');
    const textbox = page.getByRole('textbox', { name: 'Message', exact: true });
    await textbox.waitFor({ state: 'visible' });
    t.pass('open() opened the messenger');
    t.equal(await note.count(), 0, 'the card went away after its action');
    t.match((await promoState(page))?.events, ['ready', 'open'], 'the module heard open');

    // The widget works as usual, and the module hears the messages.
    await textbox.fill('about that discount');
    await textbox.press('Enter');
    const conv = await waitFor(async () => ((await req('GET', `/api/v1/inbox/conversations?siteId=${site.id}`)).conversations as Array<{ id: string }>)[0], 10_000, 'the conversation in the inbox');
    await req('POST', `/api/v1/inbox/conversations/${conv.id}/messages`, { content: 'It is yours!', clientId: 'agent-promo-1' });
    await page.getByText('It is yours!').waitFor({ timeout: 10_000 });
    await waitFor(async () => (await promoState(page))?.messages.includes('agent:It is yours!'), 5000, 'the message event');
    t.same((await promoState(page))?.messages, ['visitor:about that discount', 'agent:It is yours!'], 'message events: sent and received, once each');

    // A notice shown while the window is open waits for it to close; its close button dismisses it.
    await page.evaluate(() => (window as unknown as { __promo: { again(): void } }).__promo.again());
    const anyNote = page.getByRole('note', { includeHidden: true });
    await anyNote.waitFor({ state: 'attached' });
    t.notOk(await anyNote.isVisible(), 'hidden while the window is open');
    await page.keyboard.press('Escape');
    await note.waitFor({ state: 'visible' });
    t.equal(await note.locator('p').textContent(), 'Free shipping too', 'shown once the window closed');
    t.equal(await note.getByRole('button').count(), 1, 'no action label: only the close button');
    await note.getByRole('button', { name: 'Dismiss', exact: true }).click();
    t.equal(await note.count(), 0, 'dismissed');
    t.equal(await page.evaluate(() => (window as unknown as { __promo: { dismissed: boolean } }).__promo.dismissed), true, 'onDismiss was called');

    t.equal(warnings.filter((w) => w.includes('"broken-setup"')).length, 1, 'the module that throws: one warning (its throwing listener adds none)');
    t.equal(warnings.filter((w) => w.includes('"broken-load"')).length, 1, 'the module that does not parse: one warning');
    t.same(errors, [], 'no page errors');

    await page.evaluate(() => (window as unknown as { Charla: (c: string) => void }).Charla('shutdown'));
    t.equal((await promoState(page))?.cleaned, true, 'shutdown called the cleanup the module returned');
    t.equal(await page.evaluate(() => document.querySelectorAll('[data-charla]').length), 0, 'and the widget is gone');
  });

  await t.test('modules that throw or fail to load leave the widget working', async (t) => {
    const { site, req, path } = await accountWithSite('Broken', ['promo']);
    const { context, page, errors, warnings } = await open();
    t.teardown(() => context.close());
    const listed = initPlugins(page);
    await page.goto(`${host.origin}${path}`);
    t.same(await listed, ['broken-setup', 'broken-load']);
    await waitFor(() => warnings.length >= 2, 10_000, 'the two warnings');
    t.equal(await page.getByRole('note').count(), 0, 'the notice of the module that threw afterwards was removed');
    await page.getByRole('button', { name: 'Open chat', exact: true }).click();
    const textbox = page.getByRole('textbox', { name: 'Message', exact: true });
    await textbox.fill('still works?');
    await textbox.press('Enter');
    await waitFor(async () => ((await req('GET', `/api/v1/inbox/conversations?siteId=${site.id}`)).conversations as unknown[]).length === 1, 10_000, 'the message in the inbox');
    t.pass('the visitor can chat');
    t.equal(warnings.filter((w) => w.includes('[charla] widget plugin')).length, 2, 'one warning per failing module, even after open');
    t.same(errors, [], 'no page errors');
  });

  await t.test('a plugin turned off for the account: its module is never requested', async (t) => {
    const { path } = await accountWithSite('Off', ['promo']);
    const { context, page, requests } = await open();
    t.teardown(() => context.close());
    const listed = initPlugins(page);
    await page.goto(`${host.origin}${path}`);
    t.notOk((await listed).includes('promo'), 'not listed by init');
    await page.getByRole('button', { name: 'Open chat', exact: true }).waitFor();
    await waitFor(() => requests.some((u) => u === urlOf('broken-load')), 10_000, 'the modules of the plugins still on');
    await new Promise((r) => setTimeout(r, 500));
    t.notOk(requests.some((u) => u.includes('/widget/plugins/promo/')), 'promo\'s module was never requested');
    t.equal(await page.getByRole('note').count(), 0, 'no notice');

    // No plugin with a widget module on: not even the plugin host chunk is loaded.
    const none = await accountWithSite('None', ['promo', 'broken-setup', 'broken-load']);
    const second = await open();
    t.teardown(() => second.context.close());
    const nothing = initPlugins(second.page);
    await second.page.goto(`${host.origin}${none.path}`);
    t.same(await nothing, []);
    await second.page.getByRole('button', { name: 'Open chat', exact: true }).waitFor();
    await new Promise((r) => setTimeout(r, 500));
    t.notOk(second.requests.some((u) => u.includes('/widget/plugins/') || u.includes('/widget/plugin-host.')), 'no plugin module and no plugin host chunk requested');
  });
}
