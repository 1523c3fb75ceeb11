/**
 * Issue 24: Settings → Plugins speaks to a person — every setting with a human label and
 * help text and a proper control (switches, number inputs, a select with named options,
 * rows for the priority rules), in English and Spanish; saving the form round-trips.
 */
import t from 'tap';
import type { Page } from 'playwright-core';
import { adminSuiteReady, logIn, startHarness, type Harness } from './harness';

if (adminSuiteReady(t)) {
  let h: Harness;
  let page: Page;
  t.before(async () => {
    h = await startHarness();
    ({ page } = await h.newPage({ viewport: { width: 1366, height: 850 } }));
    await logIn(page, h.owner.email, h.owner.password);
    await page.waitForURL(/\/admin\/inbox/);
  });
  t.teardown(async () => h?.close());

  const inboxCard = async () => {
    await page.goto('/admin/settings/plugins');
    const card = page.locator('[data-plugin="inbox"]');
    await card.locator('[data-setting="autoAssign"]').waitFor();
    return card;
  };

  t.test('labels, help and controls from the settings schema (English)', async (t) => {
    const card = await inboxCard();
    const text = await card.innerText();
    for (const raw of ['autoAssign', 'disconnectGraceSeconds', 'priorityRules', '(JSON)']) t.notMatch(text, raw, `no raw "${raw}"`);
    t.ok(await card.getByRole('switch', { name: 'Assign automatically' }).isChecked(), 'a boolean is a switch, with its label');
    t.match(text, /Give each new conversation to the online agent/, 'with its help text');
    const grace = card.getByLabel('Grace period (seconds)');
    t.equal(await grace.getAttribute('type'), 'number', 'a number is a number input');
    t.equal(await grace.getAttribute('min'), '0', 'with the schema bounds');
    const disconnect = card.getByLabel('When an agent disconnects');
    t.same(await disconnect.locator('option').allInnerTexts(), ['Reassign them (they keep their place)', 'Return them to the queue', 'Keep them assigned'], 'an enum is a select with named options');
    t.equal(await card.locator('textarea').count(), 0, 'no JSON textarea');
  });

  t.test('priority rules as rows; the form saves and reloads what was set', async (t) => {
    let card = await inboxCard();
    const rules = card.locator('[data-setting="priorityRules"]');
    await rules.getByRole('button', { name: 'Add' }).click();
    await rules.getByLabel('Attribute').fill('plan');
    await rules.getByLabel('Equals').fill('enterprise');
    await card.getByRole('switch', { name: 'Show the queue position' }).uncheck();
    await card.getByLabel('Grace period (seconds)').fill('300');
    await card.getByLabel('When an agent disconnects').selectOption('queue');
    await card.getByRole('button', { name: 'Save' }).click();
    await card.getByText('Saved').waitFor();
    const saved = (await h.api('GET', '/api/v1/plugins/inbox')).body.settings;
    t.match(saved, { priorityRules: [{ attribute: 'plan', equals: 'enterprise' }], showQueuePosition: false, disconnectGraceSeconds: 300, onAgentDisconnect: 'queue', autoAssign: true });
    await page.reload();
    card = await inboxCard();
    t.equal(await card.locator('[data-setting="priorityRules"]').getByLabel('Attribute').inputValue(), 'plan', 'the rule is shown after a reload');
    t.equal(await card.getByLabel('When an agent disconnects').inputValue(), 'queue');
    t.notOk(await card.getByRole('switch', { name: 'Show the queue position' }).isChecked());
  });

  t.test('in Spanish', async (t) => {
    await page.evaluate(() => localStorage.setItem('charla.locale', 'es'));
    const card = await inboxCard();
    t.ok(await card.getByRole('switch', { name: 'Asignar automáticamente' }).isVisible(), 'Spanish label');
    t.match(await card.innerText(), /Da cada conversación nueva al agente conectado/, 'Spanish help');
    t.ok(await card.getByLabel('Periodo de gracia (segundos)').isVisible());
    t.match(await card.getByLabel('Cuando un agente se desconecta').locator('option').allInnerTexts(), ['Reasignarlas (conservan su puesto)', 'Devolverlas a la cola', 'Mantenerlas asignadas']);
    await page.evaluate(() => localStorage.setItem('charla.locale', 'en'));
  });
}
