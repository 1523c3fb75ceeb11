/**
 * Faults of real services, started privately for this file: Redis stopped mid-traffic
 * and restarted (sends succeed, sockets recover, presence heals), PostgreSQL stopped
 * mid-traffic and restarted (clear 503 + Retry-After, retries with the same clientId
 * never duplicate, service resumes by itself).
 */
import t from 'tap';
import { connectSocket, createTestStore, requirePart } from '@charla/core/testing';
import { account, boot, cid, initVisitor, sleep } from './helpers.js';
import { available, startPostgres, startRedis } from './processes.js';

t.test('Redis stopped mid-traffic and restarted', async (t) => {
  if (!requirePart('redis-server binary', available.redis(), t)) return;
  const redis = await startRedis();
  const store = await createTestStore();
  store.redisUrl = redis.url;
  const s = await boot({ store, config: { realtime: { idleTimeoutSeconds: 6, presenceTtlSeconds: 6 } } });
  t.teardown(async () => {
    await s.close().catch(() => undefined);
    await store.cleanup();
    await redis.destroy();
  });
  const a = await account(s, 'Redis');
  const v = await initVisitor(s, a.site.appId);
  const first = await s.request('POST', '/api/v1/widget/messages', { token: v.token, body: { content: 'before', clientId: cid() } });
  t.equal(first.status, 201);
  const conv = first.body.conversation.id as string;
  const agent = await connectSocket(s.url, a.owner.token);
  agent.send({ op: 'subscribe', channel: `conversation:${conv}` });
  await agent.waitFor((f) => f.op === 'subscribed');
  const vsock = await connectSocket(s.url, v.token);

  await redis.stop();
  const during: number[] = [];
  const sentDuring: string[] = [];
  for (let i = 0; i < 5; i++) {
    const clientId = cid();
    const r = await s.request('POST', '/api/v1/widget/messages', { token: v.token, body: { content: `during ${i}`, clientId } });
    during.push(r.status);
    if (r.status === 201) sentDuring.push(clientId);
    else t.ok(r.status === 503 && r.headers['retry-after'], `a refused send is a clear 503 with Retry-After (${r.status} ${r.text.slice(0, 120)})`);
  }
  t.same(during, [201, 201, 201, 201, 201], 'sends still succeed while Redis is down');
  const readyDown = await s.request('GET', '/readyz');
  t.equal(readyDown.status, 503, '/readyz reports Redis down');

  await redis.start();
  let ready = 0;
  for (let i = 0; i < 100 && ready !== 200; i++) {
    ready = (await s.request('GET', '/readyz')).status;
    if (ready !== 200) await sleep(100);
  }
  t.equal(ready, 200, '/readyz recovers by itself');
  // Sockets recover: events flow again (the broker resubscribes), or the client catches up.
  let delivered = false;
  for (let i = 0; i < 30 && !delivered; i++) {
    const content = `after ${i}`;
    await s.request('POST', '/api/v1/widget/messages', { token: v.token, body: { content, clientId: cid() } });
    delivered = await agent.waitFor((f) => f.op === 'event' && f.data?.message?.content === content, 500).then(() => true, () => false);
  }
  t.ok(delivered, 'live events reach the agent socket again after the restart');
  const history = await s.request('GET', `/api/v1/inbox/conversations/${conv}/messages?limit=100`, { token: a.owner.token });
  for (const c of sentDuring) t.equal(history.body.messages.filter((m: { clientId?: string }) => m.clientId === c).length, 1, 'a message sent during the outage is stored once');
  // Presence heals: the restarted Redis is empty; heartbeats put the visitor back.
  let online = false;
  for (let i = 0; i < 40 && !online; i++) {
    const r = await s.request('GET', '/api/v1/inbox/visitors/online', { token: a.owner.token });
    online = JSON.stringify(r.body).includes(v.id);
    if (!online) await sleep(250);
  }
  t.ok(online, 'the connected visitor shows as online again (presence healed)');
  vsock.close();
  agent.close();
});

t.test('PostgreSQL stopped mid-traffic and restarted', async (t) => {
  if (!requirePart('PostgreSQL server binaries (initdb)', available.postgres(), t)) return;
  const pg = await startPostgres();
  const store = await createTestStore();
  store.databaseUrl = pg.url;
  const s = await boot({ store });
  t.teardown(async () => {
    await s.close().catch(() => undefined);
    await store.cleanup().catch(() => undefined);
    await pg.destroy();
  });
  const a = await account(s, 'PG');
  const v = await initVisitor(s, a.site.appId);
  const acked = new Map<string, string>(); // clientId → message id
  const pending: string[] = [];
  const statuses: number[] = [];
  let retryAfterSeen = true;
  const sendOne = async (clientId: string) => {
    const r = await s.request('POST', '/api/v1/widget/messages', { token: v.token, body: { content: `m ${clientId}`, clientId } });
    statuses.push(r.status);
    if (r.status === 201 || r.status === 200) {
      acked.set(clientId, r.body.message.id);
      return true;
    }
    if (r.status !== 503 || !r.headers['retry-after'] || !/problem\+json/.test(String(r.headers['content-type']))) t.fail(`during the outage: expected 503 problem + Retry-After, got ${r.status} ${r.text.slice(0, 160)}`);
    if (!r.headers['retry-after']) retryAfterSeen = false;
    return false;
  };
  for (let i = 0; i < 5; i++) await sendOne(cid());
  let stopped = false;
  const traffic = (async () => {
    for (let i = 0; i < 60; i++) {
      const id = cid();
      if (!(await sendOne(id))) pending.push(id);
      // Resend an unacknowledged one too, as a client would.
      if (pending.length && !stopped) {
        const again = pending[0];
        if (await sendOne(again)) pending.shift();
      }
      await sleep(50);
    }
  })();
  await sleep(300);
  await pg.stop();
  stopped = true;
  await sleep(1500);
  const readyDown = await s.request('GET', '/readyz');
  t.equal(readyDown.status, 503, '/readyz reports the database down');
  await pg.start();
  stopped = false;
  await traffic;
  // Retry everything not acknowledged with the same clientId; and retry acknowledged ones too.
  for (let round = 0; round < 40 && pending.length; round++) {
    const id = pending[0];
    if (await sendOne(id)) pending.shift();
    else await sleep(250);
  }
  t.same(pending, [], 'every send eventually succeeds with its clientId (service resumed by itself)');
  t.ok(statuses.some((x) => x === 503), 'the outage was visible as 503s');
  t.ok(retryAfterSeen, 'every 503 carried Retry-After');
  t.notOk(statuses.some((x) => x >= 500 && x !== 503), 'no other 5xx');
  const replays = [...acked.keys()].slice(0, 10);
  for (const c of replays) {
    const r = await s.request('POST', '/api/v1/widget/messages', { token: v.token, body: { content: `m ${c}`, clientId: c } });
    t.equal(r.status, 200, 'a replayed clientId returns the first message (200)');
    t.equal(r.body.message.id, acked.get(c), 'the same message');
  }
  const conv = (await s.request('GET', '/api/v1/widget/conversations', { token: v.token })).body.conversations[0].id as string;
  const all = await s.request('GET', `/api/v1/inbox/conversations/${conv}/messages?limit=200`, { token: a.owner.token });
  const byClient = new Map<string, number>();
  for (const m of all.body.messages as { clientId?: string }[]) if (m.clientId) byClient.set(m.clientId, (byClient.get(m.clientId) ?? 0) + 1);
  t.equal([...byClient.values()].filter((n) => n > 1).length, 0, 'no clientId stored twice');
  t.same([...acked.keys()].filter((c) => !byClient.has(c)), [], 'every acknowledged message is stored');
  const seqs = (all.body.messages as { seq: number }[]).map((m) => m.seq);
  t.same(seqs, seqs.map((_x, i) => seqs[0] + i), 'seq has no gaps or repeats');
});
