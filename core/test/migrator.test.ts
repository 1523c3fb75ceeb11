import t from 'tap';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createTestStore } from '@charla/core/testing';
import { Database } from '../src/db/database.js';
import { migrate } from '../src/db/migrator.js';

// The migration check on start: a database whose every migration is applied is left
// alone (the fast path reads the table once and does not run umzug); a new migration
// file, in any source, is still applied — once, and only it.

const store = await createTestStore();
t.teardown(() => store.cleanup());
const logger = pino({ level: 'silent' });
const db = new Database({ databaseUrl: store.databaseUrl, dataDir: store.dataDir, logger });
await db.connect();
t.teardown(() => db.close());

const dirs = { core: mkdtempSync(join(tmpdir(), 'charla-mig-core-')), plug: mkdtempSync(join(tmpdir(), 'charla-mig-plug-')) };
// Each migration appends its name to a log table, so a migration that runs twice shows up.
const migration = (dir: string, file: string, name: string) => {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, file), `export async function up({ context }) {
  await context.sequelize.query("CREATE TABLE IF NOT EXISTS mig_log (name VARCHAR(64) NOT NULL)");
  await context.sequelize.query("INSERT INTO mig_log (name) VALUES ('${name}')");
}\n`);
};
const sources = () => [{ owner: 'core', dir: dirs.core }, { owner: 'plug', dir: dirs.plug }];
const ran = async () => (await db.query<{ name: string }>('SELECT name FROM mig_log ORDER BY name')).map((r) => r.name);

migration(dirs.core, '20260101-0001-a.mjs', 'core-a');
migration(dirs.plug, '20260101-0001-b.mjs', 'plug-b');

t.test('a new database gets every migration', async (t) => {
  t.same(await migrate(db, sources(), logger), ['core/20260101-0001-a', 'plug/20260101-0001-b']);
  t.same(await ran(), ['core-a', 'plug-b']);
});

t.test('nothing pending: nothing runs, nothing is returned', async (t) => {
  t.same(await migrate(db, sources(), logger), []);
  t.same(await migrate(db, sources(), logger), []);
  t.same(await ran(), ['core-a', 'plug-b'], 'no migration ran twice');
});

t.test('a name in the table that no source lists (a disabled plugin) does not count as pending', async (t) => {
  t.same(await migrate(db, [{ owner: 'core', dir: dirs.core }], logger), []);
  t.same(await ran(), ['core-a', 'plug-b']);
});

t.test('a new file in a later source is applied, alone', async (t) => {
  migration(dirs.plug, '20260102-0001-c.mjs', 'plug-c');
  t.same(await migrate(db, sources(), logger), ['plug/20260102-0001-c']);
  t.same(await ran(), ['core-a', 'plug-b', 'plug-c']);
  t.same(await migrate(db, sources(), logger), [], 'and is then current');
});

t.test('the applied names are the stored ones', async (t) => {
  const rows = await db.query<{ name: string }>('SELECT name FROM charla_migrations ORDER BY name');
  t.same(rows.map((r) => r.name), ['core/20260101-0001-a', 'plug/20260101-0001-b', 'plug/20260102-0001-c']);
});
