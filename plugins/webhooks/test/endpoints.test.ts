import t from 'tap';
import { addMember, startEnv, world } from './helpers.js';

t.test('webhook CRUD: secret shown once, catalogue events, SSRF refusal, bad input', async (t) => {
  const env = await startEnv();
  t.teardown(() => env.close());
  const { s, receiver } = env;
  const w = await world(s);

  const created = await s.request('POST', '/api/v1/webhooks', { token: w.token, body: { url: receiver.url, events: ['message.created', 'conversation.*'], description: 'CRM' } });
  t.equal(created.status, 201);
  t.match(created.body, { url: receiver.url, events: ['message.created', 'conversation.*'], enabled: true, includePrivate: false, description: 'CRM' });
  t.match(created.body.secret, /^whsec_[A-Za-z0-9+/=]{32}$/);
  const got = await s.request('GET', `/api/v1/webhooks/${created.body.id}`, { token: w.token });
  t.equal(got.status, 200);
  t.notOk('secret' in got.body, 'the secret is not shown again');
  t.same((await s.request('GET', '/api/v1/webhooks', { token: w.token })).body.webhooks.map((h: { id: string }) => h.id), [created.body.id]);

  const unknown = await s.request('POST', '/api/v1/webhooks', { token: w.token, body: { url: receiver.url, events: ['message.created', 'nope.happened'] } });
  t.equal(unknown.status, 400);
  t.equal(unknown.body.code, 'CHARLA_WEBHOOKS_UNKNOWN_EVENT');
  t.match(unknown.headers['content-type'], 'application/problem+json');
  t.match(unknown.body.detail, '"nope.happened"');
  t.equal((await s.request('POST', '/api/v1/webhooks', { token: w.token, body: { url: receiver.url, events: ['nope.*'] } })).body.code, 'CHARLA_WEBHOOKS_UNKNOWN_EVENT', 'a family that matches nothing');
  t.equal((await s.request('POST', '/api/v1/webhooks', { token: w.token, body: { url: receiver.url, events: ['sessions.revoked'] } })).body.code, 'CHARLA_WEBHOOKS_UNKNOWN_EVENT', 'internal events are not offered');
  t.equal((await s.request('POST', '/api/v1/webhooks', { token: w.token, body: { url: receiver.url, events: [] } })).status, 400);
  t.equal((await s.request('POST', '/api/v1/webhooks', { token: w.token, body: { url: receiver.url } })).status, 400);
  t.equal((await s.request('POST', '/api/v1/webhooks', { token: w.token, body: { url: receiver.url, events: 'message.created' } })).status, 400, 'events is a list');
  t.equal((await s.request('POST', '/api/v1/webhooks', { token: w.token, raw: '{"url":' })).status, 400);
  for (const url of ['http://127.0.0.1:1/x', 'http://169.254.169.254/', 'http://localhost/', 'http://2130706433/', 'http://[::1]/', 'not a url']) {
    const r = await s.request('POST', '/api/v1/webhooks', { token: w.token, body: { url, events: ['*'] } });
    t.equal(r.status, 400, `${url} → 400`);
    t.match(r.body.code, /^CHARLA_WEBHOOKS_(URL_NOT_ALLOWED|BAD_REQUEST)$/);
  }

  const patched = await s.request('PATCH', `/api/v1/webhooks/${created.body.id}`, { token: w.token, body: { events: ['*'], enabled: false, includePrivate: true, description: null } });
  t.equal(patched.status, 200);
  t.match(patched.body, { events: ['*'], enabled: false, includePrivate: true, description: null });
  t.equal((await s.request('PATCH', `/api/v1/webhooks/${created.body.id}`, { token: w.token, body: { url: 'http://10.0.0.1/' } })).body.code, 'CHARLA_WEBHOOKS_URL_NOT_ALLOWED');
  t.equal((await s.request('PATCH', `/api/v1/webhooks/${created.body.id}`, { token: w.token, body: { events: ['x'] } })).status, 400);

  const rotated = await s.request('POST', `/api/v1/webhooks/${created.body.id}/rotate-secret`, { token: w.token });
  t.equal(rotated.status, 200);
  t.not(rotated.body.secret, created.body.secret);

  t.equal((await s.request('GET', '/api/v1/webhooks/not-an-id', { token: w.token })).status, 404);
  t.equal((await s.request('DELETE', `/api/v1/webhooks/${created.body.id}`, { token: w.token })).status, 204);
  t.equal((await s.request('GET', `/api/v1/webhooks/${created.body.id}`, { token: w.token })).status, 404);
});

t.test('who: owners and admins, keys with webhooks:write; not agents, other keys or other accounts', async (t) => {
  const env = await startEnv();
  t.teardown(() => env.close());
  const { s, smtp, receiver } = env;
  const a = await world(s);
  const b = await world(s);
  const admin = await addMember(s, smtp, a, 'admin');
  const agent = await addMember(s, smtp, a, 'agent');
  const body = { url: receiver.url, events: ['*'] };

  t.equal((await s.request('POST', '/api/v1/webhooks', { token: admin.token, body })).status, 201, 'an admin');
  t.equal((await s.request('POST', '/api/v1/webhooks', { token: agent.token, body })).status, 403, 'an agent');
  t.equal((await s.request('GET', '/api/v1/webhooks', { token: agent.token })).status, 403);
  t.equal((await s.request('GET', '/api/v1/webhooks')).status, 401);

  const key = await s.request('POST', '/api/v1/api-keys', { token: a.token, body: { name: 'zapier', scopes: ['webhooks:write'] } });
  const other = await s.request('POST', '/api/v1/api-keys', { token: a.token, body: { name: 'crm', scopes: ['contacts:read'] } });
  const byKey = await s.request('POST', '/api/v1/webhooks', { token: key.body.key, body });
  t.equal(byKey.status, 201, 'a key with webhooks:write (Zapier REST hooks subscribe)');
  t.equal((await s.request('POST', '/api/v1/webhooks', { token: other.body.key, body })).status, 403, 'a key without the scope');
  t.equal((await s.request('DELETE', `/api/v1/webhooks/${byKey.body.id}`, { token: key.body.key })).status, 204, 'and unsubscribe');

  const hook = await s.request('POST', '/api/v1/webhooks', { token: a.token, body });
  const routes: Array<[string, string, unknown?]> = [
    ['GET', `/api/v1/webhooks/${hook.body.id}`], ['PATCH', `/api/v1/webhooks/${hook.body.id}`, { enabled: false }], ['DELETE', `/api/v1/webhooks/${hook.body.id}`],
    ['POST', `/api/v1/webhooks/${hook.body.id}/rotate-secret`], ['POST', `/api/v1/webhooks/${hook.body.id}/test`], ['GET', `/api/v1/webhooks/${hook.body.id}/deliveries`],
  ];
  for (const [method, path, b2] of routes) t.equal((await s.request(method, path, { token: b.token, body: b2 })).status, 404, `${method} ${path} from another account → 404`);
  t.equal((await s.request('GET', '/api/v1/webhooks', { token: b.token })).body.webhooks.length, 0, 'another account lists none of them');
  t.equal((await s.request('GET', `/api/v1/webhooks/${hook.body.id}`, { token: a.token })).body.enabled, true, 'untouched by the other account');
});
