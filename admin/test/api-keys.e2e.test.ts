/**
 * Settings → API keys in headless Chromium: create a key with a name and scopes, see it
 * once, use it from outside the browser as an integration would, see "last used", revoke
 * it (with confirmation) and watch the same request be refused.
 */
import { existsSync } from 'node:fs';
import t from 'tap';
import { ADMIN_DIST, CHROMIUM, browserAvailable, logIn, startHarness, type Harness } from './harness';

if (!browserAvailable()) {
  if (process.env.CHARLA_REQUIRE_ALL === '1') t.fail(`Chromium is required (CHARLA_REQUIRE_ALL=1) but ${CHROMIUM} is missing`);
  else t.comment(`NOT RUN: the API keys browser test did not run: ${CHROMIUM} is missing`);
} else if (!existsSync(ADMIN_DIST)) {
  t.fail(`the admin is not built (${ADMIN_DIST} is missing): run \`npm run build -w @charla/admin\` first`);
} else {
  let h: Harness;
  t.before(async () => {
    h = await startHarness();
  });
  t.teardown(async () => h?.close());

  t.test('create, use, revoke an API key', async (t) => {
    const { page } = await h.newPage();
    await logIn(page, h.owner.email, h.owner.password);
    await page.waitForURL(/\/admin\/(inbox|settings|dashboard)/);
    await page.goto('/admin/settings/account');
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByText('No API keys yet.').waitFor();

    const form = page.locator('form').filter({ has: page.getByRole('button', { name: 'Create API key' }) });
    await form.getByLabel('Name').fill('CRM sync');
    await form.getByRole('button', { name: 'Create API key' }).click();
    await page.getByRole('status').filter({ hasText: 'Pick at least one scope.' }).waitFor();
    t.pass('no scope: says so, creates nothing');
    await form.getByLabel('conversations:read').check();
    await form.getByRole('button', { name: 'Create API key' }).click();

    const shown = page.getByTestId('new-api-key');
    await shown.waitFor();
    t.match(await shown.innerText(), /Copy the key of "CRM sync" now: it is shown only once\./);
    const key = (await page.getByTestId('new-api-key-value').innerText()).trim();
    t.match(key, /^chk_/, 'the key is shown');
    t.ok(await shown.getByRole('button', { name: /Copy/ }).isVisible(), 'with a copy button');
    const row = page.locator('tr[data-api-key="CRM sync"]');
    t.match(await row.innerText(), /conversations:read/);
    t.equal((await row.locator('[data-field="lastUsed"]').innerText()).trim(), 'Never');

    // An integration uses it (a plain HTTP request, like curl, outside the browser).
    const call = () => fetch(`${h.base}/api/v1/inbox/conversations`, { headers: { authorization: `Bearer ${key}` } });
    const ok = await call();
    t.equal(ok.status, 200, 'the key reads conversations');
    const listed = await h.api('GET', '/api/v1/api-keys');
    t.type(listed.body.apiKeys[0].lastUsedAt, 'string', 'the server records the use');
    t.notOk(JSON.stringify(listed.body).includes(key), 'the list never carries the key');
    await page.reload();
    await row.waitFor();
    t.not((await row.locator('[data-field="lastUsed"]').innerText()).trim(), 'Never', 'the screen shows when it was last used');
    t.equal(await page.getByTestId('new-api-key').count(), 0, 'the key is not shown again');

    // Revoke: cancel first, then confirm.
    let dialogs = 0;
    page.once('dialog', (d) => { dialogs++; void d.dismiss(); });
    await row.getByRole('button', { name: /Revoke/ }).click();
    t.equal(dialogs, 1, 'revoking asks first');
    t.equal(await row.count(), 1, 'dismissing the confirmation keeps the key');
    page.once('dialog', (d) => { dialogs++; t.match(d.message(), /Revoke the API key "CRM sync"\?/); void d.accept(); });
    await row.getByRole('button', { name: /Revoke/ }).click();
    await page.getByRole('status').filter({ hasText: 'API key "CRM sync" revoked.' }).waitFor();
    t.equal(dialogs, 2);
    t.equal(await row.count(), 0, 'gone from the list');
    const refused = await call();
    t.equal(refused.status, 401, 'the revoked key is refused at once');
    t.equal(refused.headers.get('content-type'), 'application/problem+json; charset=utf-8');
  });

  t.test('Spanish labels', async (t) => {
    const { page } = await h.newPage();
    await logIn(page, h.owner.email, h.owner.password);
    await page.waitForURL(/\/admin\/(inbox|settings|dashboard)/);
    await page.evaluate(() => localStorage.setItem('charla.locale', 'es'));
    await page.goto('/admin/settings/api-keys');
    await page.getByRole('heading', { name: 'Crear clave de API' }).waitFor();
    t.pass('the screen is translated');
  });
}
