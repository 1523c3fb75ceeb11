import t from 'tap';
import { API_KEY_SCOPES } from '@charla/core';
import { createHook, startEnv, visitorWrites, world } from './helpers.js';

// Scopes × routes: every operation of the OpenAPI document, called with API keys. A
// route that opts keys in (below, with its scope) admits exactly the keys that hold the
// scope; every other authenticated route refuses every key with 403 — also a key that
// holds all scopes. A route that opts in without being listed here fails the test, so
// opening a route to keys is a reviewed decision.

const SCOPED: Record<string, string> = {
  'GET /api/v1/inbox/conversations': 'conversations:read',
  'GET /api/v1/inbox/conversations/{id}': 'conversations:read',
  'GET /api/v1/inbox/conversations/{id}/messages': 'conversations:read',
  'POST /api/v1/inbox/conversations/{id}/messages': 'conversations:write',
  'GET /api/v1/webhooks': 'webhooks:write',
  'POST /api/v1/webhooks': 'webhooks:write',
  'GET /api/v1/webhooks/{id}': 'webhooks:write',
  'PATCH /api/v1/webhooks/{id}': 'webhooks:write',
  'DELETE /api/v1/webhooks/{id}': 'webhooks:write',
  'POST /api/v1/webhooks/{id}/rotate-secret': 'webhooks:write',
  'POST /api/v1/webhooks/{id}/test': 'webhooks:write',
  'GET /api/v1/webhooks/{id}/deliveries': 'webhooks:write',
  'POST /api/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver': 'webhooks:write',
};

t.test('scopes × routes: a key reaches only the routes its scopes open', async (t) => {
  const env = await startEnv();
  t.teardown(() => env.close());
  const { s, receiver } = env;
  const w = await world(s);
  const { conversationId } = await visitorWrites(s, w.appId);
  const hook = await createHook(s, w.token, { url: receiver.url, events: ['message.created'] });
  const keys: Record<string, string> = {};
  for (const scope of [...API_KEY_SCOPES, 'all']) {
    const r = await s.request('POST', '/api/v1/api-keys', { token: w.token, body: { name: scope, scopes: scope === 'all' ? [...API_KEY_SCOPES] : [scope] } });
    t.equal(r.status, 201);
    keys[scope] = r.body.key;
  }
  const doc = (await s.request('GET', '/api/docs/json')).body as { paths: Record<string, Record<string, unknown>> };
  const ids: Record<string, string> = { id: conversationId, deliveryId: 'no-such-delivery' };
  const pathFor = (p: string) => p.replace(/\{(\w+)\}/g, (_m, name: string) => (p.startsWith('/api/v1/webhooks') && name === 'id' ? hook.id : ids[name] ?? 'x'));
  const seenScoped = new Set<string>();
  let refusedEverywhere = 0;
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const method of Object.keys(ops).filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))) {
      const op = `${method.toUpperCase()} ${path}`;
      const url = pathFor(path);
      const call = (token?: string) => s.request(method.toUpperCase() as never, url, { ...(token ? { token } : {}), ...(method === 'get' || method === 'delete' ? {} : { body: {} }) });
      const need = SCOPED[op];
      if (need) {
        seenScoped.add(op);
        for (const scope of API_KEY_SCOPES.filter((x) => x !== need)) {
          const r = await call(keys[scope]);
          t.equal(r.status, 403, `${op} refuses a key with only ${scope}`);
          t.match(r.body.detail, /lacks the scope/);
        }
        // Destructive calls last would change nothing here: empty bodies are refused (400) and the ids are checked.
        if (method !== 'delete') {
          const ok = await call(keys[need]);
          t.notOk([401, 403].includes(ok.status), `${op} admits a key with ${need} (${ok.status})`);
        }
        continue;
      }
      const anonymous = await call();
      if (anonymous.status !== 401) continue; // public route: a key is just no credential there
      const r = await call(keys.all);
      t.equal(r.status, 403, `${op} refuses every API key, even one with all scopes (got ${r.status}); list it in SCOPED if it opts in`);
      t.match(String(r.headers['content-type']), /application\/problem\+json/);
      refusedEverywhere++;
    }
  }
  t.same([...seenScoped].sort(), Object.keys(SCOPED).sort(), 'every listed route exists in the OpenAPI document');
  t.ok(refusedEverywhere > 30, `${refusedEverywhere} authenticated routes refuse keys`);
  // The destructive one, finally: a webhooks:write key deletes the webhook (Zapier's unsubscribe).
  t.equal((await s.request('DELETE', `/api/v1/webhooks/${hook.id}`, { token: keys['webhooks:write'] })).status, 204);
});
