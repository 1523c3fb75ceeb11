import t from 'tap';
import { ManualClock } from '@charla/core';
import { connectSocket } from '@charla/core/testing';
import { article, flow, history, lines, rule, say, settle, startBotServer, visitor, world, type Msg } from './helpers.js';

t.test('"Quiero hacer una devolución" gets the reply and the returns article: bot messages after the visitor\'s, in history, sockets and catch-up', async (t) => {
  const s = await startBotServer({ listen: true });
  t.teardown(() => s.close());
  const w = await world(s);
  const returns = await article(s, w.token, { title: 'Devoluciones', body: 'Cómo hacer una devolución: entra en tu cuenta.', status: 'published' });
  await article(s, w.token, { title: 'Envíos', body: 'Enviamos a toda España.', status: 'published' });
  await rule(s, w.token, { name: 'Devoluciones', trigger: 'message', conditions: { keywords: ['devolución'] }, actions: [{ type: 'reply', content: 'Te ayudo con la devolución.' }, { type: 'suggest_articles' }] });
  const v = await visitor(s, w.site.appId, { locale: 'es-ES' });
  const first = await say(s, v.token, 'hola');
  const conv = first.conversation.id;
  const agentSocket = await connectSocket(s.url, w.token);
  agentSocket.send({ op: 'subscribe', channel: `conversation:${conv}` });
  const visitorSocket = await connectSocket(s.url, v.token);
  visitorSocket.send({ op: 'subscribe', channel: `conversation:${conv}` });
  t.teardown(() => { agentSocket.close(); visitorSocket.close(); });
  await agentSocket.waitFor((f) => f.op === 'subscribed');
  await visitorSocket.waitFor((f) => f.op === 'subscribed');

  const sent = await say(s, v.token, 'Quiero hacer una DEVOLUCION', conv);
  await settle(s);
  const msgs = await history(s, w.token, conv);
  t.same(lines(msgs), ['visitor: hola', 'visitor: Quiero hacer una DEVOLUCION', 'bot: Te ayudo con la devolución.', 'bot: Estos artículos pueden ayudarte:'], '"hola" matched nothing; the bot answers after the visitor\'s message');
  t.same(msgs[3].metadata?.articles, [{ id: returns.id, title: 'Devoluciones', slug: returns.slug }], 'the best match only: the returns article');
  t.same(msgs[3].metadata?.blocks, [{ type: 'article', id: returns.id, title: 'Devoluciones', slug: returns.slug }], 'as a knowledge-base article card the widget opens');
  t.equal(msgs[2].metadata?.responder, 'bot');
  for (const sock of [agentSocket, visitorSocket]) {
    const frame = await sock.waitFor((f) => f.event === 'message:new' && f.data.message.content === 'Estos artículos pueden ayudarte:');
    t.equal(frame.data.message.senderType, 'bot', 'message:new on the socket, as sender bot');
  }
  const widget = await s.request('GET', `/api/v1/widget/conversations/${conv}/messages`, { token: v.token });
  t.same(widget.body.messages.map((m: Msg) => m.senderType), ['visitor', 'visitor', 'bot', 'bot'], 'the visitor\'s history');
  const catchUp = await s.request('GET', `/api/v1/widget/conversations/${conv}/messages?after=${sent.message.id}`, { token: v.token });
  t.same(catchUp.body.messages.map((m: Msg) => m.content), ['Te ayudo con la devolución.', 'Estos artículos pueden ayudarte:'], 'catch-up after the visitor\'s message');
});

t.test('buttons and flows: a press becomes the visitor\'s message and the bot answers with the next step; a hand-off silences it', async (t) => {
  const s = await startBotServer();
  t.teardown(() => s.close());
  const w = await world(s);
  const tree = await flow(s, w.token, {
    name: 'Soporte', startNodeId: 'start',
    nodes: {
      start: { content: '¿Qué necesitas?', buttons: [{ id: 'pedido', label: 'Mi pedido', next: 'pedido' }, { id: 'persona', label: 'Una persona', actions: [{ type: 'handoff', content: 'Te paso con el equipo.' }] }] },
      pedido: { content: '¿Ya llegó?', buttons: [{ id: 'no', label: 'No', actions: [{ type: 'reply', content: 'Lo miramos.' }, { type: 'set_status', status: 'pending' }] }, { id: 'volver', label: 'Volver', next: 'start' }] },
    },
  });
  await rule(s, w.token, { name: 'Ayuda', trigger: 'message', conditions: { keywords: ['ayuda'] }, actions: [{ type: 'buttons', content: '¿Te ayudo?', buttons: [{ label: 'Sí', reply: 'Genial.', flowId: tree.id }, { label: 'No', reply: 'Vale.' }] }] });
  const v = await visitor(s, w.site.appId);
  const conv = (await say(s, v.token, 'necesito ayuda')).conversation.id;
  await settle(s);
  let msgs = await history(s, w.token, conv);
  const offer = msgs[1];
  t.same(offer.metadata?.buttons, [{ id: 'b0', label: 'Sí' }, { id: 'b1', label: 'No' }], 'metadata.buttons');
  t.same(offer.metadata?.blocks, [{ type: 'bot-buttons', buttons: [{ id: 'b0', label: 'Sí' }, { id: 'b1', label: 'No' }] }], 'a block the platform\'s postback can press');

  const press = async (messageId: string, buttonId: string) => s.request('POST', '/api/v1/widget/bot/answer', { token: v.token, body: { conversationId: conv, messageId, buttonId } });
  const yes = await press(offer.id, 'b0');
  t.equal(yes.status, 201);
  t.match(yes.body.message, { senderType: 'visitor', content: 'Sí', metadata: { postback: { messageId: offer.id, buttonId: 'b0', blockType: 'bot-buttons' } } }, 'the choice is the visitor\'s message');
  t.equal((await press(offer.id, 'b0')).status, 200, 'pressing again answers the first message');
  await settle(s);
  msgs = await history(s, w.token, conv);
  t.same(lines(msgs), ['visitor: necesito ayuda', 'bot: ¿Te ayudo?', 'visitor: Sí', 'bot: Genial.', 'bot: ¿Qué necesitas?'], 'the button\'s reply, then the flow\'s start node; the label did not match a rule again');
  const start = msgs[4];
  await press(start.id, 'pedido');
  await settle(s);
  msgs = await history(s, w.token, conv);
  t.same(lines(msgs).slice(5), ['visitor: Mi pedido', 'bot: ¿Ya llegó?']);
  // The platform's own postback route works on bot buttons too.
  const viaPlatform = await s.request('POST', `/api/v1/widget/conversations/${conv}/postback`, { token: v.token, body: { messageId: msgs[6].id, buttonId: 'volver' } });
  t.equal(viaPlatform.status, 201);
  await settle(s);
  msgs = await history(s, w.token, conv);
  t.same(lines(msgs).slice(7), ['visitor: Volver', 'bot: ¿Qué necesitas?'], 'a loop back to the start');

  t.equal((await press(msgs[8].id, 'ghost')).status, 400, 'a button the message does not have');
  t.equal((await press(msgs[0].id, 'b0')).status, 404, 'a message that is not the bot\'s');
  const other = await visitor(s, w.site.appId);
  t.equal((await s.request('POST', '/api/v1/widget/bot/answer', { token: other.token, body: { conversationId: conv, messageId: msgs[8].id, buttonId: 'persona' } })).status, 404, 'another visitor\'s conversation');
  t.equal((await s.request('POST', '/api/v1/widget/bot/answer', { token: v.token, body: { conversationId: conv } })).status, 400, 'missing fields');

  await press(msgs[8].id, 'persona');
  await settle(s);
  msgs = await history(s, w.token, conv);
  t.same(lines(msgs).slice(9), ['visitor: Una persona', 'bot: Te paso con el equipo.'], 'the hand-off button\'s message');
  await say(s, v.token, 'ayuda otra vez', conv);
  await settle(s);
  t.same(lines(await history(s, w.token, conv)).slice(11), ['visitor: ayuda otra vez'], 'after the hand-off the bot is silent, even on a matching message');
});

t.test('silent after an agent replied; private notes and agent messages never trigger it; at most once per visitor message under redelivery', async (t) => {
  const s = await startBotServer();
  t.teardown(() => s.close());
  const w = await world(s);
  await rule(s, w.token, { name: 'Precio', trigger: 'message', conditions: { keywords: ['precio'] }, actions: [{ type: 'reply', content: 'Nuestros precios…' }] });
  const v = await visitor(s, w.site.appId);
  const sent = await say(s, v.token, 'el precio?');
  const conv = sent.conversation.id;
  const { jobs } = s.app.charla.container.cradle;
  await settle(s);
  // Redelivery: the same turn queued again (as after a crash or by a second instance).
  await jobs.enqueue('conversations.respond', { accountId: w.accountId, conversationId: conv, messageId: sent.message.id }, { accountId: w.accountId });
  await jobs.enqueue('conversations.respond', { accountId: w.accountId, conversationId: conv, messageId: sent.message.id }, { accountId: w.accountId });
  await settle(s);
  t.same(lines(await history(s, w.token, conv)), ['visitor: el precio?', 'bot: Nuestros precios…'], 'one answer however often the turn is delivered');

  const note = await s.request('POST', `/api/v1/inbox/conversations/${conv}/messages`, { token: w.token, body: { content: 'precio interno', private: true, clientId: 'n1' } });
  t.equal(note.status, 201);
  await settle(s);
  t.same(lines(await history(s, w.token, conv)).slice(2), ['agent: precio interno'], 'a private note never triggers the bot');
  await say(s, v.token, 'y el precio final?', conv);
  await settle(s);
  t.same(lines(await history(s, w.token, conv)).slice(3), ['visitor: y el precio final?', 'bot: Nuestros precios…'], 'a note is not a human reply: the bot still answers');

  await s.request('POST', `/api/v1/inbox/conversations/${conv}/messages`, { token: w.token, body: { content: 'Hola, soy Ana: el precio es 10 €', clientId: 'a1' } });
  await settle(s);
  t.same(lines(await history(s, w.token, conv)).slice(5), ['agent: Hola, soy Ana: el precio es 10 €'], 'an agent message with the keyword does not trigger it');
  await say(s, v.token, 'gracias, ¿y el precio con IVA?', conv);
  await settle(s);
  t.same(lines(await history(s, w.token, conv)).slice(6), ['visitor: gracias, ¿y el precio con IVA?'], 'after an agent replied the bot stays silent');
});

t.test('outside office hours (controlled clock): the configured reply once, the conversation left pending; inside hours nothing', async (t) => {
  const clock = new ManualClock();
  const s = await startBotServer({ clock });
  t.teardown(() => s.close());
  const w = await world(s);
  // Open one hour a day, starting two hours from now: closed now, open after +2h.
  const hh = (h: number) => `${String(((h % 24) + 24) % 24).padStart(2, '0')}:00`;
  const h = new Date().getUTCHours();
  await s.request('PATCH', `/api/v1/sites/${w.site.id}`, { token: w.token, body: { widget: { officeHours: { timezone: 'UTC', days: [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, open: hh(h + 2), close: hh(h + 4) })) } } } });
  await rule(s, w.token, { name: 'Fuera de horario', trigger: 'outside_hours', actions: [{ type: 'reply', content: 'Estamos fuera de horario.' }, { type: 'set_status', status: 'pending' }] });
  const v = await visitor(s, w.site.appId);
  const conv = (await say(s, v.token, 'hola?')).conversation.id;
  await settle(s);
  t.same(lines(await history(s, w.token, conv)), ['visitor: hola?', 'bot: Estamos fuera de horario.']);
  t.equal((await s.request('GET', `/api/v1/inbox/conversations/${conv}`, { token: w.token })).body.status, 'pending', 'left pending for the team');
  await say(s, v.token, '¿hay alguien?', conv);
  await settle(s);
  t.same(lines(await history(s, w.token, conv)).slice(2), ['visitor: ¿hay alguien?'], 'the out-of-hours reply comes once per conversation');

  clock.advance(2.5 * 3600_000);
  const v2 = await visitor(s, w.site.appId);
  const conv2 = (await say(s, v2.token, 'hola')).conversation.id;
  await settle(s);
  t.same(lines(await history(s, w.token, conv2)), ['visitor: hola'], 'inside office hours the rule does not act');
  t.equal((await s.request('GET', `/api/v1/inbox/conversations/${conv2}`, { token: w.token })).body.status, 'open');
});

t.test('stats: fired, handed off, resolved without an agent; a plugin turned off answers nothing', async (t) => {
  const s = await startBotServer();
  t.teardown(() => s.close());
  const w = await world(s);
  const faq = await rule(s, w.token, { name: 'Horario', trigger: 'message', conditions: { keywords: ['horario'] }, actions: [{ type: 'reply', content: 'De 9 a 17.' }] });
  const human = await rule(s, w.token, { name: 'Persona', trigger: 'message', conditions: { keywords: ['persona'] }, actions: [{ type: 'handoff', content: 'Te paso.' }] });
  const ask = async (content: string) => {
    const v = await visitor(s, w.site.appId);
    const conv = (await say(s, v.token, content)).conversation.id;
    await settle(s);
    return conv;
  };
  const c1 = await ask('¿horario?');
  await ask('¿cuál es el horario?');
  await ask('quiero una persona');
  await s.request('PATCH', `/api/v1/inbox/conversations/${c1}`, { token: w.token, body: { status: 'closed' } });
  const stats = await s.request('GET', '/api/v1/bot/stats', { token: w.token });
  t.equal(stats.status, 200);
  t.same(stats.body.rules, [
    { ruleId: faq.id, name: 'Horario', fired: 2, handedOff: 0, resolvedWithoutAgent: 1 },
    { ruleId: human.id, name: 'Persona', fired: 1, handedOff: 1, resolvedWithoutAgent: 0 },
  ]);
  const past = await s.request('GET', '/api/v1/bot/stats?from=2020-01-01&to=2020-01-31', { token: w.token });
  t.same(past.body.rules.map((r: { fired: number }) => r.fired), [0, 0], 'a range with nothing in it');
  t.equal((await s.request('GET', '/api/v1/bot/stats?from=2026-02-01&to=2026-01-01', { token: w.token })).status, 400, 'from after to');
  t.equal((await s.request('GET', '/api/v1/bot/stats?from=2020-01-01&to=2026-01-01', { token: w.token })).status, 400, 'over 366 days');
  t.equal((await s.request('GET', '/api/v1/bot/stats?from=soon', { token: w.token })).status, 400, 'not a date');

  t.equal((await s.request('PATCH', '/api/v1/plugins/bot', { token: w.token, body: { enabled: false } })).status, 200);
  const quiet = await ask('¿horario?');
  t.same(lines(await history(s, w.token, quiet)), ['visitor: ¿horario?'], 'turned off for the account: no answer');
  t.equal((await s.request('GET', '/api/v1/bot/rules', { token: w.token })).status, 404, 'and its routes are off');
});

t.test('e-mail continuity: the bot\'s answers are in the offline e-mail with the agent\'s reply', async (t) => {
  const { startSmtpServer } = await import('@charla/core/testing');
  const smtp = await startSmtpServer();
  const clock = new ManualClock();
  const s = await startBotServer({ clock, config: { smtpUrl: smtp.url } });
  t.teardown(async () => { await s.close(); await smtp.close(); });
  const w = await world(s);
  await rule(s, w.token, { name: 'Precio', trigger: 'message', conditions: { keywords: ['precio'] }, actions: [{ type: 'reply', content: 'Nuestros precios empiezan en 10 €.' }] });
  const v = await visitor(s, w.site.appId);
  const email = 'carla-bot@example.com';
  const identified = await s.request('POST', '/api/v1/widget/identify', { token: v.token, body: { email, name: 'Carla' } });
  t.equal(identified.status, 200);
  const link = await smtp.waitFor((m) => m.to.includes(email) && /email-confirmation\?token=/.test(m.text));
  const url = new URL(/https?:\/\/\S+email-confirmation\?token=\S+/.exec(link.text)![0]);
  const confirmed = await s.app.inject({ method: 'POST', url: url.pathname + url.search, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '' });
  t.equal(confirmed.statusCode, 200, 'the visitor\'s address is confirmed');
  const token = identified.body.visitorToken as string;
  const conv = (await say(s, token, '¿el precio?')).conversation.id;
  await settle(s);
  await s.request('POST', `/api/v1/inbox/conversations/${conv}/messages`, { token: w.token, body: { content: 'Y con envío gratis.', clientId: 'e1' } });
  clock.advance(3 * 60_000);
  await s.app.charla.container.cradle.jobs.runDue();
  const mail = await smtp.waitFor((m) => m.to.includes(email) && /New reply/.test(m.subject));
  t.match(mail.text, /Bot:\r?\nNuestros precios empiezan en 10/, 'the bot\'s answer, named as the bot');
  t.match(mail.text, /Owner:\r?\nY con env/, 'and the agent\'s reply');
});
