/**
 * Injection: operator objects where strings are expected, unknown filter and sort
 * fields, SQL metacharacters in every query parameter of the live route table, and
 * prototype-pollution keys in bodies, attributes, query strings and socket frames.
 * The server runs in this process, so `({}).polluted` would show a polluted prototype.
 */
import t from 'tap';
import { connectSocket } from '@charla/core/testing';
import { cid, isProblem, twoAccounts, leaked, bootWithSmtp } from './helpers.js';

const SQL = [`' OR '1'='1`, `" OR ""="`, `'; DROP TABLE users; --`, `1) OR (1=1`, `%`, `_`, `%25`, `\\`, `'||(SELECT 1)||'`, `$1`, `?`, `' UNION SELECT password_hash FROM users --`, `1; SELECT pg_sleep(5)`, `\u0000`, `🙂`, `-1`, `99999999999999999999`, `0x7fffffff`, `null`, `[]`, `{}`];

t.test('injection and prototype pollution', async (t) => {
  const { s, smtp } = await bootWithSmtp(t);
  const w = await twoAccounts(s, smtp);
  const notPolluted = (where: string) => {
    const probe = {} as Record<string, unknown>;
    if (probe.polluted !== undefined || probe.isAdmin !== undefined || (Object.prototype as Record<string, unknown>).polluted !== undefined) t.fail(`prototype polluted by ${where}`);
  };

  // Operators and objects where strings are expected.
  const ops = [{ $gt: '' }, { $ne: null }, { $like: '%' }, { $or: [{ id: 1 }] }, ['a', 'b'], 1, true];
  const targets: [string, string, (v: unknown) => unknown, string?][] = [
    ['POST', '/api/v1/auth/login', (v) => ({ email: v, password: v })],
    ['POST', '/api/v1/auth/login', (v) => ({ email: w.A.owner.email, password: v })],
    ['POST', '/api/v1/widget/init', (v) => ({ appId: v })],
    ['POST', '/api/v1/widget/messages', (v) => ({ conversationId: v, content: 'x', clientId: cid() }), w.visitorB.token],
    ['POST', '/api/v1/widget/messages', (v) => ({ content: 'x', clientId: v }), w.visitorB.token],
    ['POST', '/api/v1/widget/messages', (v) => ({ content: v, clientId: cid() }), w.visitorB.token],
    ['POST', `/api/v1/inbox/conversations/${w.convB}/messages`, (v) => ({ content: 'x', clientId: v }), w.B.owner.token],
    ['PATCH', `/api/v1/inbox/conversations/${w.convB}`, (v) => ({ assigneeId: v }), w.B.owner.token],
    ['PATCH', `/api/v1/inbox/conversations/${w.convB}`, (v) => ({ status: v }), w.B.owner.token],
    ['POST', '/api/v1/inbox/quick-replies/render', (v) => ({ conversationId: v, id: v }), w.B.owner.token],
    ['PATCH', `/api/v1/team/members/${w.B.owner.userId}`, (v) => ({ role: v }), w.B.owner.token],
    ['POST', '/api/v1/auth/password/reset', (v) => ({ token: v, password: 'quiet-harbor-lamp-44' })],
    ['POST', '/api/v1/auth/invitations/accept', (v) => ({ token: v, name: 'n', password: 'quiet-harbor-lamp-44' })],
  ];
  let n = 0;
  for (const [method, path, body, token] of targets) {
    for (const v of ops) {
      const r = await s.request(method, path, { token, body: body(v) });
      n++;
      if (!isProblem(r, [400])) t.fail(`${method} ${path} with ${JSON.stringify(body(v)).slice(0, 80)}: expected 400, got ${r.status} ${r.text.slice(0, 120)}`);
    }
  }
  t.ok(n > 80, `${n} operator/object bodies refused with 400`);

  // Every query parameter of every GET route in the live table, with SQL metacharacters.
  const docs = (await s.request('GET', '/api/docs/json')).body as { paths: Record<string, Record<string, { parameters?: { in: string; name: string }[] }>> };
  const baseline = (await s.request('GET', '/api/v1/inbox/conversations?status=closed', { token: w.B.owner.token })).body.conversations.length;
  let probes = 0;
  for (const [path, byMethod] of Object.entries(docs.paths)) {
    const get = byMethod.get;
    if (!get) continue;
    const qs = (get.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
    const pathParams = (get.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
    const isWidget = path.startsWith('/api/v1/widget/');
    const token = isWidget ? w.visitorB.token : w.B.owner.token;
    for (const payload of SQL) {
      const concrete = path.replace(/\{(\w+)\}/g, () => encodeURIComponent(payload));
      const urls = [...qs.map((q) => `${path.replace(/\{(\w+)\}/g, isWidget ? w.convB : w.convB)}?${q}=${encodeURIComponent(payload)}`), ...(pathParams.length ? [concrete] : [])];
      for (const url of urls) {
        const r = await s.request('GET', url, { token });
        probes++;
        if (r.status >= 500) t.fail(`GET ${url}: ${r.status} ${r.text.slice(0, 160)}`);
        if (r.status < 400 && leaked(r, w)) t.fail(`GET ${url} leaked A's data`);
        if (r.status < 300 && /conversations$/.test(path) && Array.isArray(r.body?.conversations) && r.body.conversations.length > 5) t.fail(`GET ${url} widened the result (${r.body.conversations.length})`);
      }
    }
  }
  t.ok(probes > 300, `${probes} SQL-metacharacter probes: no 5xx, no widening, no leak`);
  const after = (await s.request('GET', '/api/v1/inbox/conversations?status=closed', { token: w.B.owner.token })).body.conversations.length;
  t.equal(after, baseline, 'no probe changed data');
  // Quick-reply search: LIKE wildcards are literal, not "match all".
  for (const q of ['%25nomatch%25', '_nomatch', 'nomatch%25', '%5C%25nomatch']) {
    const like = await s.request('GET', `/api/v1/inbox/quick-replies?q=${q}`, { token: w.A.owner.token });
    t.equal(like.status, 200);
    t.same(like.body.quickReplies, [], `quick-reply search q=${decodeURIComponent(q)}: LIKE wildcards match nothing extra`);
  }
  // Unknown filter and sort fields; duplicated parameters.
  for (const q of ['foo=bar', 'sort=passwordHash', 'order=password_hash%20DESC', 'orderBy=1;DROP', 'where[accountId]=x', 'accountId=' + w.A.owner.accountId, 'status=open&status=closed', 'assignee[$ne]=x', 'status[]=open', 'limit=-1', 'limit=1e9', 'limit=abc', 'cursor=' + encodeURIComponent(Buffer.from(JSON.stringify({ accountId: w.A.owner.accountId, id: { $gt: '' } })).toString('base64url'))]) {
    const r = await s.request('GET', `/api/v1/inbox/conversations?${q}`, { token: w.B.owner.token });
    if (!(r.status === 200 || isProblem(r, [400]))) t.fail(`?${q}: ${r.status} ${r.text.slice(0, 120)}`);
    if (leaked(r, w)) t.fail(`?${q} leaked A's data`);
  }
  t.pass('unknown filter/sort fields, arrays and forged cursors: 200 (ignored) or 400, never another tenant');

  // Prototype pollution: JSON bodies (top level and nested), attributes, properties, settings.
  const polluters = [
    '{"__proto__":{"polluted":1,"isAdmin":true}}',
    '{"constructor":{"prototype":{"polluted":1}}}',
    '{"a":{"__proto__":{"polluted":1}}}',
    '{"a":[{"constructor":{"prototype":{"polluted":1}}}]}',
  ];
  const visitor = w.visitorB.token;
  const bodyTargets: [string, string, string | undefined, (p: string) => string][] = [
    ['POST', '/api/v1/auth/login', undefined, (p) => p],
    ['POST', '/api/v1/auth/signup', undefined, (p) => p],
    ['POST', '/api/v1/widget/init', undefined, (p) => `{"appId":"${w.B.site.appId}","user":{"attributes":${p}}}`],
    ['POST', '/api/v1/widget/identify', visitor, (p) => `{"attributes":${p}}`],
    ['POST', '/api/v1/widget/track', visitor, (p) => `{"name":"evt","properties":${p}}`],
    ['PATCH', `/api/v1/sites/${w.B.site.id}`, w.B.owner.token, (p) => `{"widget":${p}}`],
    ['PATCH', '/api/v1/plugins/inbox', w.B.owner.token, (p) => `{"settings":${p}}`],
    ['PATCH', '/api/v1/inbox/notifications/preferences', w.B.owner.token, (p) => p],
    ['POST', '/api/v1/widget/messages', visitor, (p) => `{"content":"x","clientId":"${cid()}","metadata":${p}}`],
  ];
  let pp = 0;
  for (const [method, path, token, wrap] of bodyTargets) {
    for (const p of polluters) {
      const r = await s.request(method, path, { token, raw: wrap(p) });
      pp++;
      if (r.status >= 500) t.fail(`${method} ${path} ${wrap(p)}: ${r.status}`);
      notPolluted(`${method} ${path} ${wrap(p)}`);
    }
  }
  for (const q of ['__proto__[polluted]=1', 'constructor[prototype][polluted]=1', '__proto__.polluted=1']) {
    const r = await s.request('GET', `/api/v1/inbox/conversations?${q}`, { token: w.B.owner.token });
    pp++;
    t.ok(r.status < 500, `query ${q}: ${r.status}`);
    notPolluted(q);
  }
  const sock = await connectSocket(s.url, w.B.owner.token);
  for (const p of polluters) {
    sock.send(`{"op":"subscribe","channel":"account:${w.B.owner.accountId}","x":${p}}`);
    sock.send(`{"op":"typing","conversationId":"${w.convB}","typing":true,"data":${p}}`);
    sock.send(p);
    pp += 3;
  }
  sock.send({ op: 'ping' });
  await sock.waitFor((f) => f.op === 'pong');
  sock.close();
  notPolluted('socket frames');
  // Stored attributes come back as plain data, with no special keys acting as a prototype.
  const stored = await s.request('POST', '/api/v1/widget/identify', { token: visitor, body: { attributes: { plan: 'gold', toString: 'x', hasOwnProperty: 'y' } } });
  t.ok(stored.status === 200 || isProblem(stored, [400]), `attributes named like Object methods: ${stored.status}`);
  notPolluted('attributes named like Object methods');
  t.equal(({} as Record<string, unknown>).polluted, undefined, `({}).polluted === undefined after ${pp} pollution attempts`);
  const health = await s.request('GET', '/api/v1/auth/me', { token: w.B.owner.token });
  t.equal(health.status, 200, 'the server is healthy afterwards');
  t.notOk(health.body.isAdmin, 'and no object gained isAdmin');
});
