import t from 'tap';
import { Writable } from 'node:stream';
import pino from 'pino';
import { backend, signup, startTestServer } from '@charla/core/testing';
import { loggerOptions } from '../src/logger.js';

// Operations: health and readiness, Prometheus metrics, the OpenAPI document, log redaction.

const s = await startTestServer({ plugins: [] });
t.teardown(() => s.close());
const owner = await signup(s);

t.test('/healthz answers while the process is up', async (t) => {
  const res = await s.request('GET', '/healthz');
  t.equal(res.status, 200);
  t.same(res.body, { status: 'ok' });
});

t.test('/readyz checks the database (and Redis when configured)', async (t) => {
  const res = await s.request('GET', '/readyz');
  t.equal(res.status, 200, res.text);
  t.equal(res.body.status, 'ready');
  t.same(res.body.checks, backend.redis ? { database: 'ok', redis: 'ok' } : { database: 'ok' });
});

t.test('/readyz is 503 when the database is gone', async (t) => {
  const down = await startTestServer({ plugins: [], jobs: false });
  await down.app.charla.db.sequelize.close();
  const res = await down.request('GET', '/readyz');
  t.equal(res.status, 503, res.text);
  t.equal(res.body.status, 'unavailable');
  t.match(res.body.checks.database, /^down/);
  t.equal((await down.request('GET', '/healthz')).status, 200, 'healthz only says the process is up');
  await down.close().catch(() => undefined);
});

t.test('/metrics is Prometheus text with charla_ request, socket and job metrics', async (t) => {
  await s.request('GET', '/api/v1/sites', { token: owner.token });
  await s.request('GET', '/api/v1/nope');
  const res = await s.request('GET', '/metrics');
  t.equal(res.status, 200);
  t.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  t.match(res.text, /# TYPE charla_http_request_duration_seconds histogram/);
  t.match(res.text, /charla_http_request_duration_seconds_count\{[^}]*method="GET"[^}]*route="\/api\/v1\/sites"[^}]*status="200"[^}]*\} [1-9]/, 'the request just made is counted under its route pattern');
  t.match(res.text, /charla_http_request_duration_seconds_count\{[^}]*route="unmatched"[^}]*status="404"/, 'unknown routes are one label, not one per URL');
  t.match(res.text, /# TYPE charla_realtime_sockets gauge/);
  t.match(res.text, /charla_jobs\{status="(pending|done|running|dead)"\} \d+/);
  t.match(res.text, /charla_process_cpu_user_seconds_total/, 'default process metrics, prefixed');
  t.notMatch(res.text, /^(?!#)[a-z_]+[^\n]*NaN/m, 'no NaN samples');
  for (const line of res.text.split('\n').filter((l) => l && !l.startsWith('#'))) {
    if (!/^charla_/.test(line)) {
      t.fail(`a metric without the charla_ prefix: ${line}`);
      break;
    }
  }
});

t.test('/api/docs/json is an OpenAPI 3 document of the auth, team and sites API', async (t) => {
  const res = await s.request('GET', '/api/docs/json');
  t.equal(res.status, 200);
  const doc = res.body;
  t.match(doc.openapi, /^3\./);
  t.match(doc.info, { title: String, version: String });
  const expected: Record<string, string[]> = {
    '/api/v1/auth/signup': ['post'], '/api/v1/auth/login': ['post'], '/api/v1/auth/logout': ['post'], '/api/v1/auth/me': ['get'],
    '/api/v1/auth/password/change': ['post'], '/api/v1/auth/password/forgot': ['post'], '/api/v1/auth/password/reset': ['post'],
    '/api/v1/auth/invitations/accept': ['post'], '/api/v1/account': ['get', 'patch'], '/api/v1/team/members': ['get'],
    '/api/v1/team/members/{id}': ['patch', 'delete'], '/api/v1/team/invitations': ['post', 'get'], '/api/v1/team/invitations/{id}': ['delete'],
    '/api/v1/sites': ['post', 'get'], '/api/v1/sites/{id}': ['get', 'patch', 'delete'],
  };
  for (const [path, methods] of Object.entries(expected)) {
    for (const m of methods) t.ok(doc.paths[path]?.[m], `${m.toUpperCase()} ${path}`);
  }
  const signupOp = doc.paths['/api/v1/auth/signup'].post;
  t.same([...signupOp.requestBody.content['application/json'].schema.required].sort(), ['accountName', 'email', 'name', 'password']);
  t.ok(signupOp.responses['201'], 'documents the 201');
  t.ok(signupOp.responses['409'], 'and the 409');
  t.match(doc.components.securitySchemes, { bearer: { type: 'http', scheme: 'bearer' }, cookie: { type: 'apiKey', in: 'cookie' } });
  t.notOk(doc.paths['/healthz'] || doc.paths['/metrics'], 'ops endpoints are not part of the API document');
  const html = await s.request('GET', '/api/docs');
  t.equal(html.status, 200);
  t.match(String(html.headers['content-type']), /text\/html/);
  t.match(html.text, /\/api\/v1\/sites/);
});

t.test('every operation of /api/docs/json has a curl and a JavaScript example, with the right credential and an example body', async (t) => {
  const doc = (await s.request('GET', '/api/docs/json')).body as { paths: Record<string, Record<string, { 'x-codeSamples'?: Array<{ lang: string; source: string }> }>> };
  let n = 0;
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [m, op] of Object.entries(ops)) {
      n++;
      const samples = op['x-codeSamples'] ?? [];
      t.same(samples.map((c) => c.lang), ['curl', 'JavaScript'], `${m.toUpperCase()} ${path} has both examples`);
      t.ok(samples.every((c) => c.source.includes(path)), `${m.toUpperCase()} ${path}: the examples call it`);
      t.match(samples[0]?.source, new RegExp(`^(#[^\\n]*\\n)?curl -X ${m.toUpperCase()} `));
    }
  }
  t.ok(n > 20, `${n} operations`);
  const signup = doc.paths['/api/v1/auth/signup'].post['x-codeSamples']!;
  t.notMatch(signup[0].source, /Authorization/, 'a public route needs no credential');
  t.match(signup[0].source, /"email": "ada@example.com"/, 'the body example has the required fields');
  t.match(doc.paths['/api/v1/sites'].get['x-codeSamples']![0].source, /Bearer \$CHARLA_TOKEN/, 'an agent route: the session token');
  t.match(doc.paths['/api/v1/sites'].get['x-codeSamples']![1].source, /process\.env\.CHARLA_TOKEN/);
  const html = await s.request('GET', '/api/docs');
  t.match(html.text, /<details><summary>curl<\/summary><pre>/, 'the docs page shows them');
});

t.test('responses carry nosniff and a referrer policy', async (t) => {
  const res = await s.request('GET', '/api/v1/sites', { token: owner.token });
  t.equal(res.headers['x-content-type-options'], 'nosniff');
  t.equal(res.headers['referrer-policy'], 'strict-origin-when-cross-origin');
});

t.test('logs redact tokens, passwords and secrets and never carry query strings', async (t) => {
  const lines: string[] = [];
  const sink = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
  const jwtSecret = `jwt-${'s3cr3t'.repeat(8)}`;
  const smtpUrl = 'smtp://mailer:mail-password-123@127.0.0.1:1';
  const logged = await startTestServer({ plugins: [], jobs: false, logger: pino(loggerOptions('debug'), sink), config: { jwtSecret, smtpUrl } });
  t.teardown(() => logged.close());
  const a = await signup(logged);
  await logged.request('GET', `/api/v1/auth/me?token=${a.token}`, { token: a.token });
  await logged.request('POST', '/api/v1/auth/login', { body: { email: a.email, password: a.password } });
  logged.app.log.info({ token: a.token, password: a.password, secret: 'hunter2', nested: { token: a.token, password: a.password }, req: { headers: { authorization: `Bearer ${a.token}` } } }, 'something with secrets');
  logged.app.log.info({ config: logged.app.charla.config }, 'config');
  await new Promise((r) => setTimeout(r, 20));
  const all = lines.join('');
  t.ok(lines.length > 3, 'something was logged');
  t.notOk(all.includes(a.token), 'no token in the logs');
  t.notOk(all.includes(a.password), 'no password in the logs');
  t.notOk(all.includes('hunter2'), 'no secret in the logs');
  t.notOk(all.includes(jwtSecret), 'no signing key in the logs, even when the config is logged');
  t.notOk(all.includes('mail-password-123'), 'no SMTP password in the logs');
  t.match(all, /"reqId":"[0-9a-f-]{36}"/, 'request lines carry a request id');
  t.match(all, /\[redacted\]/);
});
