import t from 'tap';
import { createHook, cradle, settle, startEnv, startReceiver, until, verify, visitorWrites, world, type Env } from './helpers.js';

/** The outbox rows written for the webhooks plugin's '*' subscription, by event name. */
async function webhookOutbox(env: Env): Promise<string[]> {
  const { db, jobs } = cradle(env.s);
  const rows = await db.withoutTenant('test: read the outbox', () => jobs.model.findAll({ where: { type: 'core.event' } }));
  return rows
    .map((r) => (typeof r.get('payload') === 'string' ? JSON.parse(r.get('payload') as string) : r.get('payload')) as { name: string; subscriber: string })
    .filter((p) => p.subscriber === 'webhooks:*')
    .map((p) => p.name)
    .sort();
}

t.test('the outbox writes a webhook delivery only for events an enabled endpoint of the account selected', async (t) => {
  const env = await startEnv();
  t.teardown(() => env.close());
  const { s, receiver } = env;
  const w = await world(s);
  const other = await world(s);
  await visitorWrites(s, w.appId, 'nobody listens yet');
  await settle(s);
  t.same(await webhookOutbox(env), [], 'no endpoint: no job for any event (account, site, visitor, conversation, message)');

  const hook = await createHook(s, w.token, { url: receiver.url, events: ['message.created'] });
  await visitorWrites(s, w.appId, 'now someone does');
  await visitorWrites(s, other.appId, 'another account, no endpoint');
  await settle(s);
  t.same(await webhookOutbox(env), ['message.created'], 'one job: the selected event of the account with the endpoint');
  await until(() => receiver.received, (r) => r.length === 1);
  t.ok(verify(hook.secret, receiver.received[0].headers, receiver.received[0].body));

  t.equal((await s.request('PATCH', `/api/v1/webhooks/${hook.id}`, { token: w.token, body: { enabled: false } })).status, 200);
  await visitorWrites(s, w.appId, 'endpoint off');
  await settle(s);
  t.same(await webhookOutbox(env), ['message.created'], 'a disabled endpoint wants nothing');

  // Private notes: written only when an endpoint opted in.
  await s.request('PATCH', `/api/v1/webhooks/${hook.id}`, { token: w.token, body: { enabled: true } });
  const { conversationId } = await visitorWrites(s, w.appId, 'public');
  await settle(s);
  await s.request('POST', `/api/v1/inbox/conversations/${conversationId}/messages`, { token: w.token, body: { content: 'a private note', clientId: 'note-1', private: true } });
  await settle(s);
  t.same(await webhookOutbox(env), ['message.created', 'message.created'], 'the private note wrote no job (no endpoint opted in)');

  // The plugin off for the account: no job either.
  await createHook(s, w.token, { url: `${receiver.url}?all`, events: ['*'] });
  t.equal((await s.request('PATCH', '/api/v1/plugins/webhooks', { token: w.token, body: { enabled: false } })).status, 200);
  await visitorWrites(s, w.appId, 'plugin off');
  await settle(s);
  t.same(await webhookOutbox(env), ['message.created', 'message.created'], 'the plugin off for the account: nothing written');
});

t.test('a slow receiver does not delay another endpoint: per-endpoint concurrency (WEBHOOKS_ENDPOINT_CONCURRENCY)', async (t) => {
  const slow = await startReceiver();
  const fast = await startReceiver();
  const env = await startEnv({
    receiver: slow,
    config: { jobs: { concurrency: 3 } },
    env: { WEBHOOKS_ALLOWED_HOSTS: `127.0.0.1:${slow.port},127.0.0.1:${fast.port}`, WEBHOOKS_ENDPOINT_CONCURRENCY: '1', WEBHOOKS_TIMEOUT_MS: '5000' },
  });
  t.teardown(async () => {
    await env.close();
    await slow.close();
    await fast.close();
  });
  const { s } = env;
  const w = await world(s);
  slow.respond = () => ({ status: 200, delayMs: 800 });
  const slowHook = await createHook(s, w.token, { url: slow.url, events: ['message.created'] });
  await createHook(s, w.token, { url: fast.url, events: ['message.created'] });
  const sent: string[] = [];
  // No settle(): the instance's own worker (3 slots) delivers, as in production.
  for (let i = 0; i < 5; i++) sent.push((await visitorWrites(s, w.appId, `m${i}`)).messageId);
  await until(() => fast.received.length, (n) => n === 5, 10_000);
  t.ok(slow.received.length <= 3, `all 5 reached the fast receiver while the slow one had taken only ${slow.received.length} (800 ms each, one at a time)`);
  await until(() => slow.received.length, (n) => n === 5, 15_000);
  t.equal(slow.peak, 1, 'never more than one request at once to the slow endpoint');
  t.same(slow.received.map((r) => r.json.data.messageId).sort(), [...sent].sort(), 'the slow endpoint still got every message');
  const log = await until(async () => (await s.request('GET', `/api/v1/webhooks/${slowHook.id}/deliveries`, { token: w.token })).body.deliveries as Array<{ status: string; attempts: number }>,
    (l) => l.length === 5 && l.every((d) => d.status === 'delivered'), 10_000);
  t.ok(log.every((d) => d.attempts === 1), 'waiting its turn spends no attempt');
});

t.test('old deliveries are pruned after WEBHOOKS_RETENTION_DAYS by the hourly schedule; pending ones stay', async (t) => {
  const env = await startEnv({ env: { WEBHOOKS_RETENTION_DAYS: '7', WEBHOOKS_RETRY_SCHEDULE: '864000' } });
  t.teardown(() => env.close());
  const { s, receiver, clock } = env;
  const w = await world(s);
  const hook = await createHook(s, w.token, { url: receiver.url, events: ['message.created'] });
  receiver.respond = (r) => (r.json.data.content === 'stuck' ? 500 : 200);
  await visitorWrites(s, w.appId, 'old');
  await visitorWrites(s, w.appId, 'stuck'); // fails, next try in 10 days: pending all along
  await settle(s);
  await until(() => receiver.received, (r) => r.length === 2);
  // Those two were written 8 days ago (row timestamps come from the database, not the test clock).
  const { db, webhookModels: m } = cradle(s);
  const eightDaysAgo = new Date(Date.now() - 8 * 86_400_000);
  await db.withoutTenant('test: age the deliveries', () => m.Delivery.update({ createdAt: eightDaysAgo } as never, { where: { endpointId: hook.id }, silent: true }));
  await visitorWrites(s, w.appId, 'recent');
  await settle(s);
  await until(() => receiver.received, (r) => r.length === 3);
  const all = (await cradle(s).webhookDeliveries.list(w.accountId, hook.id, {})).deliveries;
  t.equal(all.length, 3);
  t.equal(all.filter((d) => new Date(d.createdAt) < new Date(Date.now() - 7 * 86_400_000)).length, 2, 'two of them are older than the retention');
  clock.advance(2 * 3600_000); // past the next hourly slot of webhooks.prune
  await cradle(s).jobs.runDue();
  // The instance's own worker may be the one that took the prune job: wait for its result.
  const left = (await until(() => cradle(s).webhookDeliveries.list(w.accountId, hook.id, {}), (l) => l.deliveries.length < 3, 10_000)).deliveries;
  const old = (d: { createdAt: string }) => new Date(d.createdAt) < new Date(Date.now() - 7 * 86_400_000);
  t.same(left.map((d) => [d.status, old(d)]).sort(), [['delivered', false], ['pending', true]], 'the old delivered one is gone; the old pending one and the recent one stay');
});
