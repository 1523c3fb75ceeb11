import t from 'tap';
import { startTestServer } from '@charla/core/testing';
import conversations from '@charla/plugin-conversations';
import billing from '../src/server/index.js';
import { invite, signup, site } from './helpers.js';

// A self-hosted install with no configuration: one unlimited plan, nothing refused.
t.test('no BILLING_PLANS: unlimited, exactly as before', async (t) => {
  const s = await startTestServer({ plugins: [conversations, billing] });
  t.teardown(() => s.close());
  const a = await signup(s);
  for (let i = 0; i < 5; i++) t.equal((await site(s, a.token, `Site ${i}`)).status, 201);
  for (let i = 0; i < 5; i++) t.equal((await invite(s, a.token, `p${i}@example.com`)).status, 201);
  const usage = await s.request('GET', '/api/v1/billing/usage', { token: a.token });
  t.match(usage.body, { plan: 'enterprise', agents: { used: 1, limit: null, pending: 5 }, sites: { used: 5, limit: null }, conversations: { used: 0, limit: null, overage: 0 } });
  const plans = await s.request('GET', '/api/v1/billing/plans', { token: a.token });
  t.match(plans.body, { current: 'enterprise', plans: [{ id: 'enterprise', plugins: ['*'] }] });
});

t.test('BILLING_PROVIDER unset: checkout, portal and the webhook say there is no provider', async (t) => {
  const s = await startTestServer({ plugins: [conversations, billing] });
  t.teardown(() => s.close());
  const a = await signup(s);
  for (const path of ['/api/v1/billing/checkout', '/api/v1/billing/portal']) {
    const r = await s.request('POST', path, { token: a.token, body: path.endsWith('checkout') ? { plan: 'enterprise' } : undefined });
    t.equal(r.status, 409, `${path}: ${r.text}`);
    t.equal(r.body.code, 'CHARLA_BILLING_NO_PROVIDER');
  }
  t.equal((await s.request('POST', '/api/v1/billing/webhooks/stripe', { raw: '{}' })).body.code, 'CHARLA_BILLING_NO_PROVIDER');
});
