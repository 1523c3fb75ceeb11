import t from 'tap';
import { createTestStore } from '@charla/core/testing';
import { addMember, cid, createHook, cradle, settle, startEnv, startReceiver, until, verify, visitorWrites, world, type Env } from './helpers.js';

type Log = { deliveries: Array<{ id: string; eventId: string; type: string; status: string; attempts: number; lastStatus: number | null; lastError: string | null; durationMs: number | null; nextAttemptAt: string | null; deliveredAt: string | null }> };
const log = async (env: Env, token: string, hookId: string): Promise<Log['deliveries']> => (await env.s.request('GET', `/api/v1/webhooks/${hookId}/deliveries`, { token })).body.deliveries;

t.test('a visitor message reaches the receiver signed, with the event id, once; the log records it', async (t) => {
  const env = await startEnv();
  t.teardown(() => env.close());
  const { s, receiver } = env;
  const w = await world(s);
  const hook = await createHook(s, w.token, { url: receiver.url, events: ['message.created'] });
  const { conversationId, messageId } = await visitorWrites(s, w.appId, 'Where is my order?');
  await settle(s);
  await until(() => receiver.received.length, (n) => n >= 1);
  await settle(s);
  t.equal(receiver.received.length, 1, 'only the selected event (not conversation.created), once');
  const [r] = receiver.received;
  t.ok(verify(hook.secret, r.headers, r.body), 'the signature verifies with an independent implementation');
  t.notOk(verify(`whsec_${Buffer.from('wrong secret bytes').toString('base64')}`, r.headers, r.body), 'and not with another secret');
  t.equal(r.json.id, r.headers['webhook-id'], 'the body id is the webhook-id');
  t.match(r.json, { type: 'message.created', version: 1, accountId: w.accountId, data: { conversationId, messageId, content: 'Where is my order?', senderType: 'visitor' } });
  t.match(r.json.data, { message: { id: messageId, content: 'Where is my order?', private: false }, conversation: { id: conversationId, status: 'open' }, visitor: { id: String } }, 'the full objects the event names');
  t.notOk('tokenVersion' in (r.json.data.visitor as object), 'without internal fields');
  t.ok(Math.abs(Number(r.headers['webhook-timestamp']) - Date.now() / 1000) < 60, 'webhook-timestamp is Unix seconds');
  const [d] = await log(env, w.token, hook.id);
  t.match(d, { eventId: r.json.id, type: 'message.created', status: 'delivered', attempts: 1, lastStatus: 200, lastError: null, nextAttemptAt: null });
  t.type(d.durationMs, 'number');
  t.ok(d.deliveredAt);

  // The outbox may deliver an event to the handler again: the delivery is not duplicated.
  await cradle(s).webhookDeliveries.fanOut({ accountId: w.accountId, private: false }, { id: r.json.id, name: 'message.created', attempt: 2, emittedAt: r.json.createdAt } as never);
  await settle(s);
  t.equal(receiver.received.length, 1, 'a redelivered event adds no delivery');
});

t.test('failures are retried on the schedule with the same webhook-id; Retry-After is honoured; timeouts count as failures', async (t) => {
  const env = await startEnv();
  t.teardown(() => env.close());
  const { s, receiver, clock } = env;
  const w = await world(s);
  const hook = await createHook(s, w.token, { url: receiver.url, events: ['conversation.created'] });
  let calls = 0;
  receiver.respond = () => (++calls === 1 ? 500 : calls === 2 ? 'hang' : 204);
  await visitorWrites(s, w.appId);
  await settle(s);
  let [d] = await until(() => log(env, w.token, hook.id), (l) => l[0]?.attempts === 1);
  t.match(d, { status: 'pending', lastStatus: 500, lastError: 'HTTP 500' });
  const wait = new Date(d.nextAttemptAt!).getTime() - clock.now().getTime();
  t.ok(wait >= 7000 && wait <= 12_500, `the first retry waits 10 s ± jitter (${wait} ms)`);
  await settle(s);
  t.equal(receiver.received.length, 1, 'nothing is sent before the retry is due');

  clock.advance(13_000);
  await settle(s);
  [d] = await until(() => log(env, w.token, hook.id), (l) => l[0]?.attempts === 2);
  t.match(d, { status: 'pending', lastStatus: null, lastError: /timed out after 400 ms/ }, 'a receiver that does not answer in time');

  clock.advance(25_000);
  await settle(s);
  [d] = await until(() => log(env, w.token, hook.id), (l) => l[0]?.status === 'delivered');
  t.match(d, { attempts: 3, lastStatus: 204 });
  t.equal(receiver.received.length, 3);
  t.equal(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size, 1, 'the same webhook-id on every try');
  t.ok(receiver.received.every((r) => verify(hook.secret, r.headers, r.body)));

  receiver.respond = () => ({ status: 429, headers: { 'retry-after': '3600' } });
  await visitorWrites(s, w.appId);
  await settle(s);
  const limited = await until(() => log(env, w.token, hook.id), (l) => l.length === 2 && l[0].attempts === 1);
  t.ok(new Date(limited[0].nextAttemptAt!).getTime() - clock.now().getTime() >= 3_590_000, 'Retry-After: 3600 pushes the retry an hour out');
});

t.test('410 Gone disables the endpoint at once and e-mails the admins; so does a delivery that exhausts its retries', async (t) => {
  const env = await startEnv();
  t.teardown(() => env.close());
  const { s, smtp, receiver, clock } = env;
  const w = await world(s);
  const admin = await addMember(s, smtp, w, 'admin');
  const agent = await addMember(s, smtp, w, 'agent');
  const gone = await createHook(s, w.token, { url: receiver.url, events: ['conversation.created'] });
  const failing = await createHook(s, w.token, { url: `${receiver.url}?failing`, events: ['message.created'] });
  receiver.respond = (r) => (r.json.type === 'conversation.created' ? 410 : 500);
  await visitorWrites(s, w.appId);
  await settle(s);
  const g = await until(() => env.s.request('GET', `/api/v1/webhooks/${gone.id}`, { token: w.token }), (r) => r.body.enabled === false);
  t.match(g.body.disabledReason, '410 Gone');
  t.match((await log(env, w.token, gone.id))[0], { status: 'failed', attempts: 1, lastStatus: 410 });
  for (const to of [w.email, admin.email]) await smtp.waitFor((m) => m.to.includes(to) && /webhook was disabled/.test(m.subject) && m.text.includes(receiver.url));
  t.notOk(smtp.messages.some((m) => m.to.includes(agent.email) && /webhook/.test(m.subject)), 'agents are not told');

  for (const ms of [13_000, 25_000]) {
    clock.advance(ms);
    await settle(s);
  }
  const f = await until(() => env.s.request('GET', `/api/v1/webhooks/${failing.id}`, { token: w.token }), (r) => r.body.enabled === false);
  t.match(f.body.disabledReason, 'after 3 attempts');
  t.match((await log(env, w.token, failing.id))[0], { status: 'failed', attempts: 3, lastStatus: 500 });

  const before = receiver.received.length;
  await visitorWrites(s, w.appId);
  await settle(s);
  t.equal(receiver.received.length, before, 'disabled endpoints receive nothing');
  t.equal((await s.request('POST', `/api/v1/webhooks/${gone.id}/test`, { token: w.token })).status, 409, 'no test event to a disabled endpoint');
  t.equal((await s.request('PATCH', `/api/v1/webhooks/${gone.id}`, { token: w.token, body: { enabled: true } })).body.disabledReason, null, 're-enabling clears the reason');
});

t.test('test events, redelivery, rotation (both signatures for 24 h), private notes only on opt-in, paging', async (t) => {
  const env = await startEnv();
  t.teardown(() => env.close());
  const { s, receiver, clock } = env;
  const w = await world(s);
  const hook = await createHook(s, w.token, { url: receiver.url, events: ['message.created'] });
  const test = await s.request('POST', `/api/v1/webhooks/${hook.id}/test`, { token: w.token });
  t.equal(test.status, 202);
  t.equal(test.body.type, 'webhook.test');
  await settle(s);
  const [first] = await until(() => receiver.received, (r) => r.length === 1);
  t.match(first.json, { type: 'webhook.test', accountId: w.accountId, data: { webhookId: hook.id } });
  t.ok(verify(hook.secret, first.headers, first.body));

  const again = await s.request('POST', `/api/v1/webhooks/${hook.id}/deliveries/${test.body.id}/redeliver`, { token: w.token });
  t.equal(again.status, 202);
  await settle(s);
  await until(() => receiver.received, (r) => r.length === 2);
  t.equal(receiver.received[1].headers['webhook-id'], first.headers['webhook-id'], 'a redelivery keeps the webhook-id');
  t.equal((await until(() => log(env, w.token, hook.id), (l) => l[0].attempts === 2))[0].status, 'delivered');
  t.equal((await s.request('POST', `/api/v1/webhooks/${hook.id}/deliveries/${cid()}/redeliver`, { token: w.token })).status, 404);

  const rotated = (await s.request('POST', `/api/v1/webhooks/${hook.id}/rotate-secret`, { token: w.token })).body;
  const optIn = await createHook(s, w.token, { url: `${receiver.url}?private`, events: ['message.created'], includePrivate: true });
  const { conversationId } = await visitorWrites(s, w.appId);
  await settle(s);
  const note = await s.request('POST', `/api/v1/inbox/conversations/${conversationId}/messages`, { token: w.token, body: { content: 'internal: VIP', clientId: cid(), private: true } });
  t.equal(note.status, 201);
  await settle(s);
  await until(() => receiver.received, (r) => r.length === 5);
  await settle(s);
  const privates = receiver.received.filter((r) => r.json.data.private === true);
  t.same(privates.map((r) => r.json.data.content), ['internal: VIP'], 'the private note went to one endpoint only');
  t.match(privates[0].json.data.message, { content: 'internal: VIP', private: true });
  const toRotated = receiver.received.slice(2).find((r) => !r.json.data.private && r.headers['webhook-signature']!.toString().includes(' '))!;
  t.ok(toRotated, 'the rotated endpoint sends two signatures');
  t.ok(verify(rotated.secret, toRotated.headers, toRotated.body), 'the new secret verifies');
  t.ok(verify(hook.secret, toRotated.headers, toRotated.body), 'the old one still does, for 24 hours');
  t.equal(receiver.received.length, 5);
  void optIn;

  clock.advance(25 * 3600_000);
  await s.request('POST', `/api/v1/webhooks/${hook.id}/test`, { token: w.token });
  await settle(s);
  const late = (await until(() => receiver.received, (r) => r.length === 6))[5];
  t.notOk(late.headers['webhook-signature']!.toString().includes(' '), 'after 24 hours only the new secret signs');
  t.ok(verify(rotated.secret, late.headers, late.body));

  const page1 = (await s.request('GET', `/api/v1/webhooks/${hook.id}/deliveries?limit=2`, { token: w.token })).body;
  t.equal(page1.deliveries.length, 2);
  const page2 = (await s.request('GET', `/api/v1/webhooks/${hook.id}/deliveries?limit=2&cursor=${page1.nextCursor}`, { token: w.token })).body;
  t.equal(page2.deliveries.length, 1);
  t.equal(page2.nextCursor, null);
  t.equal((await s.request('GET', `/api/v1/webhooks/${hook.id}/deliveries?limit=0`, { token: w.token })).status, 400);
  t.equal((await s.request('GET', `/api/v1/webhooks/${hook.id}/deliveries?cursor=zzz`, { token: w.token })).status, 400);
});

t.test('a restart during delivery loses nothing: the next instance sends it, and it is logged once', async (t) => {
  const store = await createTestStore();
  t.teardown(() => store.cleanup());
  const receiver = await startReceiver();
  t.teardown(() => receiver.close());
  const first = await startEnv({ store, receiver });
  const w = await world(first.s);
  const hook = await createHook(first.s, w.token, { url: receiver.url, events: ['conversation.created'] });
  receiver.respond = () => 'hang'; // the instance goes down while the receiver holds the request
  await visitorWrites(first.s, w.appId);
  // The instance's own worker picks the event and the delivery up (no settle: it is closed mid-request).
  await until(() => receiver.received.length, (n) => n === 1);
  await first.close();

  receiver.respond = () => 200;
  const second = await startEnv({ store, receiver });
  t.teardown(() => second.close());
  await settle(second.s);
  const l = await until(() => log(second, w.token, hook.id), (x) => x[0]?.status === 'delivered', 10_000);
  t.equal(l.length, 1, 'one delivery');
  t.equal(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size, 1, 'the retry after the restart carries the same webhook-id');
  t.ok(receiver.received.length >= 2);
});

t.test('redirects are never followed: a 3xx is a failed attempt, even to an allowed host', async (t) => {
  const env = await startEnv();
  t.teardown(() => env.close());
  const { s, receiver } = env;
  const w = await world(s);
  const hook = await createHook(s, w.token, { url: receiver.url, events: ['message.created'] });
  receiver.respond = () => ({ status: 302, headers: { location: `http://127.0.0.1:${receiver.port}/followed` } });
  await visitorWrites(s, w.appId);
  await settle(s);
  const [d] = await until(() => log(env, w.token, hook.id), (l) => l[0]?.attempts === 1);
  t.match(d, { status: 'pending', lastStatus: 302, lastError: 'HTTP 302' }, 'recorded as a failure, to be retried');
  await settle(s);
  t.equal(receiver.received.length, 1, 'the redirect target was never requested');
});
