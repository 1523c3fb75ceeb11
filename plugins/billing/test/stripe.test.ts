import t from 'tap';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { startTestServer } from '@charla/core/testing';
import conversations from '@charla/plugin-conversations';
import billing from '../src/server/index.js';
import { PLANS, expectProblem, signup } from './helpers.js';

// A local HTTP server speaking Stripe's API (form-encoded POSTs, JSON answers): no network.
const calls: Array<{ path: string; form: URLSearchParams; auth: string | undefined }> = [];
const fake = createServer((req: IncomingMessage, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    calls.push({ path: req.url ?? '', form: new URLSearchParams(body), auth: req.headers.authorization });
    res.setHeader('content-type', 'application/json');
    if (req.url === '/v1/checkout/sessions') return res.end(JSON.stringify({ id: 'cs_test_1', object: 'checkout.session', url: 'https://checkout.stripe.test/c/cs_test_1' }));
    if (req.url === '/v1/billing_portal/sessions') return res.end(JSON.stringify({ id: 'bps_1', object: 'billing_portal.session', url: 'https://billing.stripe.test/p/bps_1' }));
    res.statusCode = 404;
    res.end(JSON.stringify({ error: { type: 'invalid_request_error', message: 'unknown path' } }));
  });
});
await new Promise<void>((r) => fake.listen(0, '127.0.0.1', () => r()));
const SECRET = 'whsec_test_secret';
Object.assign(process.env, {
  BILLING_PROVIDER: 'stripe', STRIPE_SECRET_KEY: 'sk_test_123', STRIPE_WEBHOOK_SECRET: SECRET,
  STRIPE_PRICES: 'big=price_big', STRIPE_API_BASE: `http://127.0.0.1:${(fake.address() as AddressInfo).port}`,
});
const s = await startTestServer({ plugins: [conversations, billing], config: { plans: PLANS as never, defaultPlan: 'small' } });
for (const k of ['BILLING_PROVIDER', 'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'STRIPE_PRICES', 'STRIPE_API_BASE']) delete process.env[k];
t.teardown(async () => {
  await s.close();
  await new Promise<void>((r) => fake.close(() => r()));
});

const stripe = new Stripe('sk_test_123');
const send = (event: object, opts: { secret?: string; timestamp?: number; header?: string | null } = {}) => {
  const payload = JSON.stringify(event);
  const header = opts.header !== undefined ? opts.header : stripe.webhooks.generateTestHeaderString({ payload, secret: opts.secret ?? SECRET, ...(opts.timestamp && { timestamp: opts.timestamp }) });
  return s.request('POST', '/api/v1/billing/webhooks/stripe', { raw: payload, headers: header === null ? {} : { 'stripe-signature': header } });
};
const planOf = async (token: string) => (await s.request('GET', '/api/v1/billing/usage', { token })).body.plan as string;
const completed = (id: string, accountId: string, customer: string) => ({
  id, object: 'event', type: 'checkout.session.completed', created: Math.floor(Date.now() / 1000),
  data: { object: { id: 'cs_test_1', object: 'checkout.session', client_reference_id: accountId, customer, subscription: 'sub_1', metadata: { accountId, plan: 'big' } } },
});
const subscription = (id: string, type: string, status: string, customer: string, price = 'price_big') => ({
  id, object: 'event', type, created: Math.floor(Date.now() / 1000),
  data: { object: { id: 'sub_1', object: 'subscription', customer, status, metadata: {}, items: { object: 'list', data: [{ price: { id: price } }] } } },
});

t.test('checkout and portal links through the Stripe client (a local server)', async (t) => {
  const a = await signup(s, 'Checkout Co');
  const r = await s.request('POST', '/api/v1/billing/checkout', { token: a.token, body: { plan: 'big' } });
  t.equal(r.status, 200, r.text);
  t.equal(r.body.url, 'https://checkout.stripe.test/c/cs_test_1');
  const call = calls.find((c) => c.path === '/v1/checkout/sessions')!;
  t.equal(call.form.get('line_items[0][price]'), 'price_big');
  t.equal(call.form.get('client_reference_id'), a.accountId);
  t.equal(call.form.get('mode'), 'subscription');
  t.equal(call.form.get('customer_email'), a.email);
  t.equal(call.auth, 'Bearer sk_test_123');
  expectProblem(t, await s.request('POST', '/api/v1/billing/checkout', { token: a.token, body: { plan: 'small' } }), 400, 'CHARLA_BILLING_UNKNOWN_PLAN');
  expectProblem(t, await s.request('POST', '/api/v1/billing/checkout', { token: a.token, body: { plan: 'nope' } }), 400, 'CHARLA_BILLING_UNKNOWN_PLAN');
  expectProblem(t, await s.request('POST', '/api/v1/billing/checkout', { token: a.token, body: {} }), 400);
  expectProblem(t, await s.request('POST', '/api/v1/billing/portal', { token: a.token }), 409, 'CHARLA_BILLING_NO_CUSTOMER');
  t.equal((await send(completed('evt_portal_1', a.accountId, 'cus_portal'))).status, 200);
  const p = await s.request('POST', '/api/v1/billing/portal', { token: a.token });
  t.equal(p.body.url, 'https://billing.stripe.test/p/bps_1');
  t.equal(calls.find((c) => c.path === '/v1/billing_portal/sessions')!.form.get('customer'), 'cus_portal');
});

t.test('webhook: a good signature applies the subscription; bad, stale or missing ones are 400 and change nothing', async (t) => {
  const a = await signup(s, 'Webhook Co');
  t.equal(await planOf(a.token), 'small');
  expectProblem(t, await send(completed('evt_bad', a.accountId, 'cus_a'), { secret: 'whsec_wrong' }), 400, 'CHARLA_BILLING_BAD_SIGNATURE');
  const stale = await send(completed('evt_stale', a.accountId, 'cus_a'), { timestamp: Math.floor(Date.now() / 1000) - 600 });
  expectProblem(t, stale, 400, 'CHARLA_BILLING_BAD_SIGNATURE');
  t.match(stale.body.detail, /tolerance/i);
  expectProblem(t, await send(completed('evt_nohdr', a.accountId, 'cus_a'), { header: null }), 400, 'CHARLA_BILLING_BAD_SIGNATURE');
  t.equal(await planOf(a.token), 'small', 'nothing changed');

  const good = await send(completed('evt_good', a.accountId, 'cus_a'));
  t.equal(good.status, 200, good.text);
  t.same(good.body, { received: true, duplicate: false });
  t.equal(await planOf(a.token), 'big', 'subscribed: the big plan at once');

  // The subscription ends (the event names only the customer): back to the default plan.
  t.equal((await send(subscription('evt_del', 'customer.subscription.deleted', 'canceled', 'cus_a'))).status, 200);
  t.equal(await planOf(a.token), 'small');
  // A redelivery of the first event is acknowledged and not applied again.
  const again = await send(completed('evt_good', a.accountId, 'cus_a'));
  t.same(again.body, { received: true, duplicate: true });
  t.equal(await planOf(a.token), 'small', 'idempotent by event id');
  // Active again (an update naming the price).
  await send(subscription('evt_upd', 'customer.subscription.updated', 'active', 'cus_a'));
  t.equal(await planOf(a.token), 'big');
  await send(subscription('evt_unpaid', 'customer.subscription.updated', 'unpaid', 'cus_a'));
  t.equal(await planOf(a.token), 'small', 'unpaid: the default plan');
  // An event of no interest is acknowledged.
  t.equal((await send({ id: 'evt_other', object: 'event', type: 'invoice.paid', data: { object: { id: 'in_1', object: 'invoice' } } })).status, 200);
  expectProblem(t, await s.request('POST', '/api/v1/billing/webhooks/stripe', { raw: 'not json', headers: { 'stripe-signature': 't=1,v1=00' } }), 400);
});

t.test('the provider failing is a 502, not a 500', async (t) => {
  const a = await signup(s, 'Down Co');
  await new Promise<void>((r) => fake.close(() => r()));
  fake.listen(0, '127.0.0.1'); // another port: the configured one refuses connections now
  expectProblem(t, await s.request('POST', '/api/v1/billing/checkout', { token: a.token, body: { plan: 'big' } }), 502, 'CHARLA_BILLING_PROVIDER_FAILED');
});
