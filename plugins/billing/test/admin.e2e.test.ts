/**
 * Settings → Plan and usage (an account admin) and the Operator console (an operator) in
 * headless Chromium against a real server with plans: the usage with its overage; the
 * accounts table with figures and churn badge; change a plan; suspend and resume.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { requirePart } from '@charla/core/testing';
import { browserAvailable, logIn, startHarness } from '../../../admin/test/harness.js';
import { OPERATOR, PLANS, settle, visitorWrites } from './helpers.js';

const registry = join(import.meta.dirname, '../../../admin/dist/browser/plugins.json');
const compiledIn = existsSync(registry) && (JSON.parse(readFileSync(registry, 'utf8')) as { plugins: Array<{ name: string }> }).plugins.some((p) => p.name === 'billing');

t.test('plan and usage for the account admin; the operator console for operators only', async (t) => {
  if (!requirePart('Chromium (/usr/bin/chromium)', browserAvailable(), t)) return;
  if (!requirePart('the admin build with the billing UI (npm run build -w @charla/admin)', compiledIn, t)) return;
  const h = await startHarness({ config: { plans: PLANS, defaultPlan: 'small', operatorEmails: [OPERATOR] } });
  t.teardown(() => h.close());
  const site = await h.api('POST', '/api/v1/sites', { name: 'Shop' }, h.owner.token);
  for (let i = 0; i < 3; i++) await visitorWrites(h.server, site.body.appId, `hello ${i}`);
  await settle(h.server);
  const op = await h.api('POST', '/api/v1/auth/signup', { accountName: 'Operator Co', name: 'Olga', email: OPERATOR, password: 'operator password' });
  t.equal(op.status, 201);

  await t.test('Settings → Account → Plan and usage', async (t) => {
    const { page } = await h.newPage();
    await logIn(page, h.owner.email, h.owner.password);
    await page.waitForURL(/\/admin\/(inbox|settings)/);
    await page.goto('/admin/settings/account');
    const section = page.getByTestId('plan-usage');
    await section.getByText('Your plan: Small').waitFor();
    t.match(await section.locator('[data-limit="conversations"]').textContent(), /3\s*2/, 'three conversations of two');
    t.match(await section.locator('[data-limit="sites"]').textContent(), /1\s*1/);
    t.match(await section.getByTestId('overage').textContent(), /1 conversation over the monthly limit/);
    t.equal(await page.getByRole('link', { name: 'Operator' }).count(), 0, 'no operator console for an account owner');
  });

  await t.test('the Operator console: figures, churn badge, change plan, suspend and resume', async (t) => {
    const { page } = await h.newPage();
    await logIn(page, OPERATOR, 'operator password');
    await page.waitForURL(/\/admin\/(inbox|settings)/);
    await page.getByRole('link', { name: 'Operator' }).click();
    await page.waitForURL(/\/admin\/operator/);
    const row = page.locator('[data-testid="accounts"] tr[data-account^="E2E"]');
    await row.waitFor();
    t.match(await row.textContent(), /E2E/);
    t.equal(await row.locator('td').nth(4).textContent(), '3', 'conversations in the last 30 days');
    t.equal(await row.locator('[data-risk]').getAttribute('data-risk'), 'low', 'an active new account: low risk');

    await row.getByLabel(/^Plan of E2E/).selectOption('big');
    for (let i = 0; i < 50 && (await h.api('GET', '/api/v1/billing/usage', undefined, h.owner.token)).body.plan !== 'big'; i++) await page.waitForTimeout(100);
    t.equal((await h.api('GET', '/api/v1/billing/usage', undefined, h.owner.token)).body.plan, 'big', 'the plan changed');

    await row.getByRole('button', { name: 'Suspend' }).click();
    await page.locator('tr[data-account^="E2E"][data-suspended="true"]').waitFor();
    const refused = await h.api('GET', '/api/v1/sites', undefined, h.owner.token);
    t.equal(refused.status, 403, 'the suspended account is refused');
    t.equal(refused.body.code, 'CHARLA_CORE_ACCOUNT_SUSPENDED');
    await page.locator('tr[data-account^="E2E"]').getByRole('button', { name: 'Resume' }).click();
    await page.locator('tr[data-account^="E2E"][data-suspended="false"]').waitFor();
    t.equal((await h.api('GET', '/api/v1/sites', undefined, h.owner.token)).status, 200, 'resumed');
  });
});
