/**
 * The admin in headless Chromium against a running server: a person's path through
 * sign-up and log in, the live inbox, replying, closing/reopening, inviting a member
 * (the e-mail read from a real SMTP server) and the widget look preview.
 */
import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import t from 'tap';
import { connectSocket } from '@charla/core/testing';
import { ADMIN_DIST, CHROMIUM, browserAvailable, logIn, startHarness, type Harness } from './harness';

const requireAll = process.env.CHARLA_REQUIRE_ALL === '1';

if (!browserAvailable()) {
  if (requireAll) t.fail(`Chromium is required (CHARLA_REQUIRE_ALL=1) but ${CHROMIUM} is missing`);
  else t.comment(`NOT RUN: the admin browser tests did not run: ${CHROMIUM} is missing (apt-get install chromium)`);
} else if (!existsSync(ADMIN_DIST)) {
  t.fail(`the admin is not built (${ADMIN_DIST} is missing): run \`npm run build -w @charla/admin\` first`);
} else {
  let h: Harness;
  let site: { id: string; appId: string; name: string };
  let visitorToken = '';
  let conversationId = '';

  t.before(async () => {
    h = await startHarness();
    // The inbox plugin assigns new conversations automatically; this suite assigns by hand.
    await h.api('PATCH', '/api/v1/plugins/inbox', { settings: { autoAssign: false } });
    const res = await h.api('POST', '/api/v1/sites', { name: 'Shop' });
    if (res.status !== 201) throw new Error(`site: ${res.status} ${JSON.stringify(res.body)}`);
    site = res.body;
  });
  t.teardown(async () => h?.close());

  t.test('sign up through the form lands in the admin', async (t) => {
    const { page } = await h.newPage();
    await page.goto('/admin/signup');
    await page.getByLabel('Company name').fill('Signup Co');
    await page.getByLabel('Your name').fill('Sam');
    await page.getByLabel('Email').fill(`sam-${randomUUID().slice(0, 8)}@example.com`);
    await page.getByLabel('Password').fill('a-long-password');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.waitForURL(/\/admin\/settings\/sites/);
    await page.getByRole('heading', { name: 'Create a site' }).waitFor();
    t.pass('signed up and was taken to the sites settings');
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/admin\/login/);
    await page.goto('/admin/inbox');
    await page.waitForURL(/\/admin\/login/);
    t.pass('after logging out, the inbox sends back to the login');
  });

  t.test('inbox: live message, visitor data, reply with Enter, close and reopen', async (t) => {
    const { page } = await h.newPage();
    await page.goto('/admin/login');
    await page.getByLabel('Email').fill(h.owner.email);
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong e-mail or password' }).waitFor();
    t.pass('a wrong password says so');

    await logIn(page, h.owner.email, h.owner.password);
    await page.waitForURL(/\/admin\/inbox/);
    await page.getByRole('heading', { name: 'Inbox' }).waitFor();
    t.pass('logged in; the inbox is the home screen');

    // A visitor writes (through the widget API) while the agent looks at the inbox.
    const init = await h.api('POST', '/api/v1/widget/init', {
      appId: site.appId,
      page: { url: 'https://shop.example/pricing', title: 'Pricing' },
      user: { name: 'Vera Visitor', email: 'vera@example.com', externalId: 'cust-42' },
    }, '');
    t.equal(init.status, 200, 'widget init');
    visitorToken = init.body.visitorToken;
    const sent = await h.api('POST', '/api/v1/widget/messages', { content: 'Hello, is anyone there?', clientId: randomUUID() }, visitorToken);
    t.equal(sent.status, 201, 'visitor message stored');
    conversationId = sent.body.conversation.id;

    const item = page.locator(`[data-conversation="${conversationId}"]`);
    await item.waitFor();
    t.match(await item.innerText(), /Hello, is anyone there\?/, 'the new conversation appears live, with its last message');
    t.match(await item.innerText(), /Vera Visitor/, 'named after the visitor');

    await item.click();
    await page.waitForURL(new RegExp(`/admin/inbox/${conversationId}`));
    const facts = page.getByTestId('visitor-facts');
    await facts.waitFor();
    t.match(await facts.innerText(), /vera@example\.com/, 'sidebar shows the e-mail');
    t.match(await facts.innerText(), /cust-42/, 'sidebar shows the external id');
    await page.locator('.thread').getByText('Hello, is anyone there?').waitFor();
    t.pass('the conversation view shows the message');

    // The visitor listens on its socket; the agent replies with Enter.
    const visitorSocket = await connectSocket(h.base, visitorToken);
    visitorSocket.send({ op: 'subscribe', channel: `conversation:${conversationId}` });
    await visitorSocket.waitFor((f) => f.op === 'subscribed');
    const reply = page.getByRole('textbox', { name: 'Reply' });
    await reply.fill('Hi Vera, how can I help?');
    await reply.press('Enter');
    const frame = await visitorSocket.waitFor((f) => f.op === 'event' && f.event === 'message:new' && f.data?.message?.content === 'Hi Vera, how can I help?', 10_000);
    t.equal(frame.data.message.senderType, 'agent', 'the visitor receives the agent reply live');
    t.equal(await reply.inputValue(), '', 'the reply box is emptied after sending');

    // Shift+Enter makes a new line instead of sending.
    await reply.fill('line one');
    await reply.press('Shift+Enter');
    await reply.type('line two');
    t.equal(await reply.inputValue(), 'line one\nline two', 'Shift+Enter adds a line');
    await reply.fill('');

    // A live visitor message arrives in the open view.
    await h.api('POST', '/api/v1/widget/messages', { conversationId, content: 'I need an invoice', clientId: randomUUID() }, visitorToken);
    await page.locator('.thread').getByText('I need an invoice').waitFor();
    t.pass('a new visitor message appears in the open conversation without reload');

    // Close, then reopen.
    await page.getByRole('button', { name: 'Close', exact: true }).click();
    await page.getByTestId('conversation-status').filter({ hasText: 'Closed' }).waitFor();
    let conv = await h.api('GET', `/api/v1/inbox/conversations/${conversationId}`);
    t.equal(conv.body.status, 'closed', 'closed on the server');
    await page.getByRole('button', { name: 'Reopen' }).click();
    await page.getByTestId('conversation-status').filter({ hasText: 'Open' }).waitFor();
    conv = await h.api('GET', `/api/v1/inbox/conversations/${conversationId}`);
    t.equal(conv.body.status, 'open', 'reopened on the server');

    // Assign to me.
    await page.getByRole('button', { name: 'Assign to me' }).click();
    await page.getByRole('button', { name: 'Assign to me' }).waitFor({ state: 'detached' });
    conv = await h.api('GET', `/api/v1/inbox/conversations/${conversationId}`);
    t.equal(conv.body.assigneeId, h.owner.userId, 'assigned to the agent');
    visitorSocket.close();

    // The visitor moves to another page: the sidebar's current page follows live.
    const moved = await h.api('POST', '/api/v1/widget/page', { url: 'https://shop.example/checkout', title: 'Checkout' }, visitorToken);
    t.equal(moved.status, 202, 'page view recorded');
    await page.getByTestId('current-url').filter({ hasText: 'https://shop.example/checkout' }).waitFor();
    t.pass('the current page updates live in the sidebar');

    // Another visitor writes: an unread marker in the list, without reload.
    const other = await h.api('POST', '/api/v1/widget/init', { appId: site.appId }, '');
    const otherSent = await h.api('POST', '/api/v1/widget/messages', { content: 'Do you ship to Peru?', clientId: randomUUID() }, other.body.visitorToken);
    const otherItem = page.locator(`[data-conversation="${otherSent.body.conversation.id}"]`);
    await otherItem.locator('.unread-badge').waitFor();
    t.match(await otherItem.innerText(), /Do you ship to Peru\?/, 'the other conversation shows up with an unread marker');
    await page.locator('[data-tab="active"] .count').filter({ hasText: '2' }).waitFor();
    t.pass('the open & pending count follows');

    // The network drops: the banner shows; what was sent meanwhile appears after reconnecting.
    const context = page.context();
    await context.setOffline(true);
    const wss = (h.server.app as unknown as { websocketServer: { clients: Set<{ terminate(): void }> } }).websocketServer;
    for (const c of wss.clients) c.terminate();
    await page.getByTestId('reconnecting').waitFor();
    t.pass('the reconnecting banner shows while the socket is down');
    await h.api('POST', '/api/v1/widget/messages', { conversationId, content: 'Sent while you were offline', clientId: randomUUID() }, visitorToken);
    await context.setOffline(false);
    await page.getByTestId('reconnecting').waitFor({ state: 'detached', timeout: 20_000 });
    await page.locator('.thread').getByText('Sent while you were offline').waitFor({ timeout: 15_000 });
    t.equal(await page.locator('.thread').getByText('Sent while you were offline').count(), 1, 'the missed message appears once, without reload');
  });

  t.test('invite a member by e-mail; the member accepts and logs in', async (t) => {
    const { page } = await h.newPage();
    await logIn(page, h.owner.email, h.owner.password);
    await page.waitForURL(/\/admin\/inbox/);
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('link', { name: 'Team' }).click();
    const email = `ana-${randomUUID().slice(0, 8)}@example.com`;
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await page.getByText(`Invitation sent to ${email}.`).waitFor();
    await page.locator(`[data-invitation="${email}"]`).waitFor();
    t.pass('the invitation is listed as pending');

    const mail = await h.smtp.waitFor((m) => m.to.includes(email), 10_000);
    const link = /https?:\/\/[^\s"<>]+\/admin\/accept-invitation\?token=[^\s"<>]+/.exec(mail.text)?.[0];
    t.ok(link, 'the e-mail holds the accept-invitation link');

    const { page: member } = await h.newPage();
    await member.goto(new URL(link!.replace(/&amp;/g, '&')).pathname + new URL(link!.replace(/&amp;/g, '&')).search);
    await member.getByLabel('Your name').fill('Ana');
    await member.getByLabel('Password').fill('ana-password-1');
    await member.getByRole('button', { name: 'Accept the invitation' }).click();
    await member.waitForURL(/\/admin\/inbox/);
    t.pass('the member is in after accepting');

    await member.getByRole('button', { name: 'Log out' }).click();
    await member.waitForURL(/\/admin\/login/);
    await logIn(member, email, 'ana-password-1');
    await member.waitForURL(/\/admin\/inbox/);
    t.pass('the member logs in with the new password');

    // Ana sees the conversation (default view: every open and pending one) and types in it.
    await member.locator(`[data-conversation="${conversationId}"]`).click();
    await page.goto(`/admin/inbox/${conversationId}`);
    await page.getByRole('textbox', { name: 'Reply' }).waitFor();
    await member.getByRole('textbox', { name: 'Reply' }).type('Let me check');
    await page.getByTestId('agent-typing').filter({ hasText: 'Ana is replying' }).waitFor();
    t.pass('the owner sees "Ana is replying" (soft lock)');
  });

  t.test('widget look: changing the colour changes the preview and is saved', async (t) => {
    const { page } = await h.newPage();
    await logIn(page, h.owner.email, h.owner.password);
    await page.waitForURL(/\/admin\/inbox/);
    await page.goto(`/admin/settings/sites/${site.id}`);
    const snippet = page.getByTestId('snippet');
    await snippet.waitFor();
    t.match(await snippet.innerText(), new RegExp(site.appId), 'the snippet names the appId');
    t.match(await snippet.innerText(), /widget\/loader\.js/, 'the snippet loads the widget');
    const demoHref = await page.getByTestId('demo-link').getAttribute('href');
    t.equal(demoHref, `/demo?appId=${site.appId}`, 'a link opens the demo page with this site\'s widget');
    const { page: demo } = await h.newPage();
    await demo.goto(demoHref!);
    await demo.getByRole('button', { name: 'Open chat' }).waitFor();
    t.match(await demo.locator('h1').innerText(), new RegExp(site.name), 'the demo page hosts this site\'s widget');
    await demo.close();

    const preview = page.getByTestId('widget-preview');
    await preview.waitFor();
    // The preview is the real <charla-messenger> served at /widget/ when the widget is built.
    const widgetBuilt = existsSync(new URL('../../widget/dist/manifest.json', import.meta.url));
    const header = widgetBuilt ? preview.locator('charla-messenger header') : page.getByTestId('widget-preview-header');
    await header.waitFor();
    if (widgetBuilt) t.equal(await preview.getAttribute('data-real-widget'), 'true', 'the preview is the real widget component');
    else t.comment('the widget is not built: the static preview is used');
    await page.getByLabel('Primary colour', { exact: true }).fill('#ff0000');
    await page.waitForFunction(
      (el) => !!el && getComputedStyle(el).backgroundColor === 'rgb(255, 0, 0)',
      await header.elementHandle(),
    );
    t.pass('the preview header turns red as soon as the colour changes');
    await page.getByLabel('Greeting').fill('¡Hola! ¿Qué tal?');
    await preview.getByText('¡Hola! ¿Qué tal?').waitFor();
    t.pass('the preview shows the greeting');
    await page.getByRole('button', { name: 'Save the look' }).click();
    await page.getByText('Saved.').waitFor();
    const saved = await h.api('GET', `/api/v1/sites/${site.id}`);
    t.equal(saved.body.widget.primaryColor.toLowerCase(), '#ff0000', 'the colour is saved');
    t.equal(saved.body.widget.greeting, '¡Hola! ¿Qué tal?', 'the greeting is saved');
  });

  t.test('Settings → Plugins lists the installed plugins with their state', async (t) => {
    const { page } = await h.newPage();
    await logIn(page, h.owner.email, h.owner.password);
    await page.waitForURL(/\/admin\/inbox/);
    await page.goto('/admin/settings/plugins');
    const card = page.locator('[data-plugin="conversations"]');
    await card.waitFor();
    t.ok(await card.getByLabel('On for this account').isChecked(), 'conversations is on');
  });

  t.test('Spanish UI: the login form in Spanish', async (t) => {
    const { page } = await h.newPage();
    await page.goto('/admin/login');
    await page.getByLabel('Language / Idioma').selectOption('es');
    await page.getByLabel('Correo electrónico').waitFor();
    await page.getByLabel('Contraseña').waitFor();
    await page.getByRole('button', { name: 'Iniciar sesión' }).waitFor();
    t.pass('labels switch to Spanish at runtime');
  });
}
