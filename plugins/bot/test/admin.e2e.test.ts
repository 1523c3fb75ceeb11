/**
 * The Bot screen and the widget in headless Chromium against one real server (the
 * built-in plugins, the bot among them): an admin builds a rule in the admin — keywords,
 * a reply, a question with buttons — tries it in the test console, and a visitor on a
 * third-party page gets the reply, presses a button and gets the next step.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { requirePart } from '@charla/core/testing';
import { browserAvailable, logIn, startHarness } from '../../../admin/test/harness.js';

const registry = join(import.meta.dirname, '../../../admin/dist/browser/plugins.json');
const widgetBuilt = existsSync(join(import.meta.dirname, '../../../widget/dist/manifest.json'));
const compiledIn =
  existsSync(registry) && (JSON.parse(readFileSync(registry, 'utf8')) as { plugins: Array<{ name: string }> }).plugins.some((p) => p.name === 'bot');

t.test('an admin builds a rule in the Bot screen; a visitor on a widget page gets the reply and presses a button', async (t) => {
  if (!requirePart('Chromium (/usr/bin/chromium)', browserAvailable(), t)) return;
  if (!requirePart('the admin build with the bot UI (npm run build -w @charla/admin)', compiledIn, t)) return;
  if (!requirePart('the widget build (npm run build -w @charla/widget)', widgetBuilt, t)) return;
  const h = await startHarness();
  t.teardown(() => h.close());
  const site = await h.api('POST', '/api/v1/sites', { name: 'Tienda', domain: 'localhost' }, h.owner.token);
  t.equal(site.status, 201);
  // A third-party shop page on another origin (localhost; the API is on 127.0.0.1) with the site's snippet.
  const snippet = String(site.body.snippet).replace(/src="[^"]*\/widget\/loader\.js"/, `src="${h.base}/widget/loader.js"`);
  const host = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><html lang="es"><head><meta charset="utf-8"><title>Tienda</title></head><body><h1>Tienda</h1>${snippet}</body></html>`));
  await new Promise<void>((r) => host.listen(0, 'localhost', () => r()));
  t.teardown(() => new Promise<void>((r) => { host.closeAllConnections(); host.close(() => r()); }));

  const { page } = await h.newPage();
  await logIn(page, h.owner.email, h.owner.password);
  await page.waitForURL(/\/admin\/inbox/);
  await page.getByRole('link', { name: 'Bot' }).click();
  await page.waitForURL(/\/admin\/bot/);
  await page.getByRole('button', { name: 'New rule' }).click();
  const editor = page.getByTestId('bot-rule-editor');
  await editor.getByLabel('Name').fill('Ayuda');
  await editor.getByLabel('Keywords (comma-separated)').fill('ayuda');
  await editor.getByLabel('Message', { exact: true }).fill('¡Hola! Te ayudo.');
  await editor.getByLabel('Add action').selectOption('buttons');
  await editor.getByRole('button', { name: 'Add action' }).click();
  await editor.getByLabel('Question').fill('¿Sobre qué?');
  await editor.getByLabel('Button text 1').fill('Envíos');
  await editor.getByLabel('Reply when pressed (optional) 1').fill('Enviamos en 24 horas.');
  await editor.getByRole('button', { name: 'Save rule' }).click();
  const row = page.locator('[data-rule="Ayuda"]');
  await row.waitFor();
  t.match(await row.textContent(), /A visitor writes/, 'the rule is listed with its trigger');
  t.ok(await row.getByRole('switch').isChecked(), 'and is on');

  const consoleCard = page.getByTestId('bot-test');
  await consoleCard.getByLabel('The visitor writes').fill('Necesito AYUDA');
  await consoleCard.getByRole('button', { name: 'Test' }).click();
  const result = page.getByTestId('bot-test-result');
  await result.getByText('Rule "Ayuda" matches.').waitFor();
  t.match(await result.textContent(), /¡Hola! Te ayudo\..*¿Sobre qué\?.*Envíos/s, 'the test console shows what the bot would send, buttons included');

  const shopper = await h.newPage();
  const errors: string[] = [];
  shopper.page.on('pageerror', (e) => errors.push(String(e)));
  const visitor = { page: shopper.page, errors };
  await visitor.page.goto(`http://localhost:${(host.address() as AddressInfo).port}/tienda`);
  await visitor.page.getByRole('button', { name: 'Open chat', exact: true }).click();
  const textbox = visitor.page.getByRole('textbox', { name: 'Message', exact: true });
  await textbox.fill('hola, necesito ayuda');
  await textbox.press('Enter');
  await visitor.page.getByText('¡Hola! Te ayudo.').waitFor({ timeout: 15_000 });
  const author = visitor.page.locator('charla-widget').locator('charla-messenger').locator('.msg.bot .author').first();
  t.match(await author.textContent(), /Tienda\s*Bot$/, 'the bot\'s message is marked: the site\'s name and "Bot"');
  const button = visitor.page.getByRole('button', { name: 'Envíos', exact: true });
  await button.waitFor({ timeout: 15_000 });
  t.pass('the visitor gets the reply and the question\'s button');
  await button.click();
  await visitor.page.getByText('Enviamos en 24 horas.').waitFor({ timeout: 15_000 });
  t.pass('pressing the button gets the next step');

  // The returns article suggested by a rule: a knowledge-base card that opens it in the messenger.
  const article = await h.api('POST', '/api/v1/kb/articles', { title: 'Devoluciones', body: 'Tienes **30 días** para devolver tu pedido.', locale: 'es', status: 'published' }, h.owner.token);
  t.equal(article.status, 201, article.text);
  const suggest = await h.api('POST', '/api/v1/bot/rules', { name: 'Devoluciones', trigger: 'message', conditions: { keywords: ['devolución'] }, actions: [{ type: 'suggest_articles' }] }, h.owner.token);
  t.equal(suggest.status, 201, suggest.text);
  await textbox.fill('Quiero hacer una devolución');
  await textbox.press('Enter');
  const read = visitor.page.getByRole('button', { name: 'Read the article', exact: true });
  await read.waitFor({ timeout: 15_000 });
  t.equal(await visitor.page.locator('.block-article strong').first().textContent(), 'Devoluciones', 'the suggestion is the returns article\'s card');
  await read.first().click();
  await visitor.page.getByRole('tabpanel').getByRole('heading', { name: 'Devoluciones' }).waitFor();
  t.pass('the card opens the article in the messenger');
  t.same(visitor.errors, [], 'no page errors');

  await page.getByTestId('bot-stats').getByRole('button', { name: 'Refresh' }).click();
  await page.locator('[data-stats="Ayuda"]').filter({ hasText: /Ayuda\s*1/ }).waitFor();
  t.pass('the stats count the answer');
});

t.test('the decision-tree editor: questions, buttons leading on, the server\'s refusal shown, then saved', async (t) => {
  if (!requirePart('Chromium (/usr/bin/chromium)', browserAvailable(), t)) return;
  if (!requirePart('the admin build with the bot UI (npm run build -w @charla/admin)', compiledIn, t)) return;
  const h = await startHarness();
  t.teardown(() => h.close());
  const { page } = await h.newPage();
  await logIn(page, h.owner.email, h.owner.password);
  await page.waitForURL(/\/admin\/inbox/);
  await page.goto('/admin/bot');
  const flows = page.getByTestId('bot-flows');
  await flows.getByRole('button', { name: 'New decision tree' }).click();
  const editor = page.getByTestId('bot-flow-editor');
  await editor.getByLabel('Tree name').fill('Soporte');
  await editor.locator('#node-text-0').fill('¿Qué necesitas?');
  await editor.getByRole('button', { name: 'Add question' }).click();
  await editor.locator('#node-text-1').fill('¿Ya llegó tu pedido?');
  const start = editor.locator('[data-node="start"]');
  await start.getByRole('button', { name: 'Add button' }).click();
  await start.getByLabel('Button text start 1').fill('Mi pedido');
  await start.getByLabel('Leads to start 1').selectOption('step1');
  const step = editor.locator('[data-node="step1"]');
  await step.getByRole('button', { name: 'Add button' }).click();
  await step.getByLabel('Button text step1 1').fill('Volver');
  await step.getByLabel('Leads to step1 1').selectOption('start');
  await editor.getByRole('button', { name: 'Save tree' }).click();
  await flows.getByRole('alert').filter({ hasText: 'loop with no way out' }).waitFor();
  t.pass('a loop without an exit is refused with the server\'s explanation');

  await step.getByRole('button', { name: 'Add button' }).click();
  await step.getByLabel('Button text step1 2').fill('Hablar con una persona');
  await step.getByLabel('Reply when pressed (optional) step1 2').fill('Te paso con el equipo.');
  await step.locator('label', { hasText: 'Hand off to the team' }).nth(1).locator('input').check();
  await editor.getByRole('button', { name: 'Save tree' }).click();
  await flows.locator('[data-flow="Soporte"]').waitFor();
  const saved = (await h.api('GET', '/api/v1/bot/flows', undefined, h.owner.token)).body.flows[0];
  t.same(saved.nodes, {
    start: { content: '¿Qué necesitas?', buttons: [{ id: 'b1', label: 'Mi pedido', next: 'step1' }] },
    step1: { content: '¿Ya llegó tu pedido?', buttons: [{ id: 'b1', label: 'Volver', next: 'start' }, { id: 'b2', label: 'Hablar con una persona', actions: [{ type: 'reply', content: 'Te paso con el equipo.' }, { type: 'handoff' }] }] },
  }, 'the tree is stored as built');
});
