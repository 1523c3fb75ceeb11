/**
 * Issue 21, branding per plan: "Powered by Charla" shows in the messenger unless the
 * account's plan (here: an operator's override) grants removeBranding (billing plugin).
 */
import t from 'tap';
import { withBrowser, openMessenger, startWidgetWorld } from './harness.js';

await withBrowser(t, run);

async function run(): Promise<void> {
  const { signup } = await import('@charla/core/testing');
  const { server, host, browser } = await startWidgetWorld(t);
  const brand = (page: import('playwright-core').Page) =>
    page.evaluate(() => {
      const root = document.querySelector('charla-widget')!.shadowRoot!.querySelector('charla-messenger')!.shadowRoot!;
      const a = root.querySelector('.brand a');
      return a ? { text: a.textContent, href: a.getAttribute('href') } : null;
    });

  await t.test('shown by default, removed on a plan that allows it', async (t) => {
    const owner = await signup(server, 'Branded');
    const site = (await server.request('POST', '/api/v1/sites', { token: owner.token, body: { name: 'Branded', domain: 'localhost' } })).body as { snippet: string };
    const shown = await openMessenger(t, browser, host, server.url, site, '/branded');
    t.match(await brand(shown.page), { text: 'Powered by Charla', href: /^https:\/\// }, 'the branding is in the messenger');
    t.same(shown.errors, []);

    // The operator grants removeBranding to this account (what PATCH /operator/accounts/:id {overrides} does).
    const { models, entitlements } = server.app.charla.container.cradle;
    await models.Account.update({ entitlementOverrides: { entitlements: { removeBranding: true } } }, { where: { id: owner.accountId } });
    entitlements.changed(owner.accountId);
    const removed = await openMessenger(t, browser, host, server.url, site, '/unbranded');
    t.equal(await brand(removed.page), null, 'no branding');
    t.same(removed.errors, []);
  });
}
