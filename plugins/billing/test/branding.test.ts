import t from 'tap';
import { startTestServer } from '@charla/core/testing';
import conversations from '@charla/plugin-conversations';
import billing from '../src/server/index.js';
import { OPERATOR, PLANS, operator, signup, site } from './helpers.js';

t.test('"Powered by Charla": shown unless the plan grants removeBranding, through the widget init data', async (t) => {
  const s = await startTestServer({ plugins: [conversations, billing], config: { plans: PLANS as never, defaultPlan: 'small', operatorEmails: [OPERATOR] } });
  t.teardown(() => s.close());
  const op = await operator(s);
  const a = await signup(s, 'Brand Co');
  const { body: st } = await site(s, a.token);
  const init = () => s.request('POST', '/api/v1/widget/init', { body: { appId: st.appId } });
  t.same((await init()).body.extensions.branding, { poweredBy: true }, 'small plan: the branding shows');
  await s.request('PATCH', `/api/v1/operator/accounts/${a.accountId}`, { token: op, body: { plan: 'big' } });
  t.same((await init()).body.extensions.branding, { poweredBy: false }, 'big plan (removeBranding): removed');
  await s.request('PATCH', `/api/v1/operator/accounts/${a.accountId}`, { token: op, body: { plan: 'small', overrides: { entitlements: { removeBranding: true } } } });
  t.same((await init()).body.extensions.branding, { poweredBy: false }, 'an operator override grants it too');
});
