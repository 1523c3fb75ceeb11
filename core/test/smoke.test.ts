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

t.test('/favicon.ico is served (no 404 on every page)', async (t) => {
  const s = await startTestServer({ plugins: [] });
  t.teardown(() => s.close());
  const r = await s.request('GET', '/favicon.ico');
  t.ok(r.status === 200 || r.status === 204, `served: ${r.status}`);
  if (r.status === 200) t.match(String(r.headers['content-type']), /^image\//, 'an image');
  t.match(String(r.headers['cache-control']), /max-age/, 'cached by browsers');
});
