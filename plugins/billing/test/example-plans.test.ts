import t from 'tap';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@charla/core';
import { startTestServer } from '@charla/core/testing';
import conversations from '@charla/plugin-conversations';
import billing from '../src/server/index.js';
import { invite, signup, site } from './helpers.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

t.test('docs/examples/saas-plans.json is a valid BILLING_PLANS with the three tiers', async (t) => {
  const config = loadConfig({}, { BILLING_PLANS: '@docs/examples/saas-plans.json', BILLING_DEFAULT_PLAN: 'basic', NODE_ENV: 'test' }, root);
  t.same(config.plans.map((p) => p.id), ['basic', 'pro', 'enterprise']);
  t.equal(config.defaultPlan, 'basic');
  const [basic, pro, enterprise] = config.plans;
  for (const p of ['conversations', 'inbox']) t.ok(basic!.plugins.includes(p), `basic has ${p}`);
  for (const p of ['bot', 'knowledge-base', 'triggers']) t.ok(pro!.plugins.includes(p) && !basic!.plugins.includes(p), `pro adds ${p}`);
  for (const p of ['ai', 'webhooks']) t.ok(enterprise!.plugins.includes(p) && !pro!.plugins.includes(p), `enterprise adds ${p}`);
  t.equal(enterprise!.entitlements?.customSla, true);

  // Booted with them: a basic account gets the basic limits.
  const s = await startTestServer({ plugins: [conversations, billing], config: { plans: config.plans, defaultPlan: 'basic' } });
  t.teardown(() => s.close());
  const a = await signup(s, 'Basic Co');
  t.equal((await site(s, a.token)).status, 201);
  t.equal((await site(s, a.token, 'Second')).status, 402, 'basic: one site');
  t.equal((await invite(s, a.token, 'x1@example.com')).status, 201);
  t.equal((await invite(s, a.token, 'x2@example.com')).status, 201);
  t.equal((await invite(s, a.token, 'x3@example.com')).status, 402, 'basic: three agents');
});
