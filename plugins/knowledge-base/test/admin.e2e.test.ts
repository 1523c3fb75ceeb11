/**
 * The Articles section of the admin in headless Chromium against a real server with the
 * built-in plugins: an admin writes an article with the live preview, publishes it, finds
 * it by searching without accents, filters the list, unpublishes it; the help center
 * follows each step. Needs the admin build with this plugin's UI compiled in.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { requirePart } from '@charla/core/testing';
import { browserAvailable, logIn, startHarness } from '../../../admin/test/harness.js';

const registry = join(import.meta.dirname, '../../../admin/dist/browser/plugins.json');
const compiledIn =
  existsSync(registry) && (JSON.parse(readFileSync(registry, 'utf8')) as { plugins: Array<{ name: string }> }).plugins.some((p) => p.name === 'knowledge-base');

t.test('an admin writes, previews, publishes, finds and unpublishes articles', async (t) => {
  if (!requirePart('Chromium (/usr/bin/chromium)', browserAvailable(), t)) return;
  if (!requirePart('the admin build with the knowledge-base UI (npm run build -w @charla/admin)', compiledIn, t)) return;
  const h = await startHarness();
  t.teardown(() => h.close());
  const site = (await h.api('POST', '/api/v1/sites', { name: 'Shop' })).body as { appId: string };
  await h.api('POST', '/api/v1/kb/articles', { title: 'Plazos de envío', body: 'Enviamos en 24 horas.', category: 'Envíos', status: 'published' });

  const { page } = await h.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await logIn(page, h.owner.email, h.owner.password);
  await page.waitForURL(/\/admin\/inbox/);
  await page.getByRole('link', { name: 'Articles' }).click();
  await page.waitForURL(/\/admin\/articles$/);
  await page.locator('[data-article="plazos-de-envio"]').waitFor();
  t.pass('the Articles section lists the account\'s articles');

  await page.getByRole('link', { name: 'New article' }).click();
  await page.waitForURL(/\/admin\/articles\/new$/);
  await page.getByLabel('Title').fill('Cómo pedir una devolución');
  await page.getByLabel('Body (Markdown)').fill('Entra en **Mis pedidos** y pulsa *Devolver*.\n\n<script>window.hacked = true</script>');
  await page.getByLabel('Category').fill('Pedidos');
  await page.getByLabel('Tags').fill('devoluciones, pedidos');
  const preview = page.getByTestId('kb-preview');
  await preview.locator('strong', { hasText: 'Mis pedidos' }).waitFor();
  t.equal(await page.getByTestId('kb-preview-title').innerText(), 'Cómo pedir una devolución', 'the preview shows the title');
  t.equal(await preview.locator('script').count(), 0, 'the preview never holds a script');
  t.match(await preview.innerText(), /<script>window\.hacked = true<\/script>/, 'raw HTML is shown as text');
  t.notOk(await page.evaluate(() => (window as unknown as { hacked?: boolean }).hacked), 'and never runs');

  await page.getByRole('button', { name: 'Publish' }).click();
  await page.waitForURL(/\/admin\/articles\/[0-9a-f-]{36}$/);
  await page.getByTestId('kb-status').filter({ hasText: 'Published' }).waitFor();
  await page.getByRole('status').filter({ hasText: 'Published: visitors can read it now.' }).waitFor();
  t.pass('published from the editor');
  const help = await h.api('GET', `/help/${site.appId}/como-pedir-una-devolucion`, undefined, '');
  t.equal(help.status, 200, 'the help center shows it at once');

  await page.getByRole('link', { name: 'All articles' }).click();
  await page.getByLabel('Search articles').fill('devolucion');
  const hit = page.locator('[data-article="como-pedir-una-devolucion"]');
  await hit.locator('mark').first().waitFor();
  t.equal(await page.locator('[data-article]').count(), 1, 'the search without accents finds only the right article');
  await page.getByLabel('Search articles').fill('');
  await page.getByLabel('Category').selectOption('Envíos');
  await page.locator('[data-article="plazos-de-envio"]').waitFor();
  await page.locator('[data-article="como-pedir-una-devolucion"]').waitFor({ state: 'detached' });
  t.pass('the category filter narrows the list');
  await page.getByLabel('Category').selectOption('');

  await hit.getByRole('link').click();
  await page.getByRole('button', { name: 'Unpublish' }).click();
  await page.getByTestId('kb-status').filter({ hasText: 'Draft' }).waitFor();
  t.equal((await h.api('GET', `/help/${site.appId}/como-pedir-una-devolucion`, undefined, '')).status, 404, 'a draft leaves the help center');

  await page.getByLabel('Title').fill('Cómo pedir una devolución (2026)');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
  const list = (await h.api('GET', '/api/v1/kb/articles?q=devolucion')).body as { articles: Array<{ title: string; tags: string[]; category: string; status: string }> };
  t.match(list.articles[0], { title: 'Cómo pedir una devolución (2026)', tags: ['devoluciones', 'pedidos'], category: 'Pedidos', status: 'draft' }, 'saved as typed');

  // The same section in Spanish (the admin remembers the language in this browser).
  await page.evaluate(() => localStorage.setItem('charla.locale', 'es'));
  await page.goto('/admin/articles');
  await page.getByRole('heading', { name: 'Artículos' }).waitFor();
  await page.getByLabel('Buscar artículos').fill('devoluciones');
  await page.locator('[data-article="como-pedir-una-devolucion"]').getByText('Borrador').waitFor();
  t.pass('the Articles section speaks Spanish: labels, statuses');
  t.same(errors, [], 'no page errors');
});
