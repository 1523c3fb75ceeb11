/**
 * Issue 24: the widget on a phone (390×844, touch): the bubble on screen; the open
 * messenger fills the screen with its header, close button, messages, composer and send
 * button inside it, nothing scrolling sideways (long words and links wrap), the bubble
 * not over the composer; the offline form fits too; closing brings the bubble back.
 */
import t from 'tap';
import type { Page } from 'playwright-core';
import { withBrowser, hostPage, startWidgetWorld, waitFor } from './harness.js';

const PHONE = { width: 390, height: 844 };

await withBrowser(t, run);

async function run(): Promise<void> {
  const { signup, connectSocket } = await import('@charla/core/testing');
  const { server, host, browser } = await startWidgetWorld(t);
  const owner = await signup(server, 'PhoneShop');
  const req = async (method: string, path: string, body?: unknown) => {
    const r = await server.request(method, path, { token: owner.token, body });
    if (r.status >= 400) throw new Error(`${method} ${path} → ${r.status} ${r.text}`);
    return r.body;
  };
  const phonePage = async (t: { teardown(fn: () => unknown): void }, site: { snippet: string }, path: string) => {
    // A mobile site, with the viewport meta every responsive page has.
    const html = hostPage({ snippet: site.snippet.replace(/src="[^"]*\/widget\/loader\.js"/, `src="${server.url}/widget/loader.js"`) });
    host.pages.set(path, html.replace('</head>', '<meta name="viewport" content="width=device-width, initial-scale=1"></head>'));
    const context = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'en-US' });
    t.teardown(() => context.close());
    const page = await context.newPage();
    // tsx names the helpers inside `measure` with `__name(…)`: give the page one.
    await page.addInitScript('window.__name = (f) => f');
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${host.origin}${path}`);
    return { page, errors };
  };

  /** Boxes of the parts a visitor needs, and any sideways overflow inside the messenger. */
  const measure = (page: Page) =>
    page.evaluate(() => {
      const root = document.querySelector('charla-widget')!.shadowRoot!;
      const m = root.querySelector('charla-messenger')?.shadowRoot;
      const box = (el: Element | null | undefined) => {
        if (!el) return null;
        const r = el.getBoundingClientRect();
        return r.width && r.height ? { x: r.x, y: r.y, right: r.right, bottom: r.bottom, w: r.width, h: r.height } : null;
      };
      const overflowing = m ? [...m.querySelectorAll('*')].filter((el) => el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible' && getComputedStyle(el).textOverflow !== 'ellipsis').map((el) => el.className || el.tagName) : [];
      const wide = m ? [...m.querySelectorAll('*')].filter((el) => el.getBoundingClientRect().right > innerWidth + 1).map((el) => el.className || el.tagName) : [];
      return {
        launcher: box(root.querySelector('.launcher')),
        panel: box(root.querySelector('.panel')),
        header: box(m?.querySelector('header')),
        close: box(m?.querySelector('header button')),
        composer: box(m?.querySelector('textarea')),
        send: box(m?.querySelector('.send')),
        email: box(m?.querySelector('input[type=email]')),
        overflowing,
        wide,
        pageWidth: document.scrollingElement!.scrollWidth,
      };
    });
  const inside = (b: { x: number; y: number; right: number; bottom: number } | null) => !!b && b.x >= -0.5 && b.y >= -0.5 && b.right <= PHONE.width + 0.5 && b.bottom <= PHONE.height + 0.5;
  const overlap = (a: { x: number; y: number; right: number; bottom: number } | null, b: typeof a) => !!a && !!b && a.x < b.right && b.x < a.right && a.y < b.bottom && b.y < a.bottom;

  await t.test('online: the bubble, then a full-screen messenger where everything fits', async (t) => {
    const agent = await connectSocket(server.url, owner.token);
    t.teardown(() => agent.close());
    const site = await req('POST', '/api/v1/sites', { name: 'A shop with quite a long name for a phone header', domain: 'localhost' });
    const { page, errors } = await phonePage(t, site, '/phone');
    const launcher = page.getByRole('button', { name: 'Open chat', exact: true });
    await launcher.waitFor({ timeout: 15_000 });
    const closed = await measure(page);
    t.ok(inside(closed.launcher), 'the bubble is on screen');
    t.ok(closed.launcher!.w >= 44 && closed.launcher!.h >= 44, 'and big enough to tap (≥ 44 px)');

    await launcher.tap();
    const composer = page.getByRole('textbox', { name: 'Message', exact: true });
    await composer.waitFor();
    await composer.fill('Pneumonoultramicroscopicsilicovolcanoconiosis-and-more https://example.com/a/very/long/path/that/does/not/break/on/its/own?with=query&and=more');
    await composer.press('Enter');
    await page.getByText('Pneumonoultramicroscopic', { exact: false }).waitFor();
    const open = await measure(page);
    t.ok(open.panel && open.panel.w >= PHONE.width - 1 && open.panel.h >= PHONE.height - 1 && inside(open.panel), `the messenger fills the screen (${JSON.stringify(open.panel)})`);
    for (const part of ['header', 'close', 'composer', 'send'] as const) t.ok(inside(open[part]), `${part} on screen`);
    t.ok(open.composer!.w > 250, 'the composer is wide enough to write in');
    t.notOk(open.launcher && overlap(open.launcher, open.composer), 'the bubble is not over the composer');
    t.notOk(open.launcher && overlap(open.launcher, open.send), 'nor over the send button');
    t.same(open.overflowing, [], 'nothing scrolls sideways inside the messenger (long words and links wrap)');
    t.same(open.wide, [], 'nothing sticks out past the right edge');
    t.ok(open.pageWidth <= PHONE.width, 'the host page does not scroll sideways');

    // The bubble is hidden while the messenger fills the screen: the header's button closes it.
    t.notOk(open.launcher, 'the bubble is hidden while the messenger fills the screen');
    await page.getByRole('button', { name: 'Minimize chat', exact: true }).tap();
    await page.getByRole('button', { name: 'Open chat', exact: true }).waitFor();
    t.ok(inside((await measure(page)).launcher), 'closing brings the bubble back, on screen');
    t.same(errors, [], 'no page errors');
  });

  await t.test('offline: the leave-a-message form fits on a phone', async (t) => {
    const other = await signup(server, 'NobodyHome');
    const site = (await server.request('POST', '/api/v1/sites', { token: other.token, body: { name: 'Closed shop', domain: 'localhost' } })).body;
    const { page, errors } = await phonePage(t, site, '/phone-offline');
    await page.getByRole('button', { name: 'Open chat', exact: true }).tap();
    const m = await waitFor(async () => {
      const x = await measure(page);
      return x.email && x;
    }, 10_000, 'the e-mail form');
    t.ok(inside(m.email) && m.email!.w > 200, 'the e-mail field is on screen and wide');
    for (const part of ['header', 'composer', 'send'] as const) t.ok(inside(m[part]), `${part} on screen`);
    t.same(m.overflowing, [], 'nothing scrolls sideways');
    t.same(m.wide, [], 'nothing sticks out');
    t.same(errors, [], 'no page errors');
  });
}
