// Two instances started at the same moment against one fresh PostgreSQL database (what
// docker/compose.scaled.yml does on its first `up`): both become ready, every migration
// is applied exactly once, and both share the one generated token-signing key.
//
//   npx tap --disable-coverage --timeout=600 docker/test/concurrent-migrations.test.mjs
import t from 'tap';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { REDIS_URL, cleanup, freePort, freshDatabase, repoRoot, startCharla, waitReady } from './lib.mjs';

const tag = randomBytes(3).toString('hex');

t.teardown(cleanup);

t.test('two instances migrate one fresh database at once', async (t) => {
  const db = await freshDatabase('migrations');
  t.teardown(async () => {
    await cleanup();
    await db.drop().catch((err) => console.error(`could not drop ${db.name}: ${err.message}`));
  });

  const env = { DATABASE_URL: db.url, REDIS_URL, REDIS_PREFIX: `charla-docker-${tag}:`, CHARLA_SKIP_ADMIN_BUILD: '1', NODE_ENV: 'production', PUBLIC_URL: 'http://127.0.0.1:1' };
  const ports = [await freePort(), await freePort()];
  const procs = ports.map((port, i) => startCharla(`charla-${i + 1}`, { port, env }));
  await Promise.all(procs.map((p, i) => waitReady(`http://127.0.0.1:${ports[i]}`, p)));
  t.pass('both instances started at once became ready');

  const rows = await db.query('SELECT name FROM charla_migrations ORDER BY name');
  const names = rows.map((r) => r.name);
  t.equal(new Set(names).size, names.length, `no migration recorded twice (${names.length} rows)`);

  // Every migration file of core and of each enabled plugin (the default set) is recorded.
  const files = (dir) => (existsSync(dir) ? readdirSync(dir) : []).filter((f) => /\.(m?js)$/.test(f)).map((f) => f.replace(/\.m?js$/, ''));
  const { loadConfig } = await import(pathToFileURL(join(repoRoot, 'core/dist/config.js')).href);
  const { importPlugins } = await import(pathToFileURL(join(repoRoot, 'core/dist/plugins/loader.js')).href);
  const plugins = await importPlugins(loadConfig({}, { CHARLA_PLUGINS: process.env.CHARLA_DOCKER_TEST_PLUGINS }, repoRoot).plugins, repoRoot);
  const expected = [
    ...files(join(repoRoot, 'core/dist/db/migrations')).map((f) => `core/${f}`),
    ...plugins.flatMap((p) => (p.migrations ? files(String(p.migrations).startsWith("file:") ? fileURLToPath(p.migrations) : String(p.migrations)).map((f) => `${p.name}/${f}`) : [])),
  ];
  t.ok(plugins.length >= 1 && expected.length > 1, `core and plugins have migrations (${plugins.map((p) => p.name).join(', ')})`);
  t.equal(names.length, expected.length, 'as many rows as migration files');
  for (const name of expected) t.ok(names.includes(name), `applied: ${name}`);

  const dupes = await db.query('SELECT name, count(*)::int AS n FROM charla_migrations GROUP BY name HAVING count(*) > 1');
  t.same(dupes, [], 'GROUP BY name finds no duplicate');
  const secrets = await db.query("SELECT count(*)::int AS n FROM instance_settings WHERE key = 'jwt_secret'");
  t.equal(secrets[0].n, 1, 'one token-signing key generated for both');

  // A session created on one instance is valid on the other: they share the key.
  const [a, b] = ports.map((p) => `http://127.0.0.1:${p}`);
  const signup = await fetch(`${a}/api/v1/auth/signup`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ accountName: `Mig ${tag}`, name: 'Owner', email: `mig-${tag}@example.com`, password: `Pw-${tag}-mig` }),
  });
  t.equal(signup.status, 201, 'sign-up on instance 1');
  const { token } = await signup.json();
  const me = await fetch(`${b}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });
  t.equal(me.status, 200, 'its token works on instance 2');
});
