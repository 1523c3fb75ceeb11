// Weight as a browser sees it: headless Chromium, CDP network events, encoded (on the
// wire) body bytes with `Accept-Encoding: gzip` forced so every figure is gzip.
//   widget: a host page (its own origin) with the site's snippet; "before interaction" =
//           until the launcher ("Open chat") is visible and the network is quiet; "total"
//           = after clicking it, until the messenger window (its message log) is visible.
//   Rocket.Chat livechat (published npm build) on a host page the same way.
//   admin:  the login screen's JavaScript.
import http from 'node:http';
import { createReadStream, existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { createGzip } from 'node:zlib';
import { BENCH_DIR, REPO_DIR, run, sleep, summarize } from '../lib/util.mjs';
import { charlaStore, startCharla } from '../lib/servers.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const RC_VERSION = '1.13.3';
const CODE_TYPES = new Set(['Script', 'Stylesheet', 'Font', 'Image', 'Document', 'Media', 'Other', 'Manifest']);

/** Network accounting on one page: body bytes on the wire per request. */
async function track(context, page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.setExtraHTTPHeaders', { headers: { 'Accept-Encoding': 'gzip' } });
  const reqs = new Map();
  let lastActivity = Date.now();
  let inflight = 0;
  cdp.on('Network.requestWillBeSent', (e) => { lastActivity = Date.now(); inflight++; reqs.set(e.requestId, { url: e.request.url, type: e.type, header: 0, total: 0, done: false }); });
  cdp.on('Network.responseReceived', (e) => { const r = reqs.get(e.requestId); if (r) { r.header = e.response.encodedDataLength; r.type = e.type; r.encoding = e.response.headers['content-encoding'] ?? e.response.headers['Content-Encoding'] ?? null; r.status = e.response.status; } });
  cdp.on('Network.loadingFinished', (e) => { lastActivity = Date.now(); inflight--; const r = reqs.get(e.requestId); if (r) { r.total = e.encodedDataLength; r.done = true; } });
  cdp.on('Network.loadingFailed', (e) => { lastActivity = Date.now(); inflight--; const r = reqs.get(e.requestId); if (r) r.failed = true; });
  return {
    async quiet(ms = 700, limit = 15_000) {
      const t0 = Date.now();
      while (Date.now() - t0 < limit) {
        if (inflight <= 0 && Date.now() - lastActivity >= ms) return;
        await sleep(50);
      }
    },
    snapshot(filter) {
      const list = [...reqs.values()].filter((r) => r.done && !r.failed && filter(r)).map((r) => ({ url: r.url, type: r.type, encoding: r.encoding, bytes: Math.max(0, r.total - r.header) }));
      return { bytes: list.reduce((a, r) => a + r.bytes, 0), requests: list };
    },
  };
}

async function launch() {
  const { chromium } = await import('playwright-core');
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (set CHROMIUM_PATH)`);
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const userDataDir = mkdtempSync(join(tmpdir(), 'charla-bench-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, args: ARGS, headless: true });
  return {
    context, userDataDir,
    async close() {
      const closed = await Promise.race([context.close().then(() => true, () => false), sleep(10_000).then(() => false)]);
      if (!closed) killByArg(userDataDir); // only the Chromium processes of this run's profile
      (await import('node:fs')).rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Kills the processes whose command line holds `arg` (our own Chromium, by its unique profile dir). */
function killByArg(arg) {
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(arg)) process.kill(Number(pid), 'SIGKILL');
    } catch { /* gone */ }
  }
}

function hostPage(html) {
  const server = http.createServer((req, res) => {
    if (req.url === '/' || req.url.startsWith('/?')) { res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }); res.end(html); } else { res.writeHead(404); res.end(); }
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({ url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((r) => { server.close(r); server.closeAllConnections(); }) })));
}

const isHost = (host) => (r) => r.url.startsWith(host);

async function measureCharlaWidget(browser, charlaUrl, snippet) {
  const host = await hostPage(`<!doctype html><html><head><meta charset="utf-8"><title>Host</title><link rel="icon" href="data:,"></head><body><h1>A customer's page</h1><p>Some content.</p>\n${snippet}\n</body></html>`);
  const page = await browser.context.newPage();
  try {
    const net = await track(browser.context, page);
    await page.goto(host.url);
    const launcher = page.getByRole('button', { name: 'Open chat' });
    await launcher.waitFor({ state: 'visible', timeout: 20_000 });
    await net.quiet();
    const fromCharla = isHost(charlaUrl);
    const code = (r) => fromCharla(r) && CODE_TYPES.has(r.type);
    const api = (r) => fromCharla(r) && !CODE_TYPES.has(r.type);
    const eager = net.snapshot(code);
    const eagerApi = net.snapshot(api);
    await launcher.click();
    await page.getByRole('log').first().waitFor({ state: 'visible', timeout: 20_000 });
    await net.quiet();
    const total = net.snapshot(code);
    const totalApi = net.snapshot(api);
    return { eagerBytes: eager.bytes, totalBytes: total.bytes, eagerApiBytes: eagerApi.bytes, totalApiBytes: totalApi.bytes, requests: total.requests };
  } finally {
    await page.close();
    await host.close();
  }
}

/** The published @rocket.chat/livechat build, fetched with `npm pack` (cached in bench/.cache). */
async function rocketChatBuild(log) {
  const dir = join(BENCH_DIR, '.cache', `rocket.chat-livechat-${RC_VERSION}`);
  const build = join(dir, 'package', 'build');
  if (existsSync(join(build, 'rocketchat-livechat.min.js'))) return { build };
  mkdirSync(dir, { recursive: true });
  log(`    fetching @rocket.chat/livechat@${RC_VERSION} with npm pack…`);
  const p = await run('npm', ['pack', `@rocket.chat/livechat@${RC_VERSION}`, '--pack-destination', dir, '--silent'], { cwd: dir, env: process.env });
  const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  if (p.code !== 0 || !tgz) return { error: `@rocket.chat/livechat@${RC_VERSION} could not be fetched from the npm registry (${(p.stderr || p.stdout).trim().split('\n').slice(-1)[0] || `exit ${p.code}`})` };
  const x = await run('tar', ['xzf', tgz], { cwd: dir });
  if (x.code !== 0 || !existsSync(join(build, 'rocketchat-livechat.min.js'))) return { error: `@rocket.chat/livechat@${RC_VERSION}: the package has no build/rocketchat-livechat.min.js` };
  return { build };
}

const MIME = { '.js': 'application/javascript', '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.png': 'image/png', '.svg': 'image/svg+xml', '.json': 'application/json' };

/** Serves the livechat build at /livechat/ (gzip, zlib default level as a typical server would); API calls get 404 (no Rocket.Chat server). */
function rocketChatServer(build) {
  const server = http.createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    let file = null;
    if (path === '/livechat' || path === '/livechat/') file = join(build, 'index.html');
    else if (path.startsWith('/livechat/')) file = normalize(join(build, path.slice('/livechat/'.length)));
    if (!file || !file.startsWith(build) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
      res.end('{"success":false}');
      return;
    }
    const gzip = /\bgzip\b/.test(req.headers['accept-encoding'] ?? '') && !/\.(png)$/.test(file);
    res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', 'access-control-allow-origin': '*', ...(gzip ? { 'content-encoding': 'gzip' } : {}) });
    (gzip ? createReadStream(file).pipe(createGzip()) : createReadStream(file)).pipe(res);
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({ url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => { server.close(r); server.closeAllConnections(); }) })));
}

async function measureRocketChat(browser, build) {
  const rc = await rocketChatServer(build);
  const snippet = `<script type="text/javascript">
(function(w, d, s, u) {
  w.RocketChat = function(c) { w.RocketChat._.push(c) }; w.RocketChat._ = []; w.RocketChat.url = u;
  var h = d.getElementsByTagName(s)[0], j = d.createElement(s);
  j.async = true; j.src = '${rc.url}/livechat/rocketchat-livechat.min.js?_=201903270000';
  h.parentNode.insertBefore(j, h);
})(window, document, 'script', '${rc.url}/livechat');
</script>`;
  const host = await hostPage(`<!doctype html><html><head><meta charset="utf-8"><title>Host</title><link rel="icon" href="data:,"></head><body><h1>A customer's page</h1><p>Some content.</p>\n${snippet}\n</body></html>`);
  const page = await browser.context.newPage();
  try {
    const net = await track(browser.context, page);
    await page.goto(host.url);
    await page.waitForSelector('iframe', { timeout: 20_000 });
    await net.quiet(1500, 20_000);
    const code = (r) => r.url.startsWith(rc.url) && CODE_TYPES.has(r.type) && r.status === 200;
    const eager = net.snapshot(code);
    return { eagerBytes: eager.bytes, requests: eager.requests, note: 'loader + the livechat app its iframe loads, until the network is quiet; the window cannot be opened without a Rocket.Chat server, so no "total" figure' };
  } finally {
    await page.close();
    await host.close();
    await rc.close();
  }
}

async function measureAdmin(browser, charlaUrl) {
  const page = await browser.context.newPage();
  try {
    const net = await track(browser.context, page);
    await page.goto(`${charlaUrl}/admin/`);
    await page.locator('input[type=password]').first().waitFor({ state: 'visible', timeout: 20_000 });
    await net.quiet();
    const js = net.snapshot((r) => r.url.startsWith(charlaUrl) && r.type === 'Script');
    const all = net.snapshot((r) => r.url.startsWith(charlaUrl) && CODE_TYPES.has(r.type));
    return { initialJsBytes: js.bytes, initialAllBytes: all.bytes, scripts: js.requests.length, url: page.url().replace(charlaUrl, '') };
  } finally {
    await page.close();
  }
}

export async function browserWeights(cfg, log, load) {
  const out = { widget: null, rocketChat: null, admin: null };
  const widgetBuilt = existsSync(join(REPO_DIR, 'widget/dist/loader.js'));
  const adminBuilt = existsSync(join(REPO_DIR, 'admin/dist/browser/index.html'));
  let browser;
  try {
    browser = await launch();
  } catch (err) {
    const why = `Chromium could not start: ${err.message.split('\n')[0]}`;
    return { widget: { notRun: why }, rocketChat: { notRun: why }, admin: { notRun: why } };
  }
  let srv;
  try {
    srv = await startCharla(charlaStore());
    if (!widgetBuilt) out.widget = { notRun: 'widget not built (npm run build -w @charla/widget)' };
    else {
      const runs = [];
      for (let i = 0; i < cfg.runs; i++) {
        const s = await load.request('setup', { kind: 'charla', base: srv.url, visitors: 0 });
        runs.push(await measureCharlaWidget(browser, srv.url, s.snippet));
        log(`    widget run ${i + 1}/${cfg.runs}: before interaction ${runs.at(-1).eagerBytes} B, with the window open ${runs.at(-1).totalBytes} B (+ API JSON ${runs.at(-1).totalApiBytes} B)`);
      }
      out.widget = { eager: summarize(runs.map((r) => r.eagerBytes)), total: summarize(runs.map((r) => r.totalBytes)), api: summarize(runs.map((r) => r.totalApiBytes)), requests: runs.at(-1).requests };
    }
    const rc = await rocketChatBuild(log);
    if (rc.error) { out.rocketChat = { notRun: rc.error }; log(`    Rocket.Chat livechat: NOT RUN — ${rc.error}`); } else {
      const runs = [];
      for (let i = 0; i < cfg.runs; i++) runs.push(await measureRocketChat(browser, rc.build));
      out.rocketChat = { version: RC_VERSION, eager: summarize(runs.map((r) => r.eagerBytes)), requests: runs.at(-1).requests, note: runs.at(-1).note };
      log(`    Rocket.Chat livechat ${RC_VERSION}: ${out.rocketChat.eager.median} B at load`);
    }
    if (!adminBuilt) out.admin = { notRun: 'admin not built (admin/dist/browser missing)' };
    else {
      const runs = [];
      for (let i = 0; i < cfg.runs; i++) runs.push(await measureAdmin(browser, srv.url));
      out.admin = { initialJs: summarize(runs.map((r) => r.initialJsBytes)), initialAll: summarize(runs.map((r) => r.initialAllBytes)), scripts: runs.at(-1).scripts, url: runs.at(-1).url };
      log(`    admin login screen (${out.admin.url}): ${out.admin.initialJs.median} B of JavaScript in ${out.admin.scripts} scripts`);
    }
  } catch (err) {
    log(`    browser part failed: ${err.message.split('\n')[0]}`);
    out.error = err.message;
    for (const k of ['widget', 'rocketChat', 'admin']) out[k] ??= { notRun: `failed: ${err.message.split('\n')[0]}` };
  } finally {
    await browser.close().catch(() => undefined);
    await srv?.stop();
  }
  return out;
}
