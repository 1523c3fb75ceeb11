// Starting the servers under test, each in its own child process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { SRC, charlaEnv, freePort, startChild } from './util.mjs';

const tempDirs = new Set();
export function tempDir(prefix = 'charla-bench-') {
  const d = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(d);
  return d;
}
export function removeTempDirs() {
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
  tempDirs.clear();
}
process.on('exit', removeTempDirs);

/**
 * A Charla server (servers/charla.mjs = createServer + listen, what `charla start` runs)
 * with `store` = {dataDir, databaseUrl?, redisUrl?, redisPrefix?}.
 */
export async function startCharla(store, { cpuProfDir, env = {} } = {}) {
  const port = await freePort();
  const execArgv = ['--expose-gc', ...(cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : [])];
  const h = await startChild(join(SRC, 'servers/charla.mjs'), {
    execArgv,
    env: charlaEnv({
      PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, DATA_DIR: store.dataDir,
      DATABASE_URL: store.databaseUrl, REDIS_URL: store.redisUrl, REDIS_PREFIX: store.redisPrefix, ...env,
    }),
    readyMs: 120_000,
  });
  h.url = `http://127.0.0.1:${port}`;
  return h;
}

export function charlaStore(extra = {}) {
  return { dataDir: tempDir(), redisPrefix: `charla-bench-${randomBytes(4).toString('hex')}:`, ...extra };
}

/** kind: 'ws' | 'socketio' | 'raw' (raw takes {dataDir, databaseUrl?, redisUrl?}). */
export async function startBaseline(kind, store = {}, { cpuProfDir } = {}) {
  const port = await freePort();
  const script = { ws: 'servers/relay-ws.mjs', socketio: 'servers/relay-socketio.mjs', raw: 'servers/fastify-raw.mjs' }[kind];
  const h = await startChild(join(SRC, script), {
    execArgv: ['--expose-gc', ...(cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : [])],
    env: { ...process.env, PORT: String(port), DATA_DIR: store.dataDir ?? tempDir(), DATABASE_URL: store.databaseUrl ?? '', REDIS_URL: store.redisUrl ?? '' },
  });
  h.url = `http://127.0.0.1:${port}`;
  return h;
}

export async function startLoad() {
  // Lives for the whole run (a full run takes ~20 min on a busy 2-core machine); still bounded.
  return startChild(join(SRC, 'load/client.mjs'), { execArgv: ['--max-old-space-size=1024'], maxMs: 60 * 60_000 });
}

/** RSS of a process from /proc (bytes). */
export async function rssOf(pid) {
  const { readFile } = await import('node:fs/promises');
  const s = await readFile(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+) kB/.exec(s);
  return m ? Number(m[1]) * 1024 : null;
}
