/**
 * The inbox plugin's admin screens in headless Chromium against a real server (the
 * built-in plugins: conversations + inbox), with two agents in two browser contexts:
 * auto-assignment, the live load card, the SLA countdown and its warning, the soft lock
 * and the confirmation before a second reply, quick replies from the reply box, the
 * away toggle on the presence board, and the notification preferences.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import t from 'tap';
import { connectSocket, requirePart } from '@charla/core/testing';
import { browserAvailable, logIn, startHarness, type Harness } from '../../../admin/test/harness.js';

const registry = join(import.meta.dirname, '../../../admin/dist/browser/plugins.json');
const compiledIn =
  existsSync(registry) && (JSON.parse(readFileSync(registry, 'utf8')) as { plugins: Array<{ name: string }> }).plugins.some((p) => p.name === 'inbox');

async function invite(h: Harness, name: string): Promise<{ email: string; password: string; userId: string }> {
  const email = `${name.toLowerCase()}-${randomUUID().slice(0, 8)}@example.com`;
  const inv = await h.api('POST', '/api/v1/team/invitations', { email, role: 'agent' });
  if (inv.status !== 201) throw new Error(`invite: ${inv.status} ${JSON.stringify(inv.body)}`);
  const mail = await h.smtp.waitFor((m) => m.to.includes(email), 10_000);
  const token = /token=([A-Za-z0-9_-]+)/.exec(mail.text)![1];
  const password = `${name}-secret-pw-1`;
  const res = await h.api('POST', '/api/v1/auth/invitations/accept', { token, name, password }, '');
  if (res.status !== 201) throw new Error(`accept: ${res.status} ${JSON.stringify(res.body)}`);
  return { email, password, userId: res.body.user.id };
}

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

t.test('inbox admin screens with two agents', async (t) => {
  if (!requirePart('Chromium (/usr/bin/chromium)', browserAvailable(), t)) return;
  if (!requirePart('the admin build with the inbox UI (npm run build -w @charla/admin)', compiledIn, t)) return;
  const h = await startHarness();
  t.teardown(() => h.close());

  // A 1-minute first-response target, warned 1 minute ahead: a new conversation is in warning at once.
  const settings = await h.api('PATCH', '/api/v1/plugins/inbox', { settings: { slaFirstResponseMinutes: 1, slaWarningMinutes: 1 } });
  t.equal(settings.status, 200, 'short SLA target set');
  const site = (await h.api('POST', '/api/v1/sites', { name: 'Shop' })).body as { id: string; appId: string };
  const ana = await invite(h, 'Ana');

  // Two agents, two browsers.
  const { page: owner } = await h.newPage();
  const { page: anaPage } = await h.newPage();
  await logIn(owner, h.owner.email, h.owner.password);
  await owner.waitForURL(/\/admin\/inbox/);
  await logIn(anaPage, ana.email, ana.password);
  await anaPage.waitForURL(/\/admin\/inbox/);
  await until('both agents online', async () => {
    const agents = (await h.api('GET', '/api/v1/inbox/agents')).body.agents as Array<{ online: boolean }>;
    return agents.filter((a) => a.online).length === 2;
  });

  // The live load card on the dashboard.
  await owner.goto('/admin/dashboard');
  const card = owner.getByTestId('inbox-load-card');
  await card.locator('[data-figure="agentsAvailable"]').filter({ hasText: '2 available' }).waitFor();
  await card.locator('[data-figure="visitorsOnline"]').filter({ hasText: /^0$/ }).waitFor();
  t.pass('the load card shows both agents available and no visitor');

  const init = await h.api('POST', '/api/v1/widget/init', {
    appId: site.appId,
    page: { url: 'https://shop.example/pricing', title: 'Pricing' },
    user: { name: 'Vera Visitor', email: 'vera@example.com' },
  }, '');
  const visitorToken = init.body.visitorToken as string;
  const visitorSocket = await connectSocket(h.base, visitorToken);
  t.teardown(() => visitorSocket.close());
  await card.locator('[data-figure="visitorsOnline"]').filter({ hasText: /^1$/ }).waitFor();
  t.pass('the card counts the visitor who just connected, without reload');

  // A new conversation is auto-assigned and shows up for both agents.
  const sent = await h.api('POST', '/api/v1/widget/messages', { content: 'Where is my order?', clientId: randomUUID() }, visitorToken);
  t.equal(sent.status, 201, 'visitor wrote');
  const conversationId = sent.body.conversation.id as string;
  const assigned = await until('auto-assignment', async () => (await h.api('GET', `/api/v1/inbox/conversations/${conversationId}`)).body.assigneeId as string | null);
  t.ok([h.owner.userId, ana.userId].includes(assigned), 'auto-assigned to one of the two online agents');
  await card.locator('[data-figure="activeConversations"]').filter({ hasText: /^1$/ }).waitFor();
  t.pass('the card counts the active conversation live');

  await anaPage.locator(`[data-conversation="${conversationId}"]`).waitFor();
  t.pass('the conversation appears live in the second agent\'s inbox');
  await anaPage.locator(`[data-conversation="${conversationId}"]`).click();
  await owner.goto(`/admin/inbox/${conversationId}`);

  // SLA countdown in warning (1-minute target, warned 1 minute ahead).
  for (const [who, page] of [['owner', owner], ['Ana', anaPage]] as const) {
    const sla = page.getByTestId('inbox-sla');
    await sla.waitFor();
    await page.locator('[data-testid="inbox-sla"][data-level="warning"]').waitFor();
    t.match(await sla.innerText(), /Reply soon: 0:\d\d left/, `${who} sees the countdown in warning`);
  }
  const first = await owner.getByTestId('inbox-sla').innerText();
  await until('the countdown to tick', async () => (await owner.getByTestId('inbox-sla').innerText()) !== first, 5_000);
  t.pass('the countdown ticks');

  // Soft lock: the owner types; Ana sees it and must confirm her reply.
  const ownerReply = owner.getByRole('textbox', { name: 'Reply' });
  await ownerReply.pressSequentially('Let me check your order');
  const lock = anaPage.getByTestId('inbox-soft-lock');
  await lock.filter({ hasText: 'Owner is replying' }).waitFor();
  t.pass('Ana sees "Owner is replying" in the header');
  const anaReply = anaPage.getByRole('textbox', { name: 'Reply' });
  await anaReply.fill('I am on it');
  await anaReply.press('Enter');
  const confirm = anaPage.getByTestId('send-confirm');
  await confirm.waitFor();
  t.match(await confirm.innerText(), /Owner is replying to this conversation\. Send yours anyway\?/, 'the reply asks for confirmation');
  let msgs = (await h.api('GET', `/api/v1/inbox/conversations/${conversationId}/messages`)).body.messages as Array<{ content: string }>;
  t.notOk(msgs.some((m) => m.content === 'I am on it'), 'nothing is sent before confirming');
  await confirm.getByRole('button', { name: 'Send anyway' }).click();
  await until('the confirmed reply', async () => {
    msgs = (await h.api('GET', `/api/v1/inbox/conversations/${conversationId}/messages`)).body.messages;
    return msgs.some((m) => m.content === 'I am on it');
  });
  t.pass('after confirming, the reply is sent');
  await anaPage.locator('[data-testid="inbox-sla"][data-level="met"]').waitFor();
  t.pass('the first reply meets the target (inbox:sla live)');
  await ownerReply.fill('');

  // Quick replies: created on the management page, inserted with /shortcut.
  await owner.goto('/admin/quick-replies');
  await owner.getByLabel('Shortcut').fill('thanks');
  await owner.getByLabel('Title').fill('Thank the visitor');
  await owner.getByLabel('Text').fill('Thanks {{visitor.name}}, your order ships today.');
  await owner.getByRole('button', { name: 'Create quick reply' }).click();
  await owner.locator('[data-quick-reply="/thanks"]').waitFor();
  t.pass('a quick reply is created from its page');
  await owner.getByLabel('Shortcut').fill('oops');
  await owner.getByLabel('Text').fill('Hi {{visitor.nmae}}');
  await owner.getByRole('button', { name: 'Create quick reply' }).click();
  await owner.getByRole('alert').waitFor();
  t.pass('an unknown variable is refused with a message');
  await owner.getByLabel('Shortcut').fill('');
  await owner.getByLabel('Text').fill('');

  await owner.goto(`/admin/inbox/${conversationId}`);
  const box = owner.getByRole('textbox', { name: 'Reply' });
  await box.pressSequentially('/than');
  await owner.getByRole('option', { name: /\/thanks/ }).waitFor();
  await box.press('Enter');
  await until('the rendered quick reply', async () => (await box.inputValue()) === 'Thanks Vera Visitor, your order ships today.');
  t.pass('"/than" + Enter inserts the rendered quick reply with the visitor\'s name');
  msgs = (await h.api('GET', `/api/v1/inbox/conversations/${conversationId}/messages`)).body.messages;
  t.notOk(msgs.some((m) => m.content.startsWith('/than')), 'picking the quick reply did not send the shortcut');
  await box.press('Enter');
  await until('the quick reply sent', async () => {
    msgs = (await h.api('GET', `/api/v1/inbox/conversations/${conversationId}/messages`)).body.messages;
    return msgs.some((m) => m.content === 'Thanks Vera Visitor, your order ships today.');
  });
  t.pass('then Enter sends it');

  // Presence board: Ana goes away; the owner's board follows live.
  await owner.goto('/admin/team-status');
  const anaRow = owner.locator(`[data-agent="${ana.email}"]`);
  await anaRow.and(owner.locator('[data-presence="online"]')).waitFor();
  t.match(await owner.locator('[data-visitor]').first().innerText(), /Vera Visitor — https:\/\/shop\.example\/pricing/, 'the board lists the visitor online with the current page');
  await anaPage.goto('/admin/team-status');
  await anaPage.getByLabel('My status').selectOption('away');
  await anaRow.and(owner.locator('[data-presence="away"]')).waitFor();
  t.pass('Ana sets herself away; the owner\'s board shows it live');
  const anaAgent = (await h.api('GET', `/api/v1/inbox/agents/${ana.userId}`)).body;
  t.equal(anaAgent.status, 'away', 'stored on the server');

  // Notification preferences (settings section).
  await owner.goto('/admin/settings');
  const prefs = owner.getByTestId('inbox-notifications');
  await prefs.waitFor();
  await prefs.getByRole('group', { name: /E-mail/ }).getByLabel('New messages in my conversations').uncheck();
  await prefs.getByText('Saved.').waitFor();
  const stored = (await h.api('GET', '/api/v1/inbox/notifications/preferences')).body;
  t.equal(stored.email.newMessage, false, 'the e-mail preference is saved');
  t.equal(stored.browser.newMessage, true, 'the browser one is untouched');

  // Priority: a conversation a rule marks high raises an alert on whatever screen the agent is on.
  const rules = await h.api('PATCH', '/api/v1/plugins/inbox', { settings: { priorityRules: [{ attribute: 'plan', equals: 'enterprise' }] } });
  t.equal(rules.status, 200, 'priority rule set');
  const vip = await h.api('POST', '/api/v1/widget/init', { appId: site.appId, user: { name: 'Victor <b>VIP</b>', email: 'victor@bigco.example', attributes: { plan: 'enterprise' } } }, '');
  const vipSent = await h.api('POST', '/api/v1/widget/messages', { content: 'Our whole team is blocked', clientId: randomUUID() }, vip.body.visitorToken as string);
  t.equal(vipSent.status, 201);
  const vipConversation = vipSent.body.conversation.id as string;
  const alert = owner.locator(`[data-testid="inbox-priority-alert"][data-conversation="${vipConversation}"]`);
  await alert.waitFor();
  t.ok(owner.url().includes('/admin/settings'), 'the alert shows on the settings screen (app-wide)');
  const alertText = await alert.innerText();
  t.match(alertText, /High priority: Victor <b>VIP<\/b>/, 'it names the visitor, as text');
  t.match(alertText, /Our whole team is blocked/, 'with the message');
  t.equal(await alert.locator('b').count(), 0, 'markup in the visitor name is not rendered');
  await alert.getByRole('button', { name: 'Open' }).click();
  await owner.waitForURL(new RegExp(`/admin/inbox/${vipConversation}$`));
  t.equal(await alert.count(), 0, '"Open" goes to the conversation and clears the alert');
  // The inbox's contribution to the slot the conversations plugin declares in its visitor panel.
  const why = owner.locator('[data-slot="conversations.visitor-profile"] [data-testid="inbox-visitor-priority"]');
  await why.waitFor();
  t.equal(await why.innerText(), 'High priority: matches the rule plan = enterprise.', 'the visitor panel says why the conversation is high priority');

  // Browser notifications (tab hidden, permission granted) follow my preferences and my assignments.
  // Given as source text: a function would be sent as its compiled source, with tsx's helpers missing in the page.
  await owner.addInitScript(`
    window.__notes = [];
    function FakeNotification(title, o) { window.__notes.push((o && o.body) || ''); }
    FakeNotification.prototype.close = function () {};
    FakeNotification.permission = 'granted';
    FakeNotification.requestPermission = function () { return Promise.resolve('granted'); };
    window.Notification = FakeNotification;
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: function () { return 'hidden'; } });
  `);
  await owner.goto('/admin/inbox');
  await owner.locator('[data-conversation]').first().waitFor();
  const notes = () => owner.evaluate(() => (window as unknown as { __notes: string[] }).__notes);
  const nora = await h.api('POST', '/api/v1/widget/init', { appId: site.appId, user: { name: 'Nora', email: 'nora@example.com' } }, '');
  const noraSays = async (content: string) => {
    const r = await h.api('POST', '/api/v1/widget/messages', { content, clientId: randomUUID(), ...(noraConversation ? { conversationId: noraConversation } : {}) }, nora.body.visitorToken as string);
    if (r.status !== 201 && r.status !== 200) throw new Error(`send: ${r.status}`);
    return r.body.conversation.id as string;
  };
  let noraConversation = '';
  noraConversation = await noraSays('first words');
  await until('the new-conversation notification', async () => (await notes()).includes('first words'));
  t.pass('a new conversation notifies (unassigned or mine, browser.newConversation on)');
  const assignTo = async (userId: string) => t.equal((await h.api('PATCH', `/api/v1/inbox/conversations/${noraConversation}`, { assigneeId: userId })).status, 200);
  await assignTo(h.owner.userId);
  await noraSays('second, to me');
  await until('the new-message notification', async () => (await notes()).includes('second, to me'));
  t.pass('a message in my conversation notifies');
  await assignTo(ana.userId);
  await noraSays('for Ana');
  await assignTo(h.owner.userId);
  t.equal((await h.api('PATCH', '/api/v1/inbox/notifications/preferences', { browser: { newMessage: false } })).status, 200);
  await noraSays('muted');
  // The preference stays off (the policy reads it when a notification is about to show);
  // a new conversation, still notified, marks the end of the events sent before it.
  const olga = await h.api('POST', '/api/v1/widget/init', { appId: site.appId, user: { name: 'Olga' } }, '');
  t.equal((await h.api('POST', '/api/v1/widget/messages', { content: 'sentinel', clientId: randomUUID() }, olga.body.visitorToken as string)).status, 201);
  await until('the sentinel notification', async () => (await notes()).includes('sentinel'));
  const shown = await notes();
  t.notOk(shown.includes('for Ana'), 'a message in a colleague\'s conversation does not notify me');
  t.notOk(shown.includes('muted'), 'nor does one while my browser.newMessage preference is off');
});
