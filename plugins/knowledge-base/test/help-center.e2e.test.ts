/**
 * The public help center in headless Chromium against a real server with the built-in
 * plugins: a visitor opens /help/<appId>, sees the published articles by category in the
 * site's colours, searches without accents, opens the article, and never meets a draft.
 */
import t from 'tap';
import { requirePart } from '@charla/core/testing';
import { browserAvailable, startHarness } from '../../../admin/test/harness.js';

t.test('a visitor reads the help center in a browser', async (t) => {
  if (!requirePart('Chromium (/usr/bin/chromium)', browserAvailable(), t)) return;
  const h = await startHarness();
  t.teardown(() => h.close());
  const site = (await h.api('POST', '/api/v1/sites', { name: 'Zapatería Luna' })).body as { id: string; appId: string };
  await h.api('PATCH', `/api/v1/sites/${site.id}`, { widget: { primaryColor: '#0a7d4f' } });
  const write = async (body: Record<string, unknown>) => {
    const r = await h.api('POST', '/api/v1/kb/articles', body);
    t.equal(r.status, 201, `article "${String(body.title)}" written`);
  };
  await write({ title: 'Cómo pedir una devolución', body: 'Entra en **Mis pedidos** y elige *Devolver*. La devolución es gratuita durante 30 días.', category: 'Pedidos', status: 'published' });
  await write({ title: 'Plazos de envío', body: 'Enviamos en 24 horas laborables.', category: 'Pedidos', status: 'published' });
  await write({ title: 'Cambiar la contraseña', body: 'Abre tu perfil.', category: 'Cuenta', status: 'published' });
  await write({ title: 'Devoluciones internas (borrador)', body: 'Solo para el equipo.', category: 'Interno' });

  const { page } = await h.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  const response = await page.goto(`/help/${site.appId}`);
  t.equal(response?.status(), 200);
  t.match(await page.title(), /Zapatería Luna/);
  t.same(await page.locator('main h2').allInnerTexts(), ['Cuenta', 'Pedidos'], 'categories, the draft\'s not among them');
  t.notOk(await page.getByText('Devoluciones internas').count(), 'no draft on the page');
  const header = await page.locator('header').evaluate((el) => getComputedStyle(el).backgroundColor);
  t.equal(header, 'rgb(10, 125, 79)', 'the header wears the site\'s primary colour');
  t.equal(await page.locator('script').count(), 0, 'no script on the page');

  await page.getByRole('searchbox').fill('DEVOLUCION');
  await page.getByRole('button', { name: /Search|Buscar/ }).click();
  await page.waitForURL(/\?q=DEVOLUCION/);
  const results = page.locator('ul.articles li');
  t.equal(await results.count(), 1, 'one published match for an unaccented, upper-case query');
  t.match(await results.locator('mark').first().innerText(), /devoluci[oó]n/i, 'the matched word is highlighted');

  await results.getByRole('link').click();
  await page.waitForURL(new RegExp(`/help/${site.appId}/como-pedir-una-devolucion$`));
  t.equal(await page.locator('h1').innerText(), 'Cómo pedir una devolución');
  t.equal(await page.locator('article strong').innerText(), 'Mis pedidos', 'Markdown rendered');
  t.match(await page.locator('meta[name="description"]').getAttribute('content') ?? '', /^Entra en Mis pedidos/);
  t.equal(await page.locator('link[rel="canonical"]').getAttribute('href'), `${h.base}/help/${site.appId}/como-pedir-una-devolucion`);

  await page.getByRole('link', { name: /All articles|Todos los artículos/ }).click();
  await page.waitForURL(new RegExp(`/help/${site.appId}$`));
  const draft = await page.goto(`/help/${site.appId}/devoluciones-internas-borrador`);
  t.equal(draft?.status(), 404, 'a draft\'s address is a 404');
  t.same(errors, [], 'no page errors');
});
