import t from 'tap';
import { Type, definePlugin } from '@charla/core';
import { signup, startSmtpServer, startTestServer } from '@charla/core/testing';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { addMember } from './team-fixtures.js';

// A small plugin with a route, a setting and an event handler, to prove per-account
// enable/disable, settings validation and plan gating (a "basic" plan without it).
const seen: string[] = [];
const hello = definePlugin({
  name: 'hello',
  version: '1.0.0',
  core: '^0.1.0',
  settings: Type.Object({ greeting: Type.String({ default: 'Hello', maxLength: 50 }), shout: Type.Boolean({ default: false }) }),
  events: {
    'site.created': (p) => {
      seen.push(p.accountId);
    },
  },
  routes(app, ctx) {
    app.get('/api/v1/hello', { config: { auth: 'agent' } }, async (request) => {
      const s = await ctx.settingsFor(request.actor!.accountId);
      return { text: s.shout ? String(s.greeting).toUpperCase() : s.greeting };
    });
  },
});

t.test('per-account plugin state, settings and plan', async (t) => {
  const s = await startTestServer({ plugins: [hello], config: { defaultPlan: 'enterprise' } });
  t.teardown(() => s.close());
  const a = await signup(s);
  const b = await signup(s);

  const list = await s.request('GET', '/api/v1/plugins', { token: a.token });
  t.equal(list.status, 200);
  const h = list.body.plugins.find((p: { name: string }) => p.name === 'hello');
  t.match(h, { enabled: true, available: true, plan: 'enterprise', settings: { greeting: 'Hello', shout: false } });
  t.ok(h.settingsSchema.properties.greeting, 'the settings schema is exposed for the admin form');

  t.same((await s.request('GET', '/api/v1/hello', { token: a.token })).body, { text: 'Hello' });

  const bad = await s.request('PATCH', '/api/v1/plugins/hello', { token: a.token, body: { settings: { shout: 'yes' } } });
  t.equal(bad.status, 400);
  t.equal(bad.body.code, 'CHARLA_CORE_PLUGIN_SETTINGS_INVALID');
  const ok = await s.request('PATCH', '/api/v1/plugins/hello', { token: a.token, body: { settings: { shout: true, greeting: 'Hola' } } });
  t.equal(ok.status, 200);
  t.same((await s.request('GET', '/api/v1/hello', { token: a.token })).body, { text: 'HOLA' });
  t.same((await s.request('GET', '/api/v1/hello', { token: b.token })).body, { text: 'Hello' }, 'settings are per account');

  const off = await s.request('PATCH', '/api/v1/plugins/hello', { token: a.token, body: { enabled: false } });
  t.equal(off.body.enabled, false);
  const gone = await s.request('GET', '/api/v1/hello', { token: a.token });
  t.equal(gone.status, 404);
  t.equal(gone.body.code, 'CHARLA_CORE_PLUGIN_DISABLED');
  t.equal((await s.request('GET', '/api/v1/hello', { token: b.token })).status, 200, 'still on for the other account');

  seen.length = 0;
  await s.request('POST', '/api/v1/sites', { token: a.token, body: { name: 'A' } });
  await s.request('POST', '/api/v1/sites', { token: b.token, body: { name: 'B' } });
  await s.app.charla.container.cradle.events.drain();
  t.same(seen, [b.accountId], 'event handlers skip accounts that turned the plugin off');

  const unknown = await s.request('PATCH', '/api/v1/plugins/nope', { token: a.token, body: { enabled: true } });
  t.equal(unknown.status, 404);
});

t.test('plan gating: a basic account does not get a pro plugin', async (t) => {
  const s = await startTestServer({ plugins: [hello], config: { plans: [{ id: 'basic', plugins: [] }, { id: 'pro', plugins: ['*'] }], defaultPlan: 'basic' } });
  t.teardown(() => s.close());
  const a = await signup(s);
  t.equal(a.token.length > 0, true);
  const me = await s.request('GET', '/api/v1/auth/me', { token: a.token });
  t.equal(me.body.account.plan, 'basic');
  const h = (await s.request('GET', '/api/v1/plugins', { token: a.token })).body.plugins[0];
  t.match(h, { name: 'hello', available: false, enabled: false });
  t.equal((await s.request('GET', '/api/v1/hello', { token: a.token })).status, 404);
  const up = await s.request('PATCH', '/api/v1/plugins/hello', { token: a.token, body: { enabled: true } });
  t.equal(up.status, 403);
  t.equal(up.body.code, 'CHARLA_CORE_PLAN_REQUIRED');
});

t.test('settings are for admins: agents see names and state, not settings', async (t) => {
  const smtp = await startSmtpServer();
  const s = await startTestServer({ plugins: [hello], config: { defaultPlan: 'enterprise', smtpUrl: smtp.url } });
  t.teardown(async () => {
    await s.close();
    await smtp.close();
  });
  const owner = await signup(s);
  t.equal((await s.request('PATCH', '/api/v1/plugins/hello', { token: owner.token, body: { settings: { greeting: 'Hola' } } })).status, 200);
  const admin = await addMember(s, smtp, owner.token, 'admin');
  const agent = await addMember(s, smtp, owner.token, 'agent');

  for (const [who, token] of [['owner', owner.token], ['admin', admin.token]] as const) {
    const list = await s.request('GET', '/api/v1/plugins', { token });
    t.match(list.body.plugins.find((p: { name: string }) => p.name === 'hello'), { enabled: true, settings: { greeting: 'Hola' }, settingsSchema: { properties: Object } }, `${who} sees settings in the list`);
    const one = await s.request('GET', '/api/v1/plugins/hello', { token });
    t.equal(one.status, 200);
    t.match(one.body, { name: 'hello', enabled: true, settings: { greeting: 'Hola' } }, `${who} sees settings of one plugin`);
  }

  const list = await s.request('GET', '/api/v1/plugins', { token: agent.token });
  t.equal(list.status, 200);
  const h = list.body.plugins.find((p: { name: string }) => p.name === 'hello');
  t.match(h, { name: 'hello', enabled: true, available: true, settingsSchema: null });
  t.notOk('settings' in h, 'no settings for an agent in the list');
  t.notOk(list.text.includes('Hola'), 'the value appears nowhere in the answer');
  const one = await s.request('GET', '/api/v1/plugins/hello', { token: agent.token });
  t.equal(one.status, 200);
  t.notOk('settings' in one.body, 'no settings for an agent on one plugin');
  t.equal(one.body.settingsSchema, null);

  const missing = await s.request('GET', '/api/v1/plugins/nope', { token: owner.token });
  t.equal(missing.status, 404);
  t.equal(missing.body.code, 'CHARLA_CORE_PLUGIN_NOT_FOUND');
  t.equal((await s.request('GET', '/api/v1/plugins/hello')).status, 401);
});

// A plugin with credentials: `secret: true` (or JSON Schema's writeOnly) makes a setting write-only.
const vault = definePlugin({
  name: 'vault',
  version: '1.0.0',
  core: '^0.1.0',
  settings: Type.Object({
    apiKey: Type.String({ secret: true, default: '', pattern: '^(sk_[a-z0-9_]+)?$', title: 'API key' }),
    webhookToken: Type.Optional(Type.String({ writeOnly: true })),
    label: Type.String({ default: 'Main' }),
  }),
  routes(app, ctx) {
    // The plugin itself reads the real value (here only compared, never returned).
    app.get('/api/v1/vault/check', { config: { auth: 'agent' } }, async (request) => {
      const s = await ctx.settingsFor(request.actor!.accountId);
      return { apiKey: s.apiKey === 'sk_live_4242' ? 'the real one' : s.apiKey === '' ? 'unset' : 'other', webhookToken: s.webhookToken === 'whk-secret-77' };
    });
  },
});

t.test('secret settings: masked on read, kept when saved unchanged, never logged, clearable', async (t) => {
  const logs: string[] = [];
  const logger = pino({ level: 'trace' }, new Writable({ write(chunk, _enc, cb) { logs.push(String(chunk)); cb(); } }));
  const s = await startTestServer({ plugins: [vault], logger });
  t.teardown(() => s.close());
  const owner = await signup(s);
  const read = async () => (await s.request('GET', '/api/v1/plugins/vault', { token: owner.token })).body;

  t.match((await read()).settings, { apiKey: '', label: 'Main' }, 'unset: empty, not masked');
  const saved = await s.request('PATCH', '/api/v1/plugins/vault', { token: owner.token, body: { settings: { apiKey: 'sk_live_4242', webhookToken: 'whk-secret-77' } } });
  t.equal(saved.status, 200);
  t.notMatch(saved.text, /sk_live_4242|whk-secret-77/, 'the PATCH answer does not echo the secrets');
  const view = await read();
  t.equal(view.settings.apiKey, '••••••••', 'secret: true reads as the mask');
  t.equal(view.settings.webhookToken, '••••••••', 'writeOnly: true too');
  t.equal(view.settingsSchema.properties.apiKey.secret, true, 'the schema tells the admin form it is secret');
  const list = await s.request('GET', '/api/v1/plugins', { token: owner.token });
  t.notMatch(list.text, /sk_live_4242|whk-secret-77/, 'the plugin list does not show them either');
  t.same((await s.request('GET', '/api/v1/vault/check', { token: owner.token })).body, { apiKey: 'the real one', webhookToken: true }, 'the plugin gets the real values');

  // The admin form saves everything back: the masks mean "unchanged".
  const again = await s.request('PATCH', '/api/v1/plugins/vault', { token: owner.token, body: { settings: { ...view.settings, label: 'Renamed' } } });
  t.equal(again.status, 200, again.text);
  t.equal(again.body.settings.label, 'Renamed');
  t.same((await s.request('GET', '/api/v1/vault/check', { token: owner.token })).body, { apiKey: 'the real one', webhookToken: true }, 'saving the form unchanged keeps the secrets');

  const bad = await s.request('PATCH', '/api/v1/plugins/vault', { token: owner.token, body: { settings: { apiKey: 'not-a-key-9f8e7d' } } });
  t.equal(bad.status, 400, 'an invalid secret is refused');
  t.notMatch(bad.text, /not-a-key-9f8e7d/, 'and the refusal does not repeat it');

  const cleared = await s.request('PATCH', '/api/v1/plugins/vault', { token: owner.token, body: { settings: { apiKey: '' } } });
  t.equal(cleared.body.settings.apiKey, '', 'an empty value clears it');
  t.same((await s.request('GET', '/api/v1/vault/check', { token: owner.token })).body, { apiKey: 'unset', webhookToken: true });

  t.ok(logs.length > 0, `the server logged (${logs.length} lines at trace)`);
  t.notOk(logs.some((l) => /sk_live_4242|whk-secret-77|not-a-key-9f8e7d/.test(l)), 'no secret in any log line');
});
