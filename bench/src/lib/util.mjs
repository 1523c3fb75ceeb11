// Shared helpers of the bench orchestrator and its children. Plain ESM JavaScript so
// `npm run bench` needs no build step of its own (Charla itself must be built).
import { fork, spawn } from 'node:child_process';
import { createServer as netServer } from 'node:net';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

export const BENCH_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const REPO_DIR = resolve(BENCH_DIR, '..');
export const SRC = join(BENCH_DIR, 'src');

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function median(xs) {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/** {median, min, max, runs} of the finite numbers in xs; null when there are none. */
export function summarize(xs) {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x));
  if (!v.length) return null;
  return { median: median(v), min: Math.min(...v), max: Math.max(...v), runs: v.length };
}

export async function freePort() {
  return new Promise((ok, fail) => {
    const s = netServer();
    s.unref();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/** Environment for a Charla server under load: limits raised through configuration only. */
export function charlaEnv(extra = {}) {
  return {
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    SIGNUP: 'open',
    RATE_LIMIT_AUTH_PER_IP: '100000/60',
    RATE_LIMIT_LOGIN_FAILURES: '100000/60',
    RATE_LIMIT_WIDGET_INIT_PER_IP: '1000000/60',
    RATE_LIMIT_MESSAGES_PER_VISITOR: '1000000/10',
    REALTIME_MAX_FRAMES_PER_SECOND: '1000',
    // Every simulated client comes from 127.0.0.1, many sockets per visitor token.
    REALTIME_MAX_FRAMES_PER_SECOND_PER_ACTOR: '100000',
    REALTIME_MAX_SOCKETS_PER_TOKEN: '100000',
    REALTIME_MAX_SOCKETS_PER_IP: '1000000',
    JOBS_POLL_INTERVAL_MS: '1000',
    CHARLA_CONFIG: undefined,
    DATABASE_URL: undefined,
    REDIS_URL: undefined,
    ...extra,
  };
}

const children = new Set();
export function killAll() {
  for (const c of children) {
    try { c.kill('SIGKILL'); } catch { /* gone */ }
  }
  children.clear();
}
process.on('exit', killAll);

/**
 * Forks a bench child (IPC). Resolves with a handle once the child sends {type:'ready'}.
 * Every child is bounded: killed after `maxMs`, and when the orchestrator exits.
 */
export function startChild(script, { args = [], env = process.env, execArgv = [], readyMs = 60_000, maxMs = 15 * 60_000, quiet = true } = {}) {
  const child = fork(script, args, { env, execArgv, stdio: ['ignore', quiet ? 'ignore' : 'inherit', 'pipe', 'ipc'] });
  children.add(child);
  let stderr = '';
  child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-4000); });
  const killer = setTimeout(() => child.kill('SIGKILL'), maxMs);
  killer.unref();
  let seq = 0;
  const pending = new Map();
  const exited = new Promise((r) => child.on('exit', (code, signal) => {
    clearTimeout(killer);
    children.delete(child);
    for (const p of pending.values()) p.fail(new Error(`${script} exited (${code ?? signal}) during a request: ${stderr.trim().split('\n').slice(-5).join(' | ')}`));
    pending.clear();
    r({ code, signal });
  }));
  const handle = {
    child,
    pid: child.pid,
    info: null,
    get stderr() { return stderr; },
    exited,
    /** Sends {type, ...payload}; resolves with the child's reply ({id} matched). */
    request(type, payload = {}, timeoutMs = 10 * 60_000) {
      const id = ++seq;
      return new Promise((ok, fail) => {
        const t = setTimeout(() => { pending.delete(id); fail(new Error(`${script}: ${type} timed out after ${timeoutMs} ms`)); }, timeoutMs);
        pending.set(id, { ok: (v) => { clearTimeout(t); ok(v); }, fail: (e) => { clearTimeout(t); fail(e); } });
        child.send({ ...payload, type, id });
      });
    },
    /** Throwaway servers (temp databases) under a backlog: no graceful close needed. */
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return exited;
    },
    async stop(timeoutMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      try { child.send({ type: 'exit' }); } catch { /* closed */ }
      const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const r = await exited;
      clearTimeout(t);
      return r;
    },
  };
  child.on('message', (m) => {
    if (m && m.type === 'reply') {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.error) p.fail(new Error(m.error));
      else p.ok(m.result);
    }
  });
  return new Promise((ok, fail) => {
    const t = setTimeout(() => { child.kill('SIGKILL'); fail(new Error(`${script} not ready within ${readyMs} ms: ${stderr.trim().split('\n').slice(-5).join(' | ')}`)); }, readyMs);
    child.on('message', (m) => {
      if (m && m.type === 'ready') { clearTimeout(t); handle.info = m; ok(handle); }
    });
    void exited.then(({ code, signal }) => { clearTimeout(t); fail(new Error(`${script} exited (${code ?? signal}) before ready: ${stderr.trim().split('\n').slice(-8).join(' | ')}`)); });
  });
}

/** In a child: answers the parent's requests with `handlers[type](msg)`. */
export function serveRequests(handlers) {
  process.on('message', async (m) => {
    if (!m || typeof m !== 'object') return;
    if (m.type === 'exit') {
      try { await handlers.exit?.(); } finally { process.exit(0); }
      return;
    }
    const h = handlers[m.type];
    if (!h) return process.send({ type: 'reply', id: m.id, error: `unknown request ${m.type}` });
    try {
      const result = await h(m);
      process.send({ type: 'reply', id: m.id, result });
    } catch (err) {
      process.send({ type: 'reply', id: m.id, error: String(err?.stack ?? err) });
    }
  });
  process.on('disconnect', () => process.exit(0));
}

/** Memory of this process after a full GC (needs --expose-gc), settled. */
export async function settledMemory() {
  for (let i = 0; i < 3; i++) {
    globalThis.gc?.();
    await sleep(150);
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
}

export const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 256 });

/** JSON over HTTP/1.1 keep-alive (loopback). Resolves {status, body}. */
export function httpJson(base, method, path, { token, body, headers = {}, agent = keepAlive, timeoutMs = 30_000 } = {}) {
  return new Promise((ok, fail) => {
    const u = new URL(path, base);
    const payload = body === undefined ? null : Buffer.from(JSON.stringify(body));
    const req = http.request(u, {
      method, agent,
      headers: {
        ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
        ok({ status: res.statusCode, body: json, text });
      });
      res.on('error', fail);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', fail);
    if (payload) req.write(payload);
    req.end();
  });
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function pool(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** A fresh PostgreSQL database (dropped by the returned function), or null when PostgreSQL does not answer. */
export async function freshPostgres(base = process.env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres') {
  const { default: pg } = await import('pg');
  const name = `charla_bench_${randomBytes(5).toString('hex')}`;
  const c = new pg.Client({ connectionString: base, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query(`CREATE DATABASE ${name}`);
  } catch (err) {
    await c.end().catch(() => undefined);
    return { error: `PostgreSQL at ${new URL(base).host} is not available (${err.message})` };
  }
  await c.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    async drop() {
      const d = new pg.Client({ connectionString: base });
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await d.end();
    },
  };
}

/** Whether Redis answers PING at url. */
export async function redisAvailable(url = process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379') {
  const { Redis } = await import('ioredis');
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000, retryStrategy: () => null });
  try {
    await r.connect();
    await r.ping();
    return { url };
  } catch (err) {
    return { error: `Redis at ${url} is not available (${err.message})` };
  } finally {
    r.disconnect();
  }
}

export function gitCommit() {
  try {
    const head = readFileSync(join(REPO_DIR, '.git/HEAD'), 'utf8').trim();
    if (!head.startsWith('ref:')) return head.slice(0, 12);
    const ref = head.slice(5);
    try { return readFileSync(join(REPO_DIR, '.git', ref), 'utf8').trim().slice(0, 12); } catch { /* packed */ }
    const packed = readFileSync(join(REPO_DIR, '.git/packed-refs'), 'utf8');
    const line = packed.split('\n').find((l) => l.endsWith(` ${ref}`));
    return line ? line.slice(0, 12) : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Runs a command; resolves {code, stdout, stderr}. */
export function run(cmd, args, opts = {}) {
  return new Promise((ok) => {
    const p = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    p.on('error', (err) => ok({ code: -1, stdout, stderr: String(err) }));
    p.on('exit', (code) => ok({ code, stdout, stderr }));
  });
}
