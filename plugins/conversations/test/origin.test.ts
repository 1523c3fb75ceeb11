import t from 'tap';
import { account, boot, cid, initVisitor, isProblem } from './contract-helpers.js';

t.test('the site domain limits where the widget runs (Origin)', async (t) => {
  const s = await boot();
  t.teardown(() => s.close());
  const A = await account(s, { domain: 'shop.example.com' });
  t.equal(A.site.domain, 'shop.example.com');
  const init = (origin?: string) => s.request('POST', '/api/v1/widget/init', { body: { appId: A.site.appId }, headers: origin ? { origin } : {} });

  t.test('init', async (t) => {
    for (const origin of ['https://shop.example.com', 'https://eu.shop.example.com:8443', 'http://shop.example.com', 'https://SHOP.example.com', 'https://a.b.shop.example.com']) {
      const r = await init(origin);
      t.equal(r.status, 200, `${origin} → 200`);
    }
    for (const origin of ['https://evil.com', 'https://shop.example.com.evil.com', 'https://evilshop.example.com', 'https://example.com', 'null', 'not a url']) {
      const r = await init(origin);
      isProblem(t, r, 403, `${origin} → 403`);
      t.equal(r.headers['access-control-allow-origin'], '*', `${origin}: the refusal is readable cross-origin`);
    }
    t.equal((await init()).status, 200, 'no Origin (server to server) → 200');
  });

  t.test('visitor routes check the Origin on every request', async (t) => {
    const v = await initVisitor(s, A.site.appId, {}, { origin: 'https://shop.example.com' });
    const good = { origin: 'https://www.shop.example.com' };
    const evil = { origin: 'https://evil.com' };
    t.equal((await s.request('GET', '/api/v1/widget/conversations', { token: v.token, headers: good })).status, 200);
    t.equal((await s.request('GET', '/api/v1/widget/conversations', { token: v.token })).status, 200, 'no Origin → 200');
    isProblem(t, await s.request('GET', '/api/v1/widget/conversations', { token: v.token, headers: evil }), 403, 'list from evil.com');
    isProblem(t, await s.request('POST', '/api/v1/widget/messages', { token: v.token, headers: evil, body: { content: 'x', clientId: cid() } }), 403, 'send from evil.com');
    isProblem(t, await s.request('POST', '/api/v1/widget/identify', { token: v.token, headers: evil, body: { name: 'x' } }), 403, 'identify from evil.com');
    const sent = await s.request('POST', '/api/v1/widget/messages', { token: v.token, headers: good, body: { content: 'ok', clientId: cid() } });
    t.equal(sent.status, 201);
    const hist = await s.request('GET', `/api/v1/inbox/conversations/${sent.body.conversation.id}/messages`, { token: A.owner.token });
    t.equal(hist.body.messages.length, 1, 'the refused send stored nothing');
  });

  t.test('a changed domain applies at once; no domain allows any origin', async (t) => {
    const v = await initVisitor(s, A.site.appId);
    const patched = await s.request('PATCH', `/api/v1/sites/${A.site.id}`, { token: A.owner.token, body: { domain: 'store.example.org' } });
    t.equal(patched.status, 200);
    isProblem(t, await init('https://shop.example.com'), 403, 'the old domain after the change');
    t.equal((await init('https://store.example.org')).status, 200, 'the new domain');
    isProblem(t, await s.request('GET', '/api/v1/widget/conversations', { token: v.token, headers: { origin: 'https://shop.example.com' } }), 403, 'an existing visitor from the old domain');
    const open = await s.request('PATCH', `/api/v1/sites/${A.site.id}`, { token: A.owner.token, body: { domain: null } });
    t.equal(open.status, 200);
    t.equal((await init('https://anything.example.net')).status, 200, 'no domain: any origin');
  });
});
