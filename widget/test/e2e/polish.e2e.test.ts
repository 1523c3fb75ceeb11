/**
 * Issue 24, the widget as a person sees it: a system font (not Times New Roman 16 px),
 * themable; a broken logo falls back to the initial; a failed SDK call is a rejected
 * promise only, never an uncaught page error.
 */
import t from 'tap';
import type { Page } from 'playwright-core';
import { withBrowser, openMessenger, startWidgetWorld } from './harness.js';

await withBrowser(t, run);

async function run(): Promise<void> {
  const { signup } = await import('@charla/core/testing');
  const { server, host, browser } = await startWidgetWorld(t);
  const owner = await signup(server, 'Polish');
  const newSite = async (name: string, patch?: Record<string, unknown>) => {
    const site = (await server.request('POST', '/api/v1/sites', { token: owner.token, body: { name, domain: 'localhost' } })).body;
    if (patch) {
      const r = await server.request('PATCH', `/api/v1/sites/${site.id}`, { token: owner.token, body: patch });
      if (r.status !== 200) throw new Error(`PATCH site → ${r.status} ${r.text}`);
    }
    return site as { id: string; snippet: string };
  };
  const show = (site: { snippet: string }, path: string, css = '') => openMessenger(t, browser, host, server.url, site, path, css && `<style>${css}</style>`);

  /** Computed font of the messenger's header title and of the launcher's unread badge host. */
  const fonts = (page: Page) =>
    page.evaluate(() => {
      const widget = document.querySelector('charla-widget')!;
      const messenger = widget.shadowRoot!.querySelector('charla-messenger')!;
      const title = messenger.shadowRoot!.querySelector('h2')!;
      // (no local named functions here: the test runner's transform would reference a helper the page lacks)
      const [host, inner, head] = [widget, messenger, title].map((el) => ({ family: getComputedStyle(el).fontFamily, size: getComputedStyle(el).fontSize, color: getComputedStyle(el).color }));
      return { host, messenger: inner, title: head };
    });

  await t.test('a system font stack at 14 px despite the reset and a hostile page, themable with --charla-font', async (t) => {
    const site = await newSite('Fonts', { widget: { textColor: '#0f172a' } });
    const { page, errors } = await show(site, '/fonts');
    const f = await fonts(page);
    t.match(f.messenger.family, /system-ui/, `messenger font is the system stack (${f.messenger.family})`);
    t.notMatch(f.messenger.family, /Times|Comic/i, 'neither the browser default nor the page font');
    t.equal(f.messenger.size, '14px', 'body text is 14 px, not 16 px');
    t.match(f.host.family, /system-ui/, 'the launcher host too');
    t.equal(f.messenger.color, 'rgb(15, 23, 42)', 'the site text colour survives the reset');
    t.same(errors, [], 'no page errors');

    const themed = await show(site, '/fonts-themed', 'charla-widget { --charla-font: Georgia, serif; }');
    t.match((await fonts(themed.page)).messenger.family, /^Georgia, serif$/, 'the host page sets the font through --charla-font');
  });

  await t.test('a broken logo URL shows the initial, not a broken image', async (t) => {
    const site = await newSite('Broken logo', { widget: { logoUrl: `https://127.0.0.1:1/missing.png` } });
    const { page, errors } = await show(site, '/logo');
    const header = () =>
      page.evaluate(() => {
        const root = document.querySelector('charla-widget')!.shadowRoot!.querySelector('charla-messenger')!.shadowRoot!;
        return { img: root.querySelectorAll('header img').length, initial: root.querySelector('header .placeholder')?.textContent ?? null };
      });
    await page.waitForFunction(() => {
      const root = document.querySelector('charla-widget')?.shadowRoot?.querySelector('charla-messenger')?.shadowRoot;
      return !!root?.querySelector('header .placeholder');
    }, undefined, { timeout: 10_000 });
    t.same(await header(), { img: 0, initial: 'B' }, 'the initial of the site name');
    t.same(errors, [], 'no page errors');
  });

  await t.test('a failed SDK call inside try/catch is a rejected promise only: no uncaught page error', async (t) => {
    const site = await newSite('Verified', { identityVerification: { required: true } });
    const { page, errors } = await show(site, '/verified');
    const outcome = await page.evaluate(async () => {
      const C = (window as unknown as { Charla: { identify(u: unknown): Promise<unknown>; track(n: string): Promise<unknown> } }).Charla;
      const got: Array<number | string | undefined> = [];
      try {
        await C.identify({ email: 'boss@example.com' }); // no userHash on a site that requires it
        got.push('resolved');
      } catch (e) {
        got.push((e as { status?: number }).status);
      }
      try {
        await C.identify({ externalId: 'u-1', userHash: 'f'.repeat(64) });
        got.push('resolved');
      } catch (e) {
        got.push((e as { status?: number }).status);
      }
      await new Promise((r) => setTimeout(r, 500)); // let any stray rejection surface
      return got;
    });
    t.same(outcome, [401, 401], 'both calls rejected with the 401 problem');
    await page.waitForTimeout(300);
    t.same(errors, [], 'no uncaught page error');
  });
}
