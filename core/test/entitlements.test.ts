import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ConfigError, definePlugin, isEntitled, loadConfig } from '@charla/core';
import { signup, startTestServer } from '@charla/core/testing';

// Plans as configuration: which plugins each plan includes, its limits and entitlements,
// per-account overrides set by an operator, and everything that honours them.

t.test('no configuration: one unlimited plan with every plugin', async (t) => {
  const c = loadConfig({}, {}, mkdtempSync(join(tmpdir(), 'charla-plans-')));
  t.same(c.plans, [{ id: 'enterprise', name: 'Enterprise', plugins: ['*'] }]);
  t.equal(c.defaultPlan, 'enterprise');
});

t.test('BILLING_PLANS inline or @file; the default plan is the first unless named', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'charla-plans-'));
  const plans = [{ id: 'free', plugins: ['conversations'], limits: { agents: 1 } }, { id: 'pro', plugins: ['*'], entitlements: { branding: true } }];
  t.same(loadConfig({}, { BILLING_PLANS: JSON.stringify(plans) }, dir).plans, plans);
  t.equal(loadConfig({}, { BILLING_PLANS: JSON.stringify(plans) }, dir).defaultPlan, 'free');
  writeFileSync(join(dir, 'plans.json'), JSON.stringify(plans));
  const fromFile = loadConfig({}, { BILLING_PLANS: '@plans.json', BILLING_DEFAULT_PLAN: 'pro' }, dir);
  t.equal(fromFile.plans.length, 2);
  t.equal(fromFile.defaultPlan, 'pro');
  writeFileSync(join(dir, 'charla.config.json'), JSON.stringify({ billing: { plans } }));
  t.same(loadConfig({}, {}, dir).plans, plans, 'billing.plans in charla.config.json');
});

t.test('bad plans are refused at boot, naming the problem', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'charla-plans-'));
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig({}, env, dir);
      return 'no error';
    } catch (err) {
      t.type(err, ConfigError);
      return (err as ConfigError).problems.join('\n');
    }
  };
  t.match(problems({ BILLING_PLANS: '[{' }), /^BILLING_PLANS: /);
  t.match(problems({ BILLING_PLANS: '[]' }), /BILLING_PLANS \(plans\)/);
  t.match(problems({ BILLING_PLANS: '[{"id":"Free Plan","plugins":[]}]' }), /BILLING_PLANS \(plans\.0\.id\)/);
  t.match(problems({ BILLING_PLANS: '[{"id":"a","plugins":[]},{"id":"a","plugins":["*"]}]' }), /"a" appears more than once/);
  t.match(problems({ BILLING_PLANS: '[{"id":"a","plugins":[],"entitlements":{"x":"yes"}}]' }), /plans\.0\.entitlements\.x/);
  t.match(problems({ DEFAULT_PLAN: 'basic' }), /DEFAULT_PLAN \(defaultPlan\): no plan "basic"; the plans are enterprise/);
});

const OPERATOR = 'ops@plans.example';
const ran: string[] = [];
const extras = definePlugin({
  name: 'extras',
  version: '1.0.0',
  core: '^0.1.0',
  events: {
    'site.created': (p) => {
      ran.push(p.accountId);
    },
  },
  routes(app) {
    app.get('/api/v1/extras/ping', { config: { auth: 'agent' } }, async () => ({ ok: true }));
  },
});
const branding = definePlugin({
  name: 'branding',
  version: '1.0.0',
  core: '^0.1.0',
  routes(app, ctx) {
    app.get('/api/v1/branding', { config: { auth: 'agent', entitlement: 'customBranding' } }, async (request) => {
      const e = await ctx.entitlements.for(request.actor!.accountId);
      return { plan: e.plan.id, aiReplies: e.entitlements.aiReplies ?? 0, ai: isEntitled(e, 'aiReplies') };
    });
  },
});

t.test('plans decide plugins, entitlements and limits per account; operators change plans and overrides', async (t) => {
  const s = await startTestServer({
    plugins: [extras, branding],
    config: {
      operatorEmails: [OPERATOR],
      plans: [
        { id: 'free', name: 'Free', plugins: ['branding'], limits: { agents: 1, sites: 1 }, entitlements: { aiReplies: 0 } },
        { id: 'pro', name: 'Pro', plugins: ['*'], limits: { agents: 10 }, entitlements: { customBranding: true, aiReplies: 500 } },
      ],
    },
  });
  t.teardown(() => s.close());
  const op = await s.request('POST', '/api/v1/auth/signup', { body: { accountName: 'Ops', name: 'Olga', email: OPERATOR, password: 'operator password' } });
  t.equal(op.status, 201, op.text);
  const a = await signup(s);
  const b = await signup(s);

  const e = await s.request('GET', '/api/v1/account/entitlements', { token: a.token });
  t.equal(e.status, 200, e.text);
  t.same(e.body, { plan: { id: 'free', name: 'Free' }, plugins: ['branding'], limits: { agents: 1, sites: 1 }, entitlements: { aiReplies: 0 }, operator: false }, 'new accounts get the default (first) plan; the caller is no operator');

  // A plugin the plan does not include: off for its routes, its event handlers and the plugin list.
  const ping = await s.request('GET', '/api/v1/extras/ping', { token: a.token });
  t.equal(ping.status, 404);
  t.equal(ping.body.code, 'CHARLA_CORE_PLUGIN_DISABLED');
  const list = (await s.request('GET', '/api/v1/plugins', { token: a.token })).body.plugins as Array<{ name: string; available: boolean; enabled: boolean; plan: string | null }>;
  t.match(list.find((p) => p.name === 'extras'), { available: false, enabled: false, plan: 'pro' }, 'names the plan to upgrade to');
  const on = await s.request('PATCH', '/api/v1/plugins/extras', { token: a.token, body: { enabled: true } });
  t.equal(on.status, 403);
  t.equal(on.body.code, 'CHARLA_CORE_PLAN_REQUIRED');
  t.match(on.body.detail, /not included in this account's plan \(Free\); the pro plan includes it/);

  // A route that needs an entitlement: 402 problem naming it.
  const refused = await s.request('GET', '/api/v1/branding', { token: a.token });
  t.equal(refused.status, 402);
  t.equal(refused.headers['content-type'], 'application/problem+json; charset=utf-8');
  t.equal(refused.body.code, 'CHARLA_CORE_ENTITLEMENT_REQUIRED');
  t.match(refused.body.detail, /plan \(Free\) does not include "customBranding"/);

  // Only an operator changes plans; an unknown plan is a 400.
  t.equal((await s.request('PATCH', `/api/v1/operator/accounts/${a.accountId}`, { token: a.token, body: { plan: 'pro' } })).status, 403);
  const unknown = await s.request('PATCH', `/api/v1/operator/accounts/${a.accountId}`, { token: op.body.token, body: { plan: 'gold' } });
  t.equal(unknown.status, 400);
  t.match(unknown.body.detail, /No plan "gold"; the configured plans are free, pro/);
  t.equal((await s.request('PATCH', '/api/v1/operator/accounts/nope', { token: op.body.token, body: { plan: 'pro' } })).status, 404);
  t.equal((await s.request('GET', '/api/v1/account/entitlements', { token: op.body.token })).body.operator, true, 'an operator is told so (the admin shows the console)');
  const up = await s.request('PATCH', `/api/v1/operator/accounts/${a.accountId}`, { token: op.body.token, body: { plan: 'pro' } });
  t.same(up.body, { id: a.accountId, plan: 'pro', overrides: {}, suspended: false });

  t.same((await s.request('GET', '/api/v1/branding', { token: a.token })).body, { plan: 'pro', aiReplies: 500, ai: true }, 'ctx.entitlements.for sees the new plan at once');
  t.equal((await s.request('GET', '/api/v1/extras/ping', { token: a.token })).status, 200);
  t.equal((await s.request('GET', '/api/v1/branding', { token: b.token })).status, 402, 'the other account is still on free');

  ran.length = 0;
  await s.request('POST', '/api/v1/sites', { token: a.token, body: { name: 'A' } });
  await s.request('POST', '/api/v1/sites', { token: b.token, body: { name: 'B' } });
  await s.app.charla.container.cradle.events.drain();
  t.same(ran, [a.accountId], 'event handlers run only for accounts whose plan includes the plugin');

  // Overrides on top of the plan: one account on free gets branding and a higher limit.
  const over = await s.request('PATCH', `/api/v1/operator/accounts/${b.accountId}`, { token: op.body.token, body: { overrides: { limits: { agents: 3 }, entitlements: { customBranding: true, aiReplies: 20 } } } });
  t.equal(over.status, 200, over.text);
  t.same((await s.request('GET', '/api/v1/branding', { token: b.token })).body, { plan: 'free', aiReplies: 20, ai: true });
  t.same((await s.request('GET', '/api/v1/account/entitlements', { token: b.token })).body.limits, { agents: 3, sites: 1 });
  const bad = await s.request('PATCH', `/api/v1/operator/accounts/${b.accountId}`, { token: op.body.token, body: { overrides: { entitlements: { x: 'yes' } } } });
  t.equal(bad.status, 400);
});

t.test('an account whose plan is no longer configured gets the default plan', async (t) => {
  const s = await startTestServer({ plugins: [branding], config: { plans: [{ id: 'solo', plugins: ['*'], entitlements: { customBranding: true } }] } });
  t.teardown(() => s.close());
  const a = await signup(s);
  const { models } = s.app.charla.container.cradle;
  await models.Account.update({ plan: 'retired' }, { where: { id: a.accountId } });
  s.app.charla.container.cradle.entitlements.changed(a.accountId);
  t.same((await s.request('GET', '/api/v1/account/entitlements', { token: a.token })).body.plan, { id: 'solo', name: 'solo' });
  t.equal((await s.request('GET', '/api/v1/branding', { token: a.token })).status, 200);
});
