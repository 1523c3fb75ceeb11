import t from 'tap';
import { backend, createTestStore, requirePart, startSmtpServer } from '@charla/core/testing';
import { createHook, settle, startEnv, startReceiver, until, verify, visitorWrites, world } from './helpers.js';

// Two servers sharing PostgreSQL + Redis, both running the job workers.
t.test('two instances: every event reaches the receiver, each once', async (t) => {
  if (!requirePart('two instances (needs DATABASE_URL and REDIS_URL)', backend.postgres && backend.redis, t)) return;
  const store = await createTestStore();
  const smtp = await startSmtpServer();
  const receiver = await startReceiver();
  const e1 = await startEnv({ store, smtp, receiver });
  const e2 = await startEnv({ store, smtp, receiver });
  t.teardown(async () => {
    await e1.close();
    await e2.close();
    await receiver.close();
    await smtp.close();
    await store.cleanup();
  });
  const w = await world(e1.s);
  const hook = await createHook(e1.s, w.token, { url: receiver.url, events: ['message.created'] });
  const sent: string[] = [];
  for (let i = 0; i < 6; i++) sent.push((await visitorWrites(i % 2 ? e2.s : e1.s, w.appId, `message ${i}`)).messageId);
  await Promise.all([settle(e1.s), settle(e2.s)]);
  await until(() => receiver.received.length, (n) => n >= sent.length, 15_000);
  await Promise.all([settle(e1.s), settle(e2.s)]);
  const ids = receiver.received.map((r) => String(r.headers['webhook-id']));
  t.equal(ids.length, sent.length, 'no event was sent twice');
  t.equal(new Set(ids).size, sent.length, 'each with its own webhook-id');
  t.same(receiver.received.map((r) => r.json.data.messageId).sort(), [...sent].sort(), 'every message arrived (in any order)');
  t.ok(receiver.received.every((r) => verify(hook.secret, r.headers, r.body)));
});

t.test('two instances: a key deleted on one is refused at once on the other; lastUsedAt is shared', async (t) => {
  if (!requirePart('two instances (needs DATABASE_URL and REDIS_URL)', backend.postgres && backend.redis, t)) return;
  const store = await createTestStore();
  const smtp = await startSmtpServer();
  const receiver = await startReceiver();
  const e1 = await startEnv({ store, smtp, receiver });
  const e2 = await startEnv({ store, smtp, receiver });
  t.teardown(async () => {
    await e1.close();
    await e2.close();
    await receiver.close();
    await smtp.close();
    await store.cleanup();
  });
  const w = await world(e1.s);
  const key = (await e1.s.request('POST', '/api/v1/api-keys', { token: w.token, body: { name: 'zapier', scopes: ['webhooks:write'] } })).body;
  t.equal((await e2.s.request('GET', '/api/v1/webhooks', { token: key.key })).status, 200, 'the key works on the other instance');
  const listed = (await e1.s.request('GET', '/api/v1/api-keys', { token: w.token })).body.apiKeys.find((k: { id: string }) => k.id === key.id);
  t.ok(listed.lastUsedAt, 'its use on instance 2 shows on instance 1');
  t.equal((await e1.s.request('DELETE', `/api/v1/api-keys/${key.id}`, { token: w.token })).status, 204);
  const after = await e2.s.request('GET', '/api/v1/webhooks', { token: key.key });
  t.equal(after.status, 401, 'refused on instance 2 with no delay');
  t.equal(after.body.code, 'CHARLA_CORE_UNAUTHORIZED');
});
