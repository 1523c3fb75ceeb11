import t from 'tap';
import { addAgent, conversation, cradle, goOnline, newConversation, replyAs, settle, startEnv, world } from './helpers.js';

const MIN = 60_000;

t.test('SLA: due time per priority, warning before expiry, breach stored, e-mail to the assignee or the admins', async (t) => {
  const env = await startEnv();
  t.teardown(() => env.close());
  const { s, smtp, clock } = env;
  const w = await world(s, { slaFirstResponseMinutes: 10, slaHighPriorityFirstResponseMinutes: 4, slaWarningMinutes: 2 });
  const bea = await addAgent(s, smtp, w, 'Bea');
  const sock = await goOnline(s, bea);

  const start = clock.now().getTime();
  const late = await newConversation(s, w.site.appId); // Bea's, never answered
  const quick = await newConversation(s, w.site.appId); // Bea's, answered in time
  t.equal((await conversation(s, bea.token, late.id)).assigneeId, bea.userId);
  const st = await s.request('GET', `/api/v1/inbox/conversations/${late.id}/state`, { token: bea.token });
  t.equal(st.body.sla.state, 'ok');
  t.ok(Math.abs(Date.parse(st.body.sla.dueAt) - (start + 10 * MIN)) < 5000, 'due 10 minutes after it started');
  const open = await s.request('GET', '/api/v1/inbox/sla', { token: bea.token });
  t.same(open.body.conversations.map((c: { conversationId: string }) => c.conversationId).sort(), [late.id, quick.id].sort());

  await replyAs(s, bea, quick.id);
  t.equal((await s.request('GET', `/api/v1/inbox/conversations/${quick.id}/state`, { token: bea.token })).body.sla.state, 'met');
  await sock.waitFor((f) => f.event === 'inbox:sla' && f.data.conversationId === quick.id && f.data.state === 'met');

  clock.advance(7 * MIN);
  await settle(s);
  t.equal(sock.frames.filter((f) => f.event === 'inbox:sla' && f.data.state === 'warning').length, 0, 'no warning before the warning time');
  clock.advance(1 * MIN + 5000);
  await settle(s);
  const warn = await sock.waitFor((f) => f.event === 'inbox:sla' && f.data.conversationId === late.id && f.data.state === 'warning');
  t.equal(warn.data.dueAt, st.body.sla.dueAt);
  const warnMail = await smtp.waitFor((m) => m.to.includes(bea.email) && /SLA warning/.test(m.subject));
  t.match(warnMail.text, late.id, 'the e-mail links to the conversation');
  t.notMatch(warnMail.text, /\d{4}-\d\d-\d\dT\d\d:/, 'no raw ISO timestamp');
  t.match(warnMail.text, /expires at \d{1,2} \w{3} \d{4}, \d\d:\d\d \(UTC\)/, 'a formatted time with its time zone');
  t.equal(sock.frames.filter((f) => f.event === 'inbox:sla' && f.data.conversationId === quick.id && ['warning', 'breached'].includes(f.data.state)).length, 0, 'the answered one never warns');

  clock.advance(2 * MIN);
  await settle(s);
  await sock.waitFor((f) => f.event === 'inbox:sla' && f.data.conversationId === late.id && f.data.state === 'breached');
  await smtp.waitFor((m) => m.to.includes(bea.email) && /SLA breached/.test(m.subject));
  await settle(s);
  t.equal(smtp.messages.filter((m) => m.to.includes(bea.email) && /SLA/.test(m.subject)).length, 2, 'one warning and one breach e-mail, never repeated');
  const sum = await s.request('GET', `/api/v1/inbox/sla/summary?from=${new Date(start - MIN).toISOString()}&to=${new Date(clock.now().getTime() + MIN).toISOString()}`, { token: bea.token });
  t.same({ tracked: sum.body.tracked, met: sum.body.met, breached: sum.body.breached }, { tracked: 2, met: 1, breached: 1 }, 'breaches are stored for reports');
  await replyAs(s, bea, late.id);
  t.equal((await s.request('GET', `/api/v1/inbox/conversations/${late.id}/state`, { token: bea.token })).body.sla.state, 'breached', 'a late reply does not undo the breach');

  // Unassigned (nobody online): the owner and admins get the alert. High priority: the shorter target.
  sock.close();
  await s.request('PATCH', '/api/v1/plugins/inbox', { token: w.owner.token, body: { settings: { autoAssign: false, priorityRules: [{ attribute: 'plan', equals: 'enterprise' }] } } });
  cradle(s).pluginRegistry.forget(w.owner.accountId);
  const t0 = clock.now().getTime();
  const vip = await newConversation(s, w.site.appId, 'Help!', { email: 'vip@example.com', attributes: { plan: 'enterprise' } });
  await cradle(s).events.drain();
  const vst = await s.request('GET', `/api/v1/inbox/conversations/${vip.id}/state`, { token: w.owner.token });
  t.equal(vst.body.priority, 'high');
  t.ok(Math.abs(Date.parse(vst.body.sla.dueAt) - (t0 + 4 * MIN)) < 5000, 'high priority: 4 minutes');
  clock.advance(4 * MIN + 5000);
  await settle(s);
  await smtp.waitFor((m) => m.to.includes(w.owner.email) && /SLA breached: a high-priority/.test(m.subject));
  t.pass('unassigned: the owner is alerted');
});

t.test('notifications: e-mail digests for agents who are not online, per preferences, batched', async (t) => {
  const env = await startEnv();
  t.teardown(() => env.close());
  const { s, smtp, clock } = env;
  const w = await world(s, { emailBatchSeconds: 60 });
  const bea = await addAgent(s, smtp, w, 'Bea');
  const cal = await addAgent(s, smtp, w, 'Cal');
  const beaSock = await goOnline(s, bea);
  // Cal does not want new-conversation e-mails.
  const prefs = await s.request('PATCH', '/api/v1/inbox/notifications/preferences', { token: cal.token, body: { email: { newConversation: false } } });
  t.equal(prefs.status, 200);
  t.same(prefs.body.email, { newConversation: false, newMessage: true, slaAlerts: true });
  t.same((await s.request('GET', '/api/v1/inbox/notifications/preferences', { token: cal.token })).body, prefs.body);

  await newConversation(s, w.site.appId, 'First question');
  await newConversation(s, w.site.appId, 'Second question');
  clock.advance(30_000);
  await settle(s);
  t.equal(smtp.messages.filter((m) => m.to.includes(w.owner.email) && /new conversation/.test(m.subject)).length, 0, 'nothing before the batch window ends');
  clock.advance(31_000);
  await settle(s);
  const digest = await smtp.waitFor((m) => m.to.includes(w.owner.email) && /new conversation/.test(m.subject));
  t.equal(digest.subject, 'Charla: 2 new conversations', 'one e-mail for both');
  t.match(digest.text, 'First question');
  t.match(digest.text, 'Second question');
  t.equal(smtp.messages.filter((m) => m.to.includes(bea.email) && /Charla:/.test(m.subject)).length, 0, 'online agents get no e-mail');
  t.equal(smtp.messages.filter((m) => m.to.includes(cal.email) && /Charla:/.test(m.subject)).length, 0, 'an agent who turned it off gets none');

  // A visitor writes in a conversation assigned to Cal, who is not online.
  const conv = await newConversation(s, w.site.appId, 'Routed to Bea');
  t.equal((await s.request('PATCH', `/api/v1/inbox/conversations/${conv.id}`, { token: bea.token, body: { assigneeId: cal.userId } })).status, 200);
  await s.request('POST', '/api/v1/widget/messages', { token: conv.visitor.token, body: { content: 'Are you there, Cal?', clientId: 'x-1' } });
  await cradle(s).events.drain();
  clock.advance(61_000);
  await settle(s);
  const msg = await smtp.waitFor((m) => m.to.includes(cal.email) && /new message/.test(m.subject));
  t.match(msg.text, 'Are you there, Cal?');
  t.match(msg.text, `/admin/inbox/${conv.id}`);

  // Came back online before the batch went out: no e-mail.
  await s.request('POST', '/api/v1/widget/messages', { token: conv.visitor.token, body: { content: 'Hello again', clientId: 'x-2' } });
  await cradle(s).events.drain();
  const calSock = await goOnline(s, cal);
  clock.advance(61_000);
  await settle(s);
  t.equal(smtp.messages.filter((m) => m.to.includes(cal.email) && /Hello again/.test(m.text)).length, 0, 'nothing for an agent who is back');
  beaSock.close();
  calSock.close();
});
