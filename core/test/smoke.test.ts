import t from 'tap';
import { startTestServer, signup } from '@charla/core/testing';

t.test('boots and signs up', async (t) => {
  const s = await startTestServer({ plugins: [] });
  t.teardown(() => s.close());
  const h = await s.request('GET', '/healthz');
  t.equal(h.status, 200);
  const a = await signup(s);
  t.ok(a.token);
  const me = await s.request('GET', '/api/v1/auth/me', { token: a.token });
  t.equal(me.status, 200, me.text);
});
