import t from 'tap';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createTestStore } from '@charla/core/testing';

// Cold start (docs/performance.md): dependencies used only by some requests, by some
// configurations or by a new database are not loaded when a server starts. Each start
// runs in a fresh process (fixtures/start-modules-child.ts) on the same store: the first
// creates the database, the second is an ordinary restart.

const child = fileURLToPath(new URL('./fixtures/start-modules-child.ts', import.meta.url));

function start(store: object): Promise<Set<string>> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import=tsx', '--conditions=charla-source', child], {
      env: { ...process.env, CHARLA_TEST_STORE: JSON.stringify(store) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('error', reject);
    p.on('exit', (code) => {
      const m = /modules (\[.*\])/.exec(out);
      if (code !== 0 || !m) reject(new Error(`the child exited with ${code}: ${out}`));
      else resolve(new Set(JSON.parse(m[1]) as string[]));
    });
  });
}

const store = await createTestStore();
t.teardown(() => store.cleanup());
const { cleanup: _c, ...shared } = store;

let loaded = new Set<string>();

t.test('a new database: the migration runner is loaded and runs', async (t) => {
  const first = await start(shared);
  t.ok(first.has('umzug'), 'umzug is loaded');
});

t.test('a restart on the same database', async (t) => {
  loaded = await start(shared);
  t.ok(loaded.has('fastify') && loaded.has('sequelize'), 'the listing sees what the server loaded');
});

t.test('an ordinary restart loads none of the lazily used dependencies', async (t) => {
  for (const [pkg, why] of [
    ['umzug', 'every migration is applied'],
    ['nodemailer', 'no mail sent yet'],
    ['ajv', 'no request validated yet'],
    ['ajv-formats', 'no request validated yet'],
    ['@fastify/ajv-compiler', 'Fastify uses our validator builder'],
    ['@fastify/fast-json-stringify-compiler', 'no response serialized yet'],
    ['cron-parser', 'no cron schedule'],
  ] as const) {
    t.notOk(loaded.has(pkg), `${pkg} is not loaded (${why})`);
  }
});

t.test('Redis clients only with REDIS_URL', async (t) => {
  if (store.redisUrl) {
    t.ok(loaded.has('ioredis') && loaded.has('mqemitter-redis'), 'REDIS_URL set: ioredis and mqemitter-redis are loaded');
  } else {
    t.notOk(loaded.has('ioredis'), 'no REDIS_URL: ioredis is not loaded');
    t.notOk(loaded.has('mqemitter-redis'), 'no REDIS_URL: mqemitter-redis is not loaded');
  }
});
