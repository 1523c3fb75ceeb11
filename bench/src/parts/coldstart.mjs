// Cold start: `charla start` (the real CLI, all built-in plugins) on an existing SQLite
// database until the first 200 from /readyz, against an empty Fastify app doing the same.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { tempDir } from '../lib/servers.mjs';
import { REPO_DIR, SRC, charlaEnv, freePort, sleep, summarize } from '../lib/util.mjs';

const ready = (port) => new Promise((ok) => {
  const req = http.get({ host: '127.0.0.1', port, path: '/readyz', agent: false }, (res) => { res.resume(); ok(res.statusCode === 200); });
  req.on('error', () => ok(false));
  req.setTimeout(1000, () => { req.destroy(); ok(false); });
});

/** Spawns `args`, polls /readyz every 5 ms; resolves ms to the first 200, then stops the process. */
async function timeToReady(args, env, port, limitMs = 30_000) {
  const t0 = performance.now();
  const p = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'], cwd: REPO_DIR });
  let stderr = '';
  p.stderr.on('data', (d) => { stderr = (stderr + d).slice(-2000); });
  let exited = false;
  const done = new Promise((r) => p.on('exit', () => { exited = true; r(); }));
  let ms = null;
  while (!exited && performance.now() - t0 < limitMs) {
    if (await ready(port)) { ms = performance.now() - t0; break; }
    await sleep(5);
  }
  p.kill('SIGTERM');
  const t = setTimeout(() => p.kill('SIGKILL'), 10_000);
  await done;
  clearTimeout(t);
  if (ms === null) throw new Error(`no 200 from /readyz within ${limitMs} ms: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return ms;
}

export async function coldStart(cfg, log) {
  const cli = join(REPO_DIR, 'core/bin/charla.js');
  const dataDir = tempDir();
  const port = await freePort();
  const env = charlaEnv({ PORT: String(port), DATA_DIR: dataDir, PUBLIC_URL: `http://127.0.0.1:${port}` });
  // First start creates the database (migrations, signing key): not measured.
  const first = await timeToReady([cli, 'start'], env, port, 60_000);
  log(`    first start (creates the database, not measured): ${first.toFixed(0)} ms`);
  const charla = [];
  const empty = [];
  for (let i = 0; i < cfg.runs; i++) {
    charla.push(await timeToReady([cli, 'start'], env, port));
    const p2 = await freePort();
    empty.push(await timeToReady([join(SRC, 'servers/empty-fastify.mjs')], { ...process.env, PORT: String(p2) }, p2));
    log(`    run ${i + 1}/${cfg.runs}: charla start ${charla.at(-1).toFixed(0)} ms, empty Fastify ${empty.at(-1).toFixed(0)} ms`);
  }
  return { charla: summarize(charla), emptyFastify: summarize(empty), runs: { charla, empty } };
}
