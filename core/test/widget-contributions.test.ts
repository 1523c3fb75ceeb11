import t from 'tap';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import pino from 'pino';
import { definePlugin, type CharlaPlugin, type WidgetContribution } from '@charla/core';
import { signup, startTestServer } from '@charla/core/testing';
import { expectProblem } from './expect-problem.js';

// Plugins' widget contributions on the server: the declared module is checked at boot,
// served at /widget/plugins/<name>/<hash>.js (public, cross-origin, immutable, only that
// file), and listed per visitor for the accounts where the plugin is on, with its data.

const dir = mkdtempSync(join(tmpdir(), 'charla-widget-mod-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const moduleFile = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const SOURCE = 'export default function (api) { api.notice({ text: String(api.data.text) }); }\n';
const sha16 = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 16);
const plugin = (name: string, widget: WidgetContribution, extra: Partial<CharlaPlugin> = {}) => definePlugin({ name, version: '1.0.0', widget, ...extra });

t.test('a widget module that cannot be served stops the boot, naming the plugin', async (t) => {
  mkdirSync(join(dir, 'a-folder'), { recursive: true });
  const cases: Array<[WidgetContribution, RegExp]> = [
    [{ script: join(dir, 'missing.js') }, /plugin "promo": its widget module .*missing\.js does not exist; build the plugin/],
    [{ script: pathToFileURL(join(dir, 'missing.js')) }, /plugin "promo": its widget module .*missing\.js does not exist/],
    [{ script: 'dist/widget/index.js' }, /plugin "promo": widget\.script "dist\/widget\/index\.js" is not an absolute file path/],
    [{ script: new URL('https://cdn.example.com/x.js') }, /plugin "promo": widget\.script https:\/\/cdn\.example\.com\/x\.js is not a file: URL/],
    [{ script: join(dir, 'a-folder') }, /plugin "promo": widget\.script .*a-folder is not a file/],
    [{ script: moduleFile('ok.js', SOURCE), data: 'nope' as never }, /plugin "promo": widget\.data must be a function/],
    [{ script: moduleFile('ok.js', SOURCE), eager: 'yes' as never }, /plugin "promo": widget\.eager must be a boolean/],
  ];
  for (const [widget, message] of cases) {
    await t.rejects(startTestServer({ plugins: [plugin('promo', widget)] }), { name: 'PluginLoadError', message }, String(message));
  }
  const big = moduleFile('big.js', `// ${'x'.repeat(1024 * 1024 + 10)}\n`);
  await t.rejects(startTestServer({ plugins: [plugin('promo', { script: big })] }), { name: 'PluginLoadError', message: /plugin "promo": its widget module .* is 1024 KB; the limit is 1024 KB/ });
});

t.test('serving: the declared module at its hashed URL, and nothing else', async (t) => {
  const file = moduleFile('promo.js', SOURCE);
  const s = await startTestServer({ plugins: [plugin('promo', { script: pathToFileURL(file) }), plugin('plain', { script: moduleFile('plain.js', 'export default () => {};\n') })] });
  t.teardown(() => s.close());
  const [promo, plain] = s.app.charla.container.cradle.widgetContributions.list();
  t.same([promo.name, promo.hash, promo.url], ['promo', sha16(SOURCE), `/widget/plugins/promo/${sha16(SOURCE)}.js`], 'URL = /widget/plugins/<name>/<sha-256 prefix>.js');
  t.equal(plain.name, 'plain');

  const r = await s.request('GET', promo.url, { headers: { origin: 'https://shop.example.com' } });
  t.equal(r.status, 200);
  t.equal(r.text, SOURCE, 'the file as it was at boot');
  t.match(String(r.headers['content-type']), /^application\/javascript/);
  t.equal(r.headers['cache-control'], 'public, max-age=31536000, immutable');
  t.equal(r.headers['access-control-allow-origin'], '*', 'any host page may import it');
  t.equal(r.headers['cross-origin-resource-policy'], 'cross-origin');
  t.equal(r.headers['x-content-type-options'], 'nosniff');
  const head = await s.app.inject({ method: 'HEAD', url: promo.url });
  t.equal(head.statusCode, 200, 'HEAD too');

  // Rewriting the file after boot does not change what the hashed URL serves.
  writeFileSync(file, 'export default () => { throw new Error("changed") };\n');
  t.equal((await s.request('GET', promo.url)).text, SOURCE, 'immutable: the URL keeps its content');

  const bad = [
    [`/widget/plugins/promo/${'0'.repeat(16)}.js`, /has changed or never had this hash/],
    [`/widget/plugins/promo/${plain.hash}.js`, /has changed or never had this hash/],
    [`/widget/plugins/nobody/${promo.hash}.js`, /No enabled plugin has a widget module named "nobody"/],
    [`/widget/plugins/promo/${promo.hash}.mjs`, /hash/],
    [`/widget/plugins/promo/${promo.hash.toUpperCase()}.js`, /hash/],
    [`/widget/plugins/promo/..%2F..%2F..%2Fpackage.json`, /hash/],
    [`/widget/plugins/..%2F..%2Fcore/${promo.hash}.js`, /No enabled plugin/],
    [`/widget/plugins/%2e%2e/${promo.hash}.js`, /No route|No enabled plugin/],
    [`/widget/plugins/promo/${'a'.repeat(300)}.js`, /.*/],
  ] as const;
  for (const [url, detail] of bad) {
    const res = await s.request('GET', url);
    expectProblem(t, res, 404, undefined, url);
    t.match(res.body?.detail, detail, `${url}: ${res.body?.detail}`);
    t.notMatch(res.text, /"version"|export default/, `${url}: no file content leaks`);
  }
  t.equal((await s.request('GET', `/widget/plugins/nobody/${promo.hash}.js`)).body.code, 'CHARLA_CORE_WIDGET_MODULE_NOT_FOUND');
  t.equal((await s.request('GET', `/widget/plugins/promo/${promo.hash}.js`, { headers: { authorization: 'Bearer garbage' } })).status, 200, 'public: a token plays no part');
});

t.test('forVisitor: the modules of the plugins on for the account, with their data; a failing data() leaves only that plugin out', async (t) => {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'warn' }, new Writable({ write(chunk, _enc, cb) { lines.push(JSON.parse(String(chunk))); cb(); } }));
  const calls: unknown[] = [];
  const script = moduleFile('any.js', SOURCE);
  const s = await startTestServer({
    logger,
    // The basic plan includes every plugin here but pro-only.
    config: { plans: [{ id: 'basic', plugins: ['promo', 'no-data', 'throws', 'rejects', 'slow', 'array', 'huge', 'cyclic', 'no-widget'] }, { id: 'pro', plugins: ['*'] }], defaultPlan: 'basic' },
    plugins: [
      plugin('promo', { script, data: (ctx, v) => { calls.push({ ctx: ctx.name, ...v }); return { text: `Hi ${v.visitorId}`, nested: { n: 1, when: new Date(0) } }; } }),
      plugin('no-data', { script, eager: true }),
      plugin('throws', { script, data: () => { throw new Error('db down'); } }),
      plugin('rejects', { script, data: async () => Promise.reject(new Error('nope')) }),
      plugin('slow', { script, data: () => new Promise((r) => setTimeout(() => r({ late: true }), 4000)) }),
      plugin('array', { script, data: () => [1, 2] as never }),
      plugin('huge', { script, data: () => ({ blob: 'x'.repeat(17 * 1024) }) }),
      plugin('cyclic', { script, data: () => { const o: Record<string, unknown> = {}; o.self = o; return o; } }),
      plugin('pro-only', { script }),
      plugin('no-widget', undefined as never),
    ],
  });
  t.teardown(() => s.close());
  const service = s.app.charla.container.cradle.widgetContributions;
  const a = await signup(s);
  const b = await signup(s);
  const visitor = { accountId: a.accountId, siteId: 'site-1', visitorId: 'visitor-1' };

  const started = Date.now();
  const refs = await service.forVisitor(visitor);
  t.ok(Date.now() - started < 3500, 'a slow data() is cut off (2 s), not waited for');
  t.same(refs.map((r) => r.name), ['promo', 'no-data'], 'plugins whose data failed, plan-gated and module-less plugins are left out; the rest in order');
  const [promo, noData] = refs;
  t.same(promo.data, { text: 'Hi visitor-1', nested: { n: 1, when: '1970-01-01T00:00:00.000Z' } }, 'data as JSON');
  t.match(promo.url, /^\/widget\/plugins\/promo\/[0-9a-f]{16}\.js$/);
  t.same(noData.data, {}, 'no data(): {}');
  t.same([promo.eager, noData.eager], [false, true], 'eager: as declared, lazy by default');
  t.same(calls, [{ ctx: 'promo', ...visitor }], 'data(ctx, {accountId, siteId, visitorId}) with the plugin\'s own context');
  for (const name of ['throws', 'rejects', 'slow', 'array', 'huge', 'cyclic']) {
    t.ok(lines.some((l) => l.plugin === name && /widget data failed/.test(String(l.msg)) && l.accountId === a.accountId), `the failure of "${name}" is logged with the plugin and account`);
  }

  // Off for one account: not listed there, still listed for another.
  const off = await s.request('PATCH', '/api/v1/plugins/promo', { token: a.token, body: { enabled: false } });
  t.equal(off.status, 200);
  t.same((await service.forVisitor(visitor)).map((r) => r.name), ['no-data'], 'turned off for the account: not listed');
  t.same((await service.forVisitor({ ...visitor, accountId: b.accountId })).map((r) => r.name), ['promo', 'no-data'], 'another account still gets it');
  await s.request('PATCH', '/api/v1/plugins/promo', { token: a.token, body: { enabled: true } });
  t.same((await service.forVisitor(visitor)).map((r) => r.name), ['promo', 'no-data'], 'back on: listed again');
});

t.test('CORS: core serves it for every plugin\'s /api/v1/widget/ routes, preflight included', async (t) => {
  const s = await startTestServer({
    plugins: [
      definePlugin({
        name: 'echoes',
        version: '1.0.0',
        routes(app) {
          // No `cors` in the route's config: the prefix is enough.
          app.patch('/api/v1/widget/echoes/note', { config: { auth: 'visitor' } }, async () => ({ ok: true }));
          app.get('/api/v1/echoes/agent-only', { config: { auth: 'agent' } }, async () => ({ ok: true }));
        },
      }),
    ],
  });
  t.teardown(() => s.close());
  const pre = await s.request('OPTIONS', '/api/v1/widget/echoes/note', { headers: { origin: 'https://shop.example', 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'authorization, content-type' } });
  t.equal(pre.status, 204, 'the preflight of a plugin route answers 204');
  t.equal(pre.headers['access-control-allow-origin'], '*');
  t.match(String(pre.headers['access-control-allow-methods']), /\bPATCH\b/, 'PATCH (and every method) allowed');
  t.match(String(pre.headers['access-control-allow-headers']), /authorization/);
  const denied = await s.request('PATCH', '/api/v1/widget/echoes/note', { headers: { origin: 'https://shop.example' }, body: {} });
  t.equal(denied.status, 401, 'no token: 401');
  t.equal(denied.headers['access-control-allow-origin'], '*', 'and the problem is readable cross-origin');
  t.match(String(denied.headers['content-type']), /application\/problem\+json/);
  const agent = await s.request('GET', '/api/v1/echoes/agent-only', { headers: { origin: 'https://shop.example' } });
  t.equal(agent.headers['access-control-allow-origin'], undefined, 'a route outside /api/v1/widget/ gets no CORS headers');
});
