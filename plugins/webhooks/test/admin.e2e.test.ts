/**
 * Settings → Webhooks in headless Chromium against a real server (the built-in plugins)
 * and a real local receiver: create a webhook with the event picker, see the secret
 * once, send a test event, read the delivery log, redeliver, turn it off.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { requirePart } from '@charla/core/testing';
import { browserAvailable, logIn, startHarness } from '../../../admin/test/harness.js';
import { startReceiver, until, verify } from './helpers.js';

const registry = join(import.meta.dirname, '../../../admin/dist/browser/plugins.json');
const compiledIn =
  existsSync(registry) && (JSON.parse(readFileSync(registry, 'utf8')) as { plugins: Array<{ name: string }> }).plugins.some((p) => p.name === 'webhooks');

t.test('Webhooks screen: create with the event picker, secret once, test event, log, redeliver, turn off', async (t) => {
  if (!requirePart('Chromium (/usr/bin/chromium)', browserAvailable(), t)) return;
  if (!requirePart('the admin build with the webhooks UI (npm run build -w @charla/admin)', compiledIn, t)) return;
  const receiver = await startReceiver();
  t.teardown(() => receiver.close());
  process.env.WEBHOOKS_ALLOWED_HOSTS = `127.0.0.1:${receiver.port}`;
  const h = await startHarness();
  t.teardown(() => h.close());
  delete process.env.WEBHOOKS_ALLOWED_HOSTS;

  const { page } = await h.newPage();
  await logIn(page, h.owner.email, h.owner.password);
  await page.waitForURL(/\/admin\/inbox/);
  // The old address leads to Settings → Webhooks, which the settings menu lists.
  await page.goto('/admin/webhooks');
  await page.waitForURL(/\/admin\/settings\/webhooks/);
  await page.goto('/admin/settings/account');
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Webhooks' }).click();
  await page.waitForURL(/\/admin\/settings\/webhooks/);
  await page.getByLabel('Endpoint URL').fill('http://10.0.0.1/hook');
  await page.locator('[data-event="message.created"]').check();
  await page.getByRole('button', { name: 'Create webhook' }).click();
  await page.getByRole('alert').filter({ hasText: 'internal address' }).waitFor();
  t.pass('an internal URL is refused with the server\'s explanation');

  await page.getByLabel('Endpoint URL').fill(receiver.url);
  await page.getByLabel('Description (optional)').fill('CRM');
  await page.getByRole('button', { name: 'Create webhook' }).click();
  const secret = (await page.getByTestId('secret').locator('code').textContent())!.trim();
  t.match(secret, /^whsec_/, 'the secret is shown once');
  const row = page.locator(`[data-webhook="${receiver.url}"]`);
  await row.waitFor();
  t.match(await row.textContent(), 'message.created');

  await row.getByRole('button', { name: 'Send test event' }).click();
  await until(() => receiver.received.length, (n) => n === 1, 10_000);
  t.ok(verify(secret, receiver.received[0].headers, receiver.received[0].body), 'the test event is signed with the secret shown');
  const log = page.getByTestId('deliveries');
  for (let i = 0; i < 50 && !(await log.locator('[data-status="delivered"]').count()); i++) {
    await log.getByRole('button', { name: 'Refresh' }).click();
    await page.waitForTimeout(100);
  }
  t.match(await log.locator('[data-delivery="webhook.test"]').textContent(), /Delivered.*200/, 'the log shows the delivery and the response code');

  await log.getByRole('button', { name: 'Redeliver' }).click();
  await until(() => receiver.received.length, (n) => n === 2, 10_000);
  t.equal(receiver.received[1].headers['webhook-id'], receiver.received[0].headers['webhook-id'], 'redelivered with the same webhook-id');

  await row.getByRole('button', { name: 'Turn off' }).click();
  await row.getByRole('button', { name: 'Turn on' }).waitFor();
  t.equal((await h.api('GET', '/api/v1/webhooks')).body.webhooks[0].enabled, false, 'turned off on the server');
});
