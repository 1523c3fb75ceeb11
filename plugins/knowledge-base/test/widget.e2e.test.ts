/**
 * The knowledge base in the chat widget, in headless Chromium, on a third-party page (an
 * origin other than the server's): an admin publishes three articles (and keeps a draft)
 * through the API; a Spanish-speaking visitor opens the messenger, searches "devolucion"
 * in the Ayuda tab, reads the "Devoluciones…" article, answers "Did this help?" (recorded),
 * and gets the same article suggested while typing a message; the draft never shows.
 */
import t from 'tap';
import type { Page } from 'playwright-core';
import { RESPONDER_ORDER, definePlugin } from '@charla/core';
import { signup, startTestServer } from '@charla/core/testing';
import { browserSkipReason, hostPage, HostSite, launchBrowser, newPage } from '../../../widget/test/e2e/harness.js';
import { article, conversations, knowledgeBase } from './helpers.js';

const skip = browserSkipReason();
if (skip) t.pass(skip);
else await run();

async function run(): Promise<void> {
  // A bot that answers "articulo" with an article card (the knowledge base's block type).
  const card: { id?: string } = {};
  const cardBot = definePlugin({
    name: 'card-bot', version: '1.0.0', dependsOn: ['conversations'],
    responder: {
      order: RESPONDER_ORDER.rules,
      respond: (turn, api) => (/articulo/.test(turn.content) && card.id ? api.reply('Mira esto:', { metadata: { blocks: [{ type: 'article', id: card.id, title: 'Devoluciones y reembolsos', description: '<b>30 días</b> gratis' }] } }) : undefined),
    },
  });
  const server = await startTestServer({ listen: true, plugins: [conversations, knowledgeBase, cardBot] });
  const host = await new HostSite().listen();
  const browser = await launchBrowser();
  t.teardown(async () => {
    await browser.close();
    await host.close();
    await server.close();
  });
  const owner = await signup(server, 'Zapatería Luna');
  const site = (await server.request('POST', '/api/v1/sites', { token: owner.token, body: { name: 'Zapatería Luna', domain: 'localhost' } })).body as { snippet: string };
  const returns = await article(server, owner.token, {
    title: 'Devoluciones y reembolsos',
    body: 'Para pedir una **devolución** entra en *Mis pedidos*.\n\nLa devolución es gratuita durante 30 días. <script>window.__xss=1</script>',
    category: 'Pedidos', locale: 'es', status: 'published',
  });
  await article(server, owner.token, { title: 'Plazos de envío', body: 'Enviamos en 24 horas laborables.', category: 'Pedidos', locale: 'es', status: 'published' });
  await article(server, owner.token, { title: 'Cambiar la contraseña', body: 'Abre tu perfil y elige "Contraseña".', category: 'Cuenta', locale: 'es', status: 'published' });
  await article(server, owner.token, { title: 'Devoluciones internas (borrador)', body: 'Solo para el equipo: devolución manual.', category: 'Interno', locale: 'es', status: 'draft' });
  card.id = returns.id;
  const snippet = site.snippet.replace(/src="[^"]*\/widget\/loader\.js"/, `src="${server.url}/widget/loader.js"`);
  host.pages.set('/tienda', hostPage({ snippet, title: 'Zapatería Luna' }));
  const xss = (page: Page) => page.evaluate(() => (window as unknown as { __xss?: number }).__xss);

  await t.test('search in the Ayuda tab, read the article, give feedback; suggestions while typing', async (t) => {
    const { context, page, errors } = await newPage(browser, 'es-ES');
    t.teardown(() => context.close());
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`${host.origin}/tienda`);
    await page.getByRole('button', { name: 'Abrir chat', exact: true }).waitFor();
    await page.waitForTimeout(300);
    t.notOk(requests.some((u) => u.includes('/widget/plugins/knowledge-base/')), 'the module is not loaded before the messenger opens');
    await page.getByRole('button', { name: 'Abrir chat', exact: true }).click();

    const help = page.getByRole('tab', { name: 'Ayuda', exact: true });
    await help.click({ timeout: 15_000 });
    const search = page.getByRole('searchbox', { name: 'Buscar artículos', exact: true });
    await search.pressSequentially('devolucion', { delay: 25 });
    const results = page.getByRole('list', { name: 'Artículos', exact: true }).getByRole('button');
    await results.first().waitFor();
    t.equal(await results.count(), 1, 'one published match; the draft is not among the results');
    t.match(await results.first().locator('strong').textContent(), 'Devoluciones y reembolsos');
    t.match(await results.first().locator('mark').first().textContent(), /^devoluci[oó]n$/i, 'the matched word is highlighted (a <mark> node)');
    t.equal(await results.first().locator('script, img, b, strong ~ span strong').count(), 0, 'the snippet brought no markup but the highlight');
    t.equal(await search.evaluate((e) => (e.getRootNode() as ShadowRoot).activeElement === e), true, 'the search box kept its focus while the results came');

    await results.first().click();
    const pane = page.getByRole('tabpanel');
    await pane.getByRole('heading', { name: 'Devoluciones y reembolsos' }).waitFor();
    t.equal(await pane.locator('.body strong').textContent(), 'devolución', 'the article, rendered from Markdown');
    t.equal(await pane.locator('.body script').count(), 0, 'sanitized: no script');
    t.equal(await xss(page), undefined, 'nothing ran');
    t.equal(await page.evaluate(() => document.querySelectorAll('.body').length), 0, 'the article lives inside the widget\'s shadow root, not in the page');

    const feedback = page.waitForResponse((r) => r.url().endsWith(`/api/v1/widget/kb/articles/${returns.id}/feedback`));
    await pane.getByRole('group', { name: '¿Te ha sido útil?' }).getByRole('button', { name: 'Sí', exact: true }).click();
    t.equal((await feedback).status(), 202, 'feedback sent');
    await pane.getByText('¡Gracias por tu opinión!').waitFor();
    const counts = (await server.request('GET', `/api/v1/kb/articles/${returns.id}`, { token: owner.token })).body.feedback;
    t.match(counts, { helpful: 1, notHelpful: 0 }, 'and recorded for the admin');

    await pane.getByRole('button', { name: /Volver/ }).click();
    t.equal(await search.inputValue(), 'devolucion', 'back: the search as it was');
    t.equal(await results.count(), 1);

    await search.fill('');
    await search.pressSequentially('internas', { delay: 20 });
    await pane.getByText('No encontramos artículos').waitFor();
    t.pass('a word only the draft has: nothing');

    // While typing a message: the article as a suggestion; choosing it opens it in the tab.
    await page.getByRole('tab', { name: 'Conversación', exact: true }).click();
    const box = page.getByRole('textbox', { name: 'Mensaje', exact: true });
    await box.pressSequentially('quiero una devolucion', { delay: 20 });
    const suggestions = page.getByRole('list', { name: 'Sugerencias', exact: true });
    await suggestions.waitFor();
    t.same(await suggestions.locator('.s-title').allTextContents(), ['Devoluciones y reembolsos'], 'only the published article');
    t.match((await suggestions.locator('.s-desc').allTextContents()).join(''), /devolución/i, 'its snippet…');
    t.equal(await suggestions.locator('.s-desc *').count(), 0, '…as plain text (no <mark>, no markup of the body)');
    await suggestions.getByRole('button').first().click();
    await pane.getByRole('heading', { name: 'Devoluciones y reembolsos' }).waitFor();
    t.equal(await help.getAttribute('aria-selected'), 'true', 'the article opened in the Ayuda tab');
    t.same(errors, [], 'no page errors');
  });

  await t.test('an article card in a message (the plugin\'s block renderer) opens the article in the Help tab', async (t) => {
    const { context, page, errors } = await newPage(browser, 'es-ES');
    t.teardown(() => context.close());
    await page.goto(`${host.origin}/tienda`);
    await page.getByRole('button', { name: 'Abrir chat', exact: true }).click();
    const box = page.getByRole('textbox', { name: 'Mensaje', exact: true });
    await box.fill('busco un articulo');
    await box.press('Enter');
    const read = page.getByRole('button', { name: 'Leer el artículo', exact: true });
    await read.waitFor({ timeout: 15_000 });
    const cardEl = page.locator('.block-article');
    t.equal(await cardEl.locator('strong').textContent(), 'Devoluciones y reembolsos', 'the card shows the title');
    t.equal(await cardEl.locator('p').nth(1).textContent(), '<b>30 días</b> gratis', 'its description as text');
    t.equal(await cardEl.locator('b').count(), 0);
    await read.click();
    await page.getByRole('tabpanel').getByRole('heading', { name: 'Devoluciones y reembolsos' }).waitFor();
    t.equal(await page.getByRole('tab', { name: 'Ayuda', exact: true }).getAttribute('aria-selected'), 'true', 'opened in the Ayuda tab');
    t.same(errors, [], 'no page errors');
  });

  await t.test('English: the Help tab', async (t) => {
    const { context, page } = await newPage(browser, 'en-US');
    t.teardown(() => context.close());
    await page.goto(`${host.origin}/tienda`);
    await page.getByRole('button', { name: 'Open chat', exact: true }).click();
    await page.getByRole('tab', { name: 'Help', exact: true }).click({ timeout: 15_000 });
    await page.getByRole('searchbox', { name: 'Search articles', exact: true }).waitFor();
    t.ok(await page.getByText('Type a few words to find an answer.').isVisible(), 'the hint in English');
  });
}
