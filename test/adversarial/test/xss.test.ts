/**
 * Stored XSS in a real headless Chromium (Debian's, never downloaded): script payloads
 * in messages, visitor names, e-mail-like fields, attributes, page titles/URLs, site
 * names and logo URLs, rendered in the admin (inbox list, conversation, sidebar,
 * settings) and in the widget (demo host page). Nothing may execute: every payload
 * sets window.__pwned or opens a dialog, and both are watched. The admin carries a CSP.
 */
import { randomUUID } from 'node:crypto';
import t from 'tap';
import { requirePart } from '@charla/core/testing';
import { browserAvailable, logIn, startHarness } from '../../../admin/test/harness.js';
import type { Page } from 'playwright-core';

const P = [
  '<img src=x onerror="window.__pwned=1;alert(1)">',
  '<script>window.__pwned=2;alert(2)</script>',
  '<svg onload="window.__pwned=3;alert(3)"></svg>',
  '"><iframe srcdoc="<script>parent.__pwned=4</script>"></iframe>',
  '<a href="javascript:window.__pwned=5;alert(5)" id="xss-link">click</a>',
  '{{constructor.constructor(\'window.__pwned=6\')()}}',
  '<details open ontoggle="window.__pwned=7">',
].join(' ');
const SHORT = '<img src=x onerror="window.__pwned=1;alert(1)"><script>alert(2)</script>';

async function watch(page: Page, dialogs: string[]) {
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
}
const pwned = (page: Page) => page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned ?? null);

t.test('stored XSS payloads render inert in the admin and the widget', async (t) => {
  if (!requirePart('Chromium at /usr/bin/chromium', browserAvailable(), t)) return;
  const h = await startHarness();
  t.teardown(() => h.close());
  const site = (await h.api('POST', '/api/v1/sites', { name: `Shop ${SHORT}` })).body;
  t.ok(site?.id, 'a site named with a payload');
  const logo = await h.api('PATCH', `/api/v1/sites/${site.id}`, { widget: { logoUrl: 'javascript:window.__pwned=9', greeting: `Hi ${SHORT}` } });
  t.ok(logo.status === 400, `a javascript: logo URL is refused (${logo.status})`);
  const dataLogo = await h.api('PATCH', `/api/v1/sites/${site.id}`, { widget: { logoUrl: 'data:text/html,<script>parent.__pwned=10</script>' } });
  t.ok(dataLogo.status === 400, `a data: logo URL is refused (${dataLogo.status})`);
  const greet = await h.api('PATCH', `/api/v1/sites/${site.id}`, { widget: { greeting: `Hi ${SHORT}`, logoUrl: 'https://example.com/logo.png" onerror="window.__pwned=11' } });
  t.ok(greet.status === 200 || greet.status === 400, `payload greeting / quote-breaking logo URL: ${greet.status}`);
  const init = await h.api('POST', '/api/v1/widget/init', {
    appId: site.appId,
    page: { url: 'javascript:window.__pwned=12', title: `Title ${P}` },
    user: { name: `Eve ${SHORT}`, externalId: `ext ${SHORT}`, attributes: { plan: P, url: 'javascript:window.__pwned=13' } },
  }, '');
  t.equal(init.status, 200, 'visitor with payloads in name, external id, attributes, page', { body: init.status === 200 ? undefined : init.body });
  const token = init.body.visitorToken as string;
  const sent = await h.api('POST', '/api/v1/widget/messages', { content: `Hello ${P} [x](javascript:window.__pwned=14) http://a.example/?q=<script>`, clientId: randomUUID() }, token);
  t.equal(sent.status, 201);
  const conv = sent.body.conversation.id as string;
  await h.api('POST', `/api/v1/inbox/conversations/${conv}/messages`, { content: `Agent says ${P}`, clientId: randomUUID() });
  await h.api('POST', `/api/v1/inbox/conversations/${conv}/messages`, { content: `Note ${P}`, clientId: randomUUID(), private: true });

  // Admin.
  const csp = await fetch(`${h.base}/admin/`);
  const policy = csp.headers.get('content-security-policy') ?? '';
  t.match(policy, /script-src 'self'(;|$)/, 'the admin has a CSP with script-src \'self\' (no inline scripts)');
  t.match(policy, /object-src 'none'/, 'and object-src \'none\'');
  t.match(policy, /frame-ancestors 'none'/, 'and frame-ancestors \'none\'');
  const { page } = await h.newPage();
  const dialogs: string[] = [];
  await watch(page, dialogs);
  await logIn(page, h.owner.email, h.owner.password);
  await page.waitForURL(/\/admin\/inbox/);
  await page.locator(`[data-conversation="${conv}"]`).waitFor();
  t.equal(await pwned(page), null, 'inbox list: nothing executed');
  await page.goto(`/admin/inbox/${conv}`);
  await page.getByTestId('visitor-facts').waitFor();
  await page.locator('.thread').getByText('Agent says', { exact: false }).first().waitFor();
  const links = await page.locator('a[href^="javascript:"]').count();
  t.equal(links, 0, 'conversation: no javascript: link rendered');
  await page.locator('.thread').getByText('Hello', { exact: false }).first().click().catch(() => undefined);
  t.match(await page.locator('.thread').innerText(), /<img src=x onerror=/, 'the payload is shown as text');
  t.equal(await pwned(page), null, 'conversation and sidebar: nothing executed');
  for (const path of ['/admin/settings/sites', `/admin/settings/sites/${site.id}`, '/admin/dashboard']) {
    await page.goto(path);
    await page.waitForTimeout(800);
    t.equal(await pwned(page), null, `${path}: nothing executed`);
  }
  t.same(dialogs, [], 'no dialog opened in the admin');

  // Widget on the demo host page.
  const { page: host } = await h.newPage();
  const hostDialogs: string[] = [];
  await watch(host, hostDialogs);
  await host.addInitScript((tok) => localStorage.setItem('charla:test-token-hint', tok), token);
  await host.goto(`/demo?appId=${site.appId}`);
  t.equal(await host.title().then((x) => x.includes('<img')), true, 'the demo page shows the site name as text in its title');
  await host.waitForTimeout(500);
  const launcher = host.locator('charla-launcher, [data-charla] button, charla-widget').first();
  if (await launcher.count()) await launcher.click({ timeout: 5000 }).catch(() => undefined);
  await host.waitForTimeout(1500);
  const send = await host.evaluate(async (p) => {
    const w = window as unknown as { Charla?: (...a: unknown[]) => unknown };
    w.Charla?.('send', p);
    return typeof w.Charla;
  }, `From the widget ${P}`);
  t.ok(send, `the widget loaded (window.Charla is ${send})`);
  await host.waitForTimeout(1500);
  t.equal(await pwned(host), null, 'widget: nothing executed');
  t.same(hostDialogs, [], 'no dialog opened on the host page');
  t.equal(await host.locator('img[src="x"]').count(), 0, 'no payload element made it into the host page DOM');
});
