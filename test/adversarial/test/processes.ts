/**
 * Private services for the fault tests: a PostgreSQL cluster made with initdb in a temp
 * dir and a redis-server, each on its own loopback port, so stopping them never
 * disturbs anything else; and Charla instances as child processes (`charla start`).
 * Everything is torn down by `destroy()`; tests register it with t.teardown.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep } from './helpers.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => ok(port));
    });
  });
}

function pgBin(): string | null {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  const v = readdirSync(base).sort((a, b) => Number(b) - Number(a)).find((x) => existsSync(join(base, x, 'bin/initdb')));
  return v ? join(base, v, 'bin') : null;
}
const redisBin = () => ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p)) ?? null;

export const available = {
  postgres: () => pgBin() !== null && spawnSync('id', ['postgres']).status === 0,
  redis: () => redisBin() !== null,
  build: () => existsSync(join(ROOT, 'core/dist/cli.js')) && existsSync(join(ROOT, 'plugins/conversations/dist/server/index.js')),
};

/** Runs a command as the postgres OS user (initdb refuses root). */
function asPostgres(cmd: string, args: string[]): { status: number | null; out: string } {
  const r = process.getuid?.() === 0 ? spawnSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { encoding: 'utf8' }) : spawnSync(cmd, args, { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

export interface PrivatePostgres { url: string; port: number; stop(): Promise<void>; start(): Promise<void>; destroy(): Promise<void> }

export async function startPostgres(): Promise<PrivatePostgres> {
  const bin = pgBin()!;
  const dir = mkdtempSync(join(tmpdir(), 'charla-pg-'));
  chmodSync(dir, 0o777);
  spawnSync('chown', ['postgres', dir]);
  const data = join(dir, 'data');
  const init = asPostgres(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  if (init.status !== 0) throw new Error(`initdb failed: ${init.out}`);
  const port = await freePort();
  const ctl = (action: 'start' | 'stop') =>
    asPostgres(join(bin, 'pg_ctl'), action === 'start'
      ? ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '30', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`, 'start']
      : ['-D', data, '-m', 'fast', '-w', '-t', '30', 'stop']);
  const start = async () => {
    const r = ctl('start');
    if (r.status !== 0) throw new Error(`pg_ctl start failed: ${r.out}`);
  };
  await start();
  let running = true;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async stop() {
      ctl('stop');
      running = false;
    },
    async start() {
      await start();
      running = true;
    },
    async destroy() {
      if (running) ctl('stop');
      running = false;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface PrivateRedis { url: string; stop(): Promise<void>; start(): Promise<void>; destroy(): Promise<void> }

export async function startRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn(redisBin()!, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      if (spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout?.includes('PONG')) return;
      await sleep(50);
    }
    throw new Error('redis-server did not start');
  };
  const stop = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, stop, start, async destroy() { await stop(); } };
}

export interface Instance { url: string; port: number; child: ChildProcess; log: string[]; exited: Promise<number | null> }

/** `node core/bin/charla.js start` on its own port (needs `npm run build`). */
export async function startInstance(env: Record<string, string>): Promise<Instance> {
  const port = await freePort();
  const log: string[] = [];
  const child = spawn(process.execPath, [join(ROOT, 'core/bin/charla.js'), 'start'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NODE_ENV: 'test', HOST: '127.0.0.1', PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, LOG_LEVEL: 'warn', CHARLA_SKIP_ADMIN_BUILD: '1', CHARLA_PLUGINS: 'conversations', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => log.push(String(d)));
  child.stderr!.on('data', (d) => log.push(String(d)));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`instance exited: ${log.join('')}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return { url, port, child, log, exited };
    } catch {
      // not up yet
    }
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`instance did not start: ${log.join('')}`);
}

export async function http(base: string, method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${base}${path}`, { method, headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed, headers: res.headers };
}
