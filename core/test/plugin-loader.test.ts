import t from 'tap';
import { CORE_VERSION, CharlaError, PluginLoadError, definePlugin, type CharlaPlugin } from '@charla/core';
import { signup, startTestServer } from '@charla/core/testing';
import { orderPlugins, importPlugins, pluginSpecifier } from '../src/plugins/loader.js';
import { expectProblem } from './expect-problem.js';

// The plugin loader: dependency order; a missing dependency, a cycle, a duplicate name
// or an incompatible core range refused at boot, naming the plugin; routes encapsulated
// per plugin; hooks and events called with their payloads; events after commit only.

const p = (name: string, extra: Partial<CharlaPlugin> = {}): CharlaPlugin => definePlugin({ name, version: '1.0.0', ...extra });
const names = (list: CharlaPlugin[]) => list.map((x) => x.name);

t.test('orderPlugins puts dependencies first and keeps independent plugins in their given order', async (t) => {
  const ordered = orderPlugins([p('reports', { dependsOn: ['inbox', 'conversations'] }), p('inbox', { dependsOn: ['conversations'] }), p('conversations'), p('billing')], CORE_VERSION);
  t.same(names(ordered), ['conversations', 'inbox', 'reports', 'billing']);
  const diamond = orderPlugins([p('d-top', { dependsOn: ['d-left', 'd-right'] }), p('d-left', { dependsOn: ['d-base'] }), p('d-right', { dependsOn: ['d-base'] }), p('d-base')], CORE_VERSION);
  const idx = (n: string) => names(diamond).indexOf(n);
  t.ok(idx('d-base') < idx('d-left') && idx('d-base') < idx('d-right') && idx('d-left') < idx('d-top') && idx('d-right') < idx('d-top'), names(diamond).join(' → '));
  t.equal(diamond.length, 4, 'each plugin once');
});

t.test('orderPlugins refuses, naming the plugin: missing dependency, cycle, duplicate, incompatible core', async (t) => {
  t.throws(() => orderPlugins([p('inbox', { dependsOn: ['conversations'] })], CORE_VERSION), { name: 'PluginLoadError', message: /plugin "inbox" depends on "conversations", which is not enabled/ });
  t.throws(() => orderPlugins([p('aa', { dependsOn: ['bb'] }), p('bb', { dependsOn: ['cc'] }), p('cc', { dependsOn: ['aa'] })], CORE_VERSION), { name: 'PluginLoadError', message: /plugin "(aa|bb|cc)" is part of a dependency cycle: (aa|bb|cc) → .* → (aa|bb|cc)/ });
  t.throws(() => orderPlugins([p('self', { dependsOn: ['self'] })], CORE_VERSION), { message: /"self" is part of a dependency cycle/ });
  t.throws(() => orderPlugins([p('twin'), p('other'), p('twin', { version: '2.0.0' })], CORE_VERSION), { name: 'PluginLoadError', message: /plugin "twin" is enabled twice/ });
  t.throws(() => orderPlugins([p('future', { core: '^9.0.0' })], CORE_VERSION), { name: 'PluginLoadError', message: new RegExp(`plugin "future" needs @charla/core \\^9\\.0\\.0, but this is ${CORE_VERSION.replace(/\./g, '\\.')}`) });
  t.throws(() => orderPlugins([p('past', { core: '<0.0.1' })], CORE_VERSION), { message: /plugin "past" needs @charla\/core/ });
  t.doesNotThrow(() => orderPlugins([p('now', { core: `^${CORE_VERSION}` })], CORE_VERSION), 'a compatible range is accepted');
});

t.test('a refused plugin set stops the server from booting, with the same message', async (t) => {
  await t.rejects(startTestServer({ plugins: [p('inbox', { dependsOn: ['conversations'] })] }), { name: 'PluginLoadError', message: /plugin "inbox" depends on "conversations"/ });
  await t.rejects(startTestServer({ plugins: [p('future', { core: '>=99' })] }), { name: 'PluginLoadError', message: /plugin "future" needs @charla\/core/ });
});

t.test('definePlugin and importPlugins refuse what is not a plugin', async (t) => {
  t.throws(() => definePlugin({ name: 'Bad Name', version: '1.0.0' }), /plugin name "Bad Name" is invalid/);
  t.throws(() => definePlugin({ name: 'noversion', version: '' }), /plugin "noversion" has no version/);
  t.equal(pluginSpecifier('conversations'), '@charla/plugin-conversations');
  t.equal(pluginSpecifier('@acme/charla-hello'), '@acme/charla-hello');
  await t.rejects(importPlugins(['surely-not-installed-xyz']), { name: 'PluginLoadError', message: /plugin "surely-not-installed-xyz" is enabled but not installed/ });
  await t.rejects(importPlugins(['./no/such/folder'], '/tmp'), { name: 'PluginLoadError', message: /plugin "\.\/no\/such\/folder": path .* does not exist/ });
  t.type(new PluginLoadError('x'), Error);
});

t.test('routes are encapsulated per plugin; hooks and events get their payloads', async (t) => {
  const order: string[] = [];
  const hookPayloads: Array<{ plugin: string; payload: unknown }> = [];
  const eventPayloads: Array<{ plugin: string; event: string; payload: unknown; ctxName: string }> = [];
  const first = definePlugin({
    name: 'first',
    version: '1.0.0',
    register: () => void order.push('first.register'),
    async routes(app) {
      order.push('first.routes');
      // A hook inside one plugin's routes must not run for another plugin's routes.
      app.addHook('onRequest', async (_req, reply) => {
        reply.header('x-first-hook', 'ran');
      });
      app.decorateRequest('firstOnly', 'yes');
      app.get('/api/v1/first/ping', { config: { auth: 'agent' } }, async (request) => ({ plugin: 'first', firstOnly: (request as unknown as { firstOnly?: string }).firstOnly ?? null }));
    },
    hooks: {
      'account:beforeCreate': (payload) => {
        hookPayloads.push({ plugin: 'first', payload: { ...payload } });
        return { ...payload, name: `${payload.name} (checked)` };
      },
      'team:beforeInvite': (payload) => {
        hookPayloads.push({ plugin: 'first', payload: { accountId: payload.accountId, email: payload.email, role: payload.role, actorKind: payload.actor.kind } });
        if (payload.email.endsWith('@blocked.example')) throw new CharlaError('CHARLA_FIRST_BLOCKED', 422, 'This domain cannot be invited.');
        if (payload.email.endsWith('@contractor.example')) return { ...payload, role: 'agent' };
        if (payload.email.endsWith('@promote.example')) return { ...payload, role: 'owner' };
      },
    },
    events: {
      'site.created': (payload, ctx) => void eventPayloads.push({ plugin: 'first', event: 'site.created', payload, ctxName: ctx.name }),
      'account.created': (payload, ctx) => void eventPayloads.push({ plugin: 'first', event: 'account.created', payload, ctxName: ctx.name }),
    },
  });
  const second = definePlugin({
    name: 'second',
    version: '1.0.0',
    dependsOn: ['first'],
    register: () => void order.push('second.register'),
    async routes(app) {
      order.push('second.routes');
      app.get('/api/v1/second/ping', { config: { auth: 'agent' } }, async (request) => ({ plugin: 'second', firstOnly: (request as unknown as { firstOnly?: string }).firstOnly ?? null }));
    },
    hooks: {
      'account:beforeCreate': (payload) => void hookPayloads.push({ plugin: 'second', payload: { ...payload } }),
    },
    events: {
      'site.created': (payload, ctx) => void eventPayloads.push({ plugin: 'second', event: 'site.created', payload, ctxName: ctx.name }),
    },
  });
  // Given dependents first: the loader must still register `first` before `second`.
  const s = await startTestServer({ plugins: [second, first] });
  t.teardown(() => s.close());
  t.same(order, ['first.register', 'second.register', 'first.routes', 'second.routes'], 'registered in dependency order');
  t.same(names(s.app.charla.plugins), ['first', 'second']);

  const a = await signup(s, 'Hooked');
  const one = await s.request('GET', '/api/v1/first/ping', { token: a.token });
  t.same(one.body, { plugin: 'first', firstOnly: 'yes' });
  t.equal(one.headers['x-first-hook'], 'ran', 'the hook runs for its own plugin\'s routes');
  const two = await s.request('GET', '/api/v1/second/ping', { token: a.token });
  t.same(two.body, { plugin: 'second', firstOnly: null }, 'a decorator of one plugin is not seen by another');
  t.equal(two.headers['x-first-hook'], undefined, 'nor does its hook run there');
  t.equal((await s.request('GET', '/api/v1/sites', { token: a.token })).headers['x-first-hook'], undefined, 'nor on core routes');
  t.equal((await s.request('GET', '/api/v1/first/ping')).status, 401, 'plugin routes get the kernel\'s authentication');

  const signupHooks = hookPayloads.filter((h) => 'name' in (h.payload as object));
  t.same(signupHooks.map((h) => h.plugin), ['first', 'second'], 'hooks run in plugin order');
  t.match(signupHooks[0].payload, { name: /^Hooked /, email: a.email });
  t.match(signupHooks[1].payload, { name: /\(checked\)$/, email: a.email }, 'a hook sees the payload the previous hook returned');
  t.match((await s.request('GET', '/api/v1/account', { token: a.token })).body.name, /^Hooked .*\(checked\)$/, 'the account is created with the name the hooks returned');

  const blocked = await s.request('POST', '/api/v1/team/invitations', { token: a.token, body: { email: 'x@blocked.example', role: 'agent' } });
  expectProblem(t, blocked, 422, 'CHARLA_FIRST_BLOCKED', 'a hook refuses with its own coded error');
  t.match(hookPayloads.at(-1)?.payload, { accountId: a.accountId, email: 'x@blocked.example', role: 'agent', actorKind: 'agent' });
  t.same((await s.request('GET', '/api/v1/team/invitations', { token: a.token })).body.invitations, [], 'nothing was created');
  const lowered = await s.request('POST', '/api/v1/team/invitations', { token: a.token, body: { email: 'c@contractor.example', role: 'admin' } });
  t.equal(lowered.status, 201, lowered.text);
  t.equal(lowered.body.role, 'agent', 'the invitation gets the role the hook returned');
  // An admin may not invite owners; a hook that raises the role is held to that rule.
  const admin = { kind: 'agent', accountId: a.accountId, userId: a.userId, sessionId: 'x', role: 'admin', name: 'Ad', email: a.email, via: 'bearer' } as const;
  await t.rejects(s.app.charla.container.cradle.team.invite(admin, 'p@promote.example', 'agent'), { message: /Only an owner can make someone an owner/ }, 'a role raised by a hook is checked against the inviter');

  const site = await s.request('POST', '/api/v1/sites', { token: a.token, body: { name: 'Evented' } });
  await s.app.charla.container.cradle.events.drain();
  const siteEvents = eventPayloads.filter((e) => e.event === 'site.created');
  t.same(siteEvents.map((e) => [e.plugin, e.ctxName]), [['first', 'first'], ['second', 'second']], 'each plugin\'s handler, with its own context');
  t.same(siteEvents[0].payload, { accountId: a.accountId, siteId: site.body.id });
  t.same(eventPayloads.find((e) => e.event === 'account.created')?.payload, { accountId: a.accountId, userId: a.userId });
});

t.test('events are released after commit and dropped on rollback; a failing handler breaks nothing', async (t) => {
  const seen: string[] = [];
  const created: string[] = [];
  const listener = definePlugin({
    name: 'listener',
    version: '1.0.0',
    events: { 'site.updated': (payload) => void seen.push(payload.siteId) },
  });
  const broken = definePlugin({ name: 'broken', version: '1.0.0', events: { 'site.created': () => { throw new Error('handler bug'); } } });
  const healthy = definePlugin({ name: 'healthy', version: '1.0.0', events: { 'site.created': (e) => void created.push(e.siteId) } });
  const s = await startTestServer({ plugins: [listener, broken, healthy] });
  t.teardown(() => s.close());
  const a = await signup(s);
  const { db, events } = s.app.charla.container.cradle;

  await db.transaction(async () => {
    events.emit('site.updated', { accountId: a.accountId, siteId: 'committed', changes: {} });
    // drain() inside the transaction would wait for deliveries that can only run after it
    // commits (on SQLite behind its write lock): refused instead of hanging.
    await t.rejects(events.drain(), /inside a transaction/, 'drain() refuses to wait inside a transaction');
    await new Promise((r) => setTimeout(r, 20));
    t.same(seen, [], 'not delivered while the transaction is open');
  });
  await events.drain();
  t.same(seen, ['committed'], 'delivered once the transaction commits');

  await t.rejects(db.transaction(async () => {
    events.emit('site.updated', { accountId: a.accountId, siteId: 'rolled-back', changes: {} });
    throw new Error('roll back');
  }), /roll back/);
  await new Promise((r) => setTimeout(r, 20));
  await events.drain();
  t.same(seen, ['committed'], 'dropped on rollback');

  events.emit('site.updated', { accountId: a.accountId, siteId: 'no-transaction', changes: {} });
  await events.drain();
  t.same(seen, ['committed', 'no-transaction'], 'outside a transaction: delivered at once');

  // A route that fails inside its transaction delivers nothing.
  seen.length = 0;
  const bad = await s.request('PATCH', '/api/v1/sites/0190f5c8-0000-7000-8000-000000000000', { token: a.token, body: { name: 'x' } });
  t.equal(bad.status, 404);
  await events.drain();
  t.same(seen, []);

  // One plugin's handler throwing: the request succeeds and the other handlers still run.
  const res = await s.request('POST', '/api/v1/sites', { token: a.token, body: { name: 'Still works' } });
  t.equal(res.status, 201);
  await events.drain();
  t.same(created, [res.body.id]);
});
