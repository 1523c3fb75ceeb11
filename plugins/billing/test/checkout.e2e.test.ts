/**
 * Settings → Account → Plan and usage with a payment provider (Stripe, spoken by a local
 * HTTP server): an admin switches plan through the provider's checkout and opens its
 * customer portal; the provider's pages are stood in for by the browser (no network).
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { requirePart } from '@charla/core/testing';
import { browserAvailable, logIn, startHarness } from '../../../admin/test/harness.js';
import { PLANS } from './helpers.js';

const registry = join(import.meta.dirname, '../../../admin/dist/browser/plugins.json');
const compiledIn = existsSync(registry) && (JSON.parse(readFileSync(registry, 'utf8')) as { plugins: Array<{ name: string }> }).plugins.some((p) => p.name === 'billing');

t.test('with a payment provider, an admin switches plan through its checkout and opens its portal', async (t) => {
  if (!requirePart('Chromium (/usr/bin/chromium)', browserAvailable(), t)) return;
  if (!requirePart('the admin build with the billing UI (npm run build -w @charla/admin)', compiledIn, t)) return;
  const calls: Array<{ path: string; form: URLSearchParams }> = [];
  const fake = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      calls.push({ path: req.url ?? '', form: new URLSearchParams(body) });
      res.setHeader('content-type', 'application/json');
      if (req.url === '/v1/checkout/sessions') return res.end(JSON.stringify({ id: 'cs_test_1', object: 'checkout.session', url: 'https://checkout.stripe.test/c/cs_test_1' }));
      if (req.url === '/v1/billing_portal/sessions') return res.end(JSON.stringify({ id: 'bps_1', object: 'billing_portal.session', url: 'https://billing.stripe.test/p/bps_1' }));
      res.statusCode = 404;
      res.end(JSON.stringify({ error: { type: 'invalid_request_error', message: 'unknown path' } }));
    });
  });
  await new Promise<void>((r) => fake.listen(0, '127.0.0.1', () => r()));
  const env = { BILLING_PROVIDER: 'stripe', STRIPE_SECRET_KEY: 'sk_test_123', STRIPE_WEBHOOK_SECRET: 'whsec_test', STRIPE_PRICES: 'big=price_big', STRIPE_API_BASE: `http://127.0.0.1:${(fake.address() as AddressInfo).port}` };
  Object.assign(process.env, env); // read by the plugin when it registers
  const h = await startHarness({ config: { plans: PLANS, defaultPlan: 'small' } }).finally(() => { for (const k of Object.keys(env)) delete process.env[k]; });
  t.teardown(async () => {
    await h.close();
    await new Promise<void>((r) => fake.close(() => r()));
  });

  const { page } = await h.newPage();
  // The provider's hosted pages, stood in for (the test has no network).
  await page.route('https://checkout.stripe.test/**', (r) => r.fulfill({ status: 200, contentType: 'text/html', body: '<h1>Stripe checkout</h1>' }));
  await page.route('https://billing.stripe.test/**', (r) => r.fulfill({ status: 200, contentType: 'text/html', body: '<h1>Stripe portal</h1>' }));
  await logIn(page, h.owner.email, h.owner.password);
  await page.waitForURL(/\/admin\/(inbox|settings)/);
  await page.goto('/admin/settings/account');
  const section = page.getByTestId('plan-usage');
  await section.getByText('Your plan: Small').waitFor();
  t.equal(await section.getByRole('button', { name: 'Switch to Small' }).count(), 0, 'no button for the current plan');

  // No subscription yet: the portal's refusal is said in the screen, and nothing navigates.
  await section.getByRole('button', { name: 'Manage billing' }).click();
  await section.getByRole('alert').waitFor();
  t.match(await section.getByRole('alert').textContent(), /no subscription with the payment provider yet/);
  t.match(page.url(), /\/admin\/settings\/account$/, 'still on the settings page');

  await section.getByRole('button', { name: 'Switch to Big' }).click();
  await page.waitForURL('https://checkout.stripe.test/c/cs_test_1');
  t.equal(await page.locator('h1').textContent(), 'Stripe checkout', 'the browser is on the provider\'s checkout');
  const session = calls.find((c) => c.path === '/v1/checkout/sessions');
  t.ok(session, 'the server asked the provider for a checkout session');
  t.equal(session!.form.get('line_items[0][price]'), 'price_big', 'for the Big plan\'s price');
  t.match(session!.form.get('success_url') ?? '', /\/admin\/settings\/account\?checkout=done$/, 'coming back to Plan and usage');
});
