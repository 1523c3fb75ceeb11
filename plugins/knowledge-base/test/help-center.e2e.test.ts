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

  // A hostile article body, in a real browser: nothing runs, nothing navigates.
  const hostile = [
    '<script>window.pwned = 1</script>', '<img src=x onerror="window.pwned = 2">', '[click](javascript:window.pwned=3)',
    '<svg onload="window.pwned = 4"></svg>', '<iframe src="javascript:window.parent.pwned=5"></iframe>', '![x](x" onerror="window.pwned=6)',
    '<a href="data:text/html,<script>alert(7)</script>">data</a>', '[data](data:text/html;base64,PHNjcmlwdD5hbGVydCg4KTwvc2NyaXB0Pg==)',
  ].join('\n\n');
  await write({ title: 'Hostile', body: hostile, status: 'published' });
  const dialogs: string[] = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
  await page.goto(`/help/${site.appId}/hostile`);
  for (const link of await page.locator('article a').all()) await link.click({ modifiers: ['Shift'] }).catch(() => undefined);
  await page.waitForTimeout(300);
  t.equal(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined, 'no injected code ran');
  t.same(dialogs, [], 'no dialog opened');
  t.equal(await page.locator('article script, article iframe, article svg, article [onerror], article [onload]').count(), 0, 'no active element in the article');
  t.same(errors, [], 'no page errors');
});
