import t from 'tap';
import http from 'node:http';
import { definePlugin } from '@charla/core';
import { startTestServer } from '@charla/core/testing';

// Graceful shutdown over real keep-alive connections: a running request finishes, a request
// arriving while the instance drains gets a 503 problem+json (never a reset), and close()
// does not wait for idle keep-alive connections to time out.

type Res = { status: number; headers: http.IncomingHttpHeaders; body: string };
function get(agent: http.Agent, url: string): Promise<Res> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      })
      .on('error', reject);
  });
}

t.test('SIGTERM-style close drains keep-alive HTTP without cutting requests off', async (t) => {
  let release!: () => void;
  let started!: () => void;
  const slowStarted = new Promise<void>((r) => (started = r));
  const slow = definePlugin({
    name: 'slow',
    version: '1.0.0',
    required: true,
    routes(app) {
      app.get('/api/v1/slow', { config: { auth: 'public' } }, async () => {
        started();
        await new Promise<void>((r) => (release = r));
        return { done: true };
      });
    },
  });
  const s = await startTestServer({ plugins: [slow], listen: true, jobs: false });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
  t.teardown(() => agent.destroy());

  // Two kept-alive connections: one will carry the slow request, the other sits idle.
  const warm = await Promise.all([get(agent, `${s.url}/healthz`), get(agent, `${s.url}/healthz`)]);
  t.same(warm.map((r) => r.status), [200, 200]);
  t.not(warm[0].headers.connection, 'close', 'keep-alive before shutdown');

  const slowRes = get(agent, `${s.url}/api/v1/slow`);
  await slowStarted;
  const t0 = Date.now();
  const closed = s.close();
  await new Promise((r) => setTimeout(r, 50));

  const during = await get(agent, `${s.url}/healthz`);
  t.equal(during.status, 503, 'a request arriving on an idle keep-alive connection while draining is refused, not reset');
  t.match(during.headers['content-type'], /^application\/problem\+json/);
  t.equal(during.headers.connection, 'close', 'and its connection is closed after the answer');
  t.equal(during.headers['retry-after'], '1');
  t.match(JSON.parse(during.body), { status: 503, code: 'CHARLA_CORE_SHUTTING_DOWN', detail: /shutting down/ });

  release();
  const finished = await slowRes;
  t.equal(finished.status, 200, 'the request running when shutdown began completes');
  t.same(JSON.parse(finished.body), { done: true });
  t.equal(finished.headers.connection, 'close', 'its connection is not kept alive past shutdown');

  await closed;
  t.ok(Date.now() - t0 < 5000, `close() returns once drained (${Date.now() - t0} ms), not after the keep-alive timeout`);
});
