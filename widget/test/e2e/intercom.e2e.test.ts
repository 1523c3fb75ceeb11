/**
 * Issue 24: migrate from Intercom by changing one line. A page written for Intercom —
 * `window.intercomSettings`, `Intercom('boot' | 'update' | 'show' | 'hide' | 'trackEvent' |
 * 'onShow' | 'onHide' | 'onUnreadCountChange' | 'getVisitorId' | 'shutdown')` — runs on
 * Charla with the loader tag carrying `data-intercom`, and never calls Charla itself.
 */
import t from 'tap';
import { withBrowser, hostPage, newPage, startWidgetWorld, waitFor } from './harness.js';

await withBrowser(t, run);

async function run(): Promise<void> {
  const { signup } = await import('@charla/core/testing');
  const { server, host, browser } = await startWidgetWorld(t);
  const owner = await signup(server, 'Migrating');
  const site = (await server.request('POST', '/api/v1/sites', { token: owner.token, body: { name: 'Ex-Intercom shop', domain: 'localhost' } })).body as { id: string; appId: string };
  const tracked: Array<{ name: string; properties?: unknown }> = [];

  await t.test('a page that only speaks Intercom', async (t) => {
    // The page as it was for Intercom, with Intercom's script line replaced by Charla's loader.
    const before = `
      window.intercomSettings = { app_id: ${JSON.stringify(site.appId)}, user_id: 'cust-7', email: 'lena@example.com', name: 'Lena', plan: 'pro', seats: 12, company: { id: 1 } };
      window.__log = [];`;
    const after = `
      Intercom('onShow', function () { __log.push('show'); });
      Intercom('onHide', function () { __log.push('hide'); });
      Intercom('onUnreadCountChange', function (n) { __log.push('unread:' + n); });
      Intercom('trackEvent', 'viewed-pricing', { plan: 'pro' });`;
    // The Intercom-mode snippet of docs/widget.md: a queue for Intercom(...) calls, then the async loader.
    const snippet = `<script>(function(w){if(typeof w.Intercom==='function')return;var i=function(){i.q.push(arguments)};i.q=[];w.Intercom=i})(window);</script>
<script src="${server.url}/widget/loader.js" data-intercom async></script>`;
    host.pages.set('/intercom', hostPage({ snippet, before, after }));
    const { context, page, errors } = await newPage(browser);
    t.teardown(() => context.close());
    page.on('request', (r) => {
      if (r.url().endsWith('/api/v1/widget/track')) tracked.push(JSON.parse(r.postData() ?? '{}'));
    });
    await page.goto(`${host.origin}/intercom`);
    await page.getByRole('button', { name: 'Open chat', exact: true }).waitFor({ timeout: 15_000 });
    t.pass('intercomSettings booted the widget (no Charla call, no data-app-id)');

    const visitorId = await waitFor(() => page.evaluate(() => (window as unknown as { Intercom(c: string): string | undefined }).Intercom('getVisitorId')), 10_000, 'getVisitorId');
    t.match(visitorId, /^[0-9a-f-]{36}$/, 'getVisitorId gives the Charla visitor id');
    const visitor = await waitFor(async () => {
      const v = (await server.request('GET', `/api/v1/inbox/visitors/${visitorId}`, { token: owner.token })).body;
      return v?.email === 'lena@example.com' && v;
    }, 10_000, 'the identified visitor');
    t.match(visitor, { email: 'lena@example.com', name: 'Lena', externalId: 'cust-7' }, 'user_id / email / name → identify');
    t.match(visitor.attributes, { plan: 'pro', seats: 12 }, 'other keys → attributes');
    t.notOk('app_id' in visitor.attributes || 'company' in visitor.attributes, 'not app_id, nor objects');
    await waitFor(() => tracked.some((e) => e.name === 'viewed-pricing'), 10_000, 'the tracked event');
    t.same(tracked.find((e) => e.name === 'viewed-pricing')?.properties, { plan: 'pro' }, "trackEvent → track");

    await page.evaluate(() => (window as unknown as { Intercom(c: string, ...a: unknown[]): void }).Intercom('update', { plan: 'enterprise' }));
    await waitFor(async () => (await server.request('GET', `/api/v1/inbox/visitors/${visitorId}`, { token: owner.token })).body?.attributes?.plan === 'enterprise', 20_000, 'update'); // an identify round trip; generous for a loaded CI machine
    t.pass('update → attributes');

    await page.evaluate(() => (window as unknown as { Intercom(c: string): void }).Intercom('show'));
    await page.getByRole('textbox', { name: 'Message', exact: true }).waitFor();
    await page.evaluate(() => (window as unknown as { Intercom(c: string): void }).Intercom('hide'));
    await page.getByRole('button', { name: 'Open chat', exact: true }).waitFor();
    t.same(await page.evaluate(() => (window as unknown as { __log: string[] }).__log.filter((x) => !x.startsWith('unread'))), ['show', 'hide'], 'show / hide and onShow / onHide');

    await page.evaluate(() => (window as unknown as { Intercom(c: string): void }).Intercom('shutdown'));
    await waitFor(async () => (await page.locator('charla-widget').count()) === 0, 5000, 'shutdown');
    t.pass('shutdown removes the widget');
    t.same(errors, [], 'no page errors');
  });

  await t.test('Intercom("boot", …) called by the page (no intercomSettings), queued before the loader runs', async (t) => {
    const after = `Intercom('boot', { app_id: ${JSON.stringify(site.appId)}, email: 'max@example.com' }); Intercom('show');`;
    const snippet = `<script src="${server.url}/widget/loader.js" data-intercom></script>`;
    host.pages.set('/intercom-boot', hostPage({ snippet, after }));
    const { context, page, errors } = await newPage(browser);
    t.teardown(() => context.close());
    await page.goto(`${host.origin}/intercom-boot`);
    await page.getByRole('textbox', { name: 'Message', exact: true }).waitFor({ timeout: 15_000 });
    t.pass('boot then show, both queued, open the messenger');
    t.same(errors, [], 'no page errors');
  });
}
