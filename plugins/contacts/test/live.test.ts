import t from 'tap';
import { backend, connectSocket, createTestStore, requirePart, type TestServer } from '@charla/core/testing';
import { ok, startEnv, visitor, world } from './helpers.js';

async function agentSocket(s: TestServer, token: string, accountId: string) {
  const sock = await connectSocket(s.url, token);
  sock.send({ op: 'subscribe', channel: `account:${accountId}` });
  await sock.waitFor((f) => f.op === 'subscribed' && f.channel === `account:${accountId}`);
  return sock;
}

t.test('contact:page reaches the account\'s agents as the visitor moves, and no one else', async (t) => {
  const { s } = await startEnv({ listen: true });
  t.teardown(() => s.close());
  const a = await world(s);
  const b = await world(s);
  const agentA = await agentSocket(s, a.token, a.accountId);
  const agentB = await agentSocket(s, b.token, b.accountId);
  t.teardown(() => {
    agentA.close();
    agentB.close();
  });
  const v = await visitor(s, a.site.appId, { page: { url: 'https://shop.example/', title: 'Home' } });
  const first = await agentA.waitFor((f) => f.event === 'contact:page' && f.data.contactId === v.id);
  t.match(first.data, { contactId: v.id, url: 'https://shop.example/', title: 'Home' }, 'the boot page');
  t.ok(!Number.isNaN(Date.parse(first.data.at)), 'at is a date');

  await ok(s.request('POST', '/api/v1/widget/page', { token: v.token, body: { url: 'https://shop.example/pricing', title: 'Pricing' } }), 202);
  const next = await agentA.waitFor((f) => f.event === 'contact:page' && f.data.url === 'https://shop.example/pricing');
  t.match(next.data, { contactId: v.id, title: 'Pricing' });
  const c = await ok(s.request('GET', `/api/v1/contacts/${v.id}`, { token: a.token }));
  t.equal(c.currentUrl, 'https://shop.example/pricing', 'the contact\'s current page is the one announced');

  // B's own visitor moves too: B's agent hears it, and only then checks it heard nothing of A's.
  const vb = await visitor(s, b.site.appId, { page: { url: 'https://b.example/', title: 'B' } });
  await agentB.waitFor((f) => f.event === 'contact:page' && f.data.contactId === vb.id);
  t.notOk(agentB.frames.some((f) => f.event === 'contact:page' && f.data.contactId === v.id), 'another account never sees A\'s visitor move');
  t.notOk(agentA.frames.some((f) => f.event === 'contact:page' && f.data.contactId === vb.id), 'nor A B\'s');

  const visitorSock = await connectSocket(s.url, v.token);
  t.teardown(() => visitorSock.close());
  visitorSock.send({ op: 'subscribe', channel: `account:${a.accountId}` });
  const refused = await visitorSock.waitFor((f) => f.op === 'error' || (f.op === 'subscribed' && f.channel === `account:${a.accountId}`));
  t.not(refused.op, 'subscribed', 'a visitor cannot listen to the account channel');
});

t.test('contact:page across two instances (PostgreSQL + Redis)', async (t) => {
  if (!requirePart('two instances (needs DATABASE_URL and REDIS_URL)', backend.postgres && backend.redis, t)) return;
  const store = await createTestStore();
  const one = await startEnv({ store, listen: true });
  const two = await startEnv({ store, listen: true });
  t.teardown(async () => {
    await one.s.close();
    await two.s.close();
    await store.cleanup();
  });
  const w = await world(one.s);
  const agent = await agentSocket(two.s, w.token, w.accountId); // the agent on instance 2
  t.teardown(() => agent.close());
  const v = await visitor(one.s, w.site.appId); // the visitor browses through instance 1
  for (const [i, path] of ['/', '/pricing', '/checkout'].entries()) {
    await ok(one.s.request('POST', '/api/v1/widget/page', { token: v.token, body: { url: `https://shop.example${path}`, title: `Step ${i}` } }), 202);
    const f = await agent.waitFor((x) => x.event === 'contact:page' && x.data.url === `https://shop.example${path}`);
    t.match(f.data, { contactId: v.id, title: `Step ${i}` }, `page ${path} on instance 1 reaches the agent on instance 2`);
  }
  const c = await ok(two.s.request('GET', `/api/v1/contacts/${v.id}`, { token: w.token }));
  t.equal(c.currentUrl, 'https://shop.example/checkout');
  t.equal(c.pageViewCount, 3);
});
