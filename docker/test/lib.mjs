// Helpers for the docker/ checks: processes that are always cleaned up, free ports,
// fresh PostgreSQL databases, Charla instances, and nginx run from docker/nginx.conf.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A port nobody listens on right now (the OS picks it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const tempDirs = new Set();
export function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), `charla-${prefix}-`));
  tempDirs.add(dir);
  return dir;
}

/**
 * Child processes started in their own process group, so stopping one stops what it
 * spawned too (nginx workers, npm's children). Everything still running is killed when
 * this process exits, whatever the reason.
 */
const running = new Set();
/** This environment without the test runner's own hooks (tap's loaders, coverage). */
function childEnv() {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(NODE_OPTIONS|NODE_V8_COVERAGE|TAP|TAP_.*|_TAPJS_.*)$/.test(k)));
}
export function startProcess(name, command, args, { cwd = repoRoot, env = {}, quiet = true, logFile } = {}) {
  // `logFile`: the child writes straight into a file (for programs that reopen
  // /dev/stdout, which fails on the sockets Node uses for pipes); `output` reads it.
  const fd = logFile ? openSync(logFile, 'a') : null;
  const merged = Object.fromEntries(Object.entries({ ...childEnv(), ...env }).filter(([, v]) => v !== undefined)); // undefined: unset
  const child = spawn(command, args, { cwd, env: merged, detached: true, stdio: ['ignore', fd ?? 'pipe', fd ?? 'pipe'] });
  if (fd !== null) closeSync(fd);
  let buffered = '';
  const proc = {
    name, child, pid: child.pid, exited: false, code: null, signal: null,
    get output() { return logFile ? (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '') : buffered; },
  };
  const keep = (chunk) => {
    const s = String(chunk);
    buffered = (buffered + s).slice(-200_000);
    if (!quiet) process.stderr.write(s.replace(/^/gm, `[${name}] `));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  proc.done = new Promise((resolve) => child.on('exit', (code, signal) => {
    proc.exited = true;
    proc.code = code;
    proc.signal = signal;
    running.delete(proc);
    resolve({ code, signal });
  }));
  running.add(proc);
  return proc;
}

/** Sends `signal` to the whole process group and waits (SIGKILL after `graceMs`). */
export async function stopProcess(proc, signal = 'SIGTERM', graceMs = 10_000) {
  if (!proc || proc.exited) return;
  try { process.kill(-proc.pid, signal); } catch { /* already gone */ }
  const t = setTimeout(() => { try { process.kill(-proc.pid, 'SIGKILL'); } catch { /* gone */ } }, graceMs);
  await proc.done;
  clearTimeout(t);
  // The leader may exit before its group (nginx workers): finish the group off.
  try { process.kill(-proc.pid, 'SIGKILL'); } catch { /* gone */ }
}

export async function cleanup() {
  await Promise.all([...running].map((p) => stopProcess(p, 'SIGTERM', 5000)));
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
  tempDirs.clear();
}
process.on('exit', () => {
  for (const p of running) { try { process.kill(-p.pid, 'SIGKILL'); } catch { /* gone */ } }
  for (const d of tempDirs) { try { rmSync(d, { recursive: true, force: true }); } catch { /* best effort */ } }
});
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => process.exit(130));

/** Polls `fn` until it returns a truthy value. */
export async function waitFor(fn, { timeout = 30_000, interval = 100, what = 'condition' } = {}) {
  const t0 = Date.now();
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() - t0 > timeout) throw new Error(`timed out after ${timeout} ms waiting for ${what}${last ? ` (last error: ${last.message})` : ''}`);
    await sleep(interval);
  }
}

export async function httpStatus(url) {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(3000) });
    await r.arrayBuffer();
    return r.status;
  } catch {
    return 0;
  }
}

/** Waits for GET /readyz to answer 200; fails early (with its output) if `proc` exits. */
export async function waitReady(baseUrl, proc, timeout = 120_000) {
  await waitFor(async () => {
    if (proc?.exited) throw Object.assign(new Error(`${proc.name} exited (code ${proc.code}, signal ${proc.signal}) before it was ready:\n${proc.output.slice(-4000)}`), { fatal: true });
    return (await httpStatus(`${baseUrl}/readyz`)) === 200;
  }, { timeout, interval: 200, what: `${baseUrl}/readyz` }).catch((err) => {
    throw new Error(`${err.message}${proc && !proc.exited ? `\n--- ${proc.name} output ---\n${proc.output.slice(-4000)}` : ''}`);
  });
}

// ------------------------------------------------------------------ PostgreSQL

export const PG_ADMIN_URL = process.env.CHARLA_DOCKER_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.CHARLA_DOCKER_TEST_REDIS_URL || 'redis://127.0.0.1:6379';

/** Creates an empty database; `drop()` removes it (closing any connection left). */
export async function freshDatabase(label) {
  const { default: pg } = await import('pg');
  const name = `charla_docker_${label}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async query(sql, params) {
      const c = new pg.Client({ connectionString: url.toString() });
      await c.connect();
      try { return (await c.query(sql, params)).rows; } finally { await c.end(); }
    },
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      try { await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`); } finally { await c.end(); }
    },
  };
}

// ------------------------------------------------------------------ Charla

/** Settings that must not leak from the developer's shell into a test instance. */
export const UNSET = Object.fromEntries([
  'DATABASE_URL', 'REDIS_URL', 'REDIS_PREFIX', 'PUBLIC_URL', 'CHARLA_PLUGINS', 'CHARLA_CONFIG', 'JWT_SECRET', 'SMTP_URL', 'TRUST_PROXY',
  'SIGNUP', 'DEFAULT_PLAN', 'BILLING_PLANS', 'BILLING_DEFAULT_PLAN', 'AGENT_ORIGINS', 'CHARLA_SKIP_ADMIN_BUILD',
].map((k) => [k, undefined]));

/**
 * Starts `node core/bin/charla.js start` (from `cwd`, the repository by default) on
 * 127.0.0.1:`port` with its own DATA_DIR. `env` adds to / overrides the environment.
 */
export function startCharla(name, { port, cwd = repoRoot, env = {}, quiet = true }) {
  const dataDir = tempDir(`${name}-data`);
  return startProcess(name, process.execPath, ['core/bin/charla.js', 'start'], {
    cwd,
    quiet,
    env: {
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      // Instance settings that leak from the developer's shell would change what is tested.
      // (unset, not empty: an empty CHARLA_PLUGINS means "no plugins").
      // CHARLA_DOCKER_TEST_PLUGINS: run with another plugin set than the default (the image's).
      ...UNSET, CHARLA_PLUGINS: process.env.CHARLA_DOCKER_TEST_PLUGINS || undefined,
      ...env,
    },
  });
}

/** Sum of a Prometheus metric's samples on one instance (e.g. charla_realtime_sockets). */
export async function metricSum(baseUrl, name) {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) sum += Number(line.trim().split(/\s+/).pop());
  }
  return sum;
}

// ------------------------------------------------------------------ nginx

export const NGINX = process.env.CHARLA_DOCKER_TEST_NGINX || '/usr/sbin/nginx';
export const NGINX_CONF = join(repoRoot, 'docker/nginx.conf');

/**
 * docker/nginx.conf made runnable here: the `server charla-N:3000 …;` lines of the
 * upstream become one line per local instance (same parameters), `listen 80;` becomes
 * a loopback port, and the http block gets temp folders under `prefix` (the image has
 * its own). Everything else — headers, timeouts, retries, the WebSocket location — is
 * the file as shipped.
 */
export function localNginxConfig(source, { upstreams, listenPort, prefix }) {
  const servers = [...source.matchAll(/^([ \t]*)server[ \t]+charla-\d+:3000([^;]*);[^\n]*\n/gm)];
  if (!servers.length) throw new Error('docker/nginx.conf: no `server charla-N:3000 …;` line in the upstream');
  const [, indent, params] = servers[0];
  let conf = source.replace(servers[0][0], upstreams.map((u) => `${indent}server ${u}${params};\n`).join(''));
  for (const s of servers.slice(1)) conf = conf.replace(s[0], '');
  const listens = conf.match(/^\s*listen\s+80;/gm) ?? [];
  if (listens.length !== 1) throw new Error('docker/nginx.conf: expected exactly one `listen 80;`');
  conf = conf.replace(/^(\s*)listen\s+80;/m, `$1listen 127.0.0.1:${listenPort};`);
  const built = spawnSync(NGINX, ['-V'], { encoding: 'utf8' }).stderr ?? '';
  const temps = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .filter((k) => k === 'client_body' || k === 'proxy' || built.includes(`--http-${k}-temp-path`))
    .map((k) => `  ${k}_temp_path ${join(prefix, `${k}_temp`)};`)
    .join('\n');
  if (!/^http\s*\{/m.test(conf)) throw new Error('docker/nginx.conf: no http block');
  return conf.replace(/^http\s*\{/m, `http {\n${temps}`);
}

/** Checks and starts nginx (not daemonized) in front of `upstreams`; resolves once it answers. */
export async function startNginx({ upstreams, listenPort }) {
  const prefix = tempDir('nginx');
  chmodSync(prefix, 0o755); // workers (nobody) create and use the temp folders
  const conf = localNginxConfig(readFileSync(NGINX_CONF, 'utf8'), { upstreams, listenPort, prefix });
  const confFile = join(prefix, 'nginx.conf');
  writeFileSync(confFile, conf);
  const globals = `pid ${join(prefix, 'nginx.pid')};`;
  const checkLog = join(prefix, 'check.log');
  const out = openSync(checkLog, 'a');
  const check = spawnSync(NGINX, ['-t', '-q', '-p', prefix, '-e', 'stderr', '-c', confFile, '-g', globals], { stdio: ['ignore', out, out] });
  closeSync(out);
  check.stderr = readFileSync(checkLog, 'utf8');
  if (check.status !== 0) throw new Error(`nginx -t refused the derived configuration:\n${check.stderr}\n---\n${conf}`);
  const proc = startProcess('nginx', NGINX, ['-p', prefix, '-e', 'stderr', '-c', confFile, '-g', `daemon off; ${globals}`], { logFile: join(prefix, 'output.log') });
  proc.conf = conf;
  await waitFor(async () => {
    if (proc.exited) throw new Error(`nginx exited: ${proc.output}`);
    return (await httpStatus(`http://127.0.0.1:${listenPort}/healthz`)) > 0;
  }, { timeout: 15_000, what: 'nginx to listen' });
  return proc;
}
