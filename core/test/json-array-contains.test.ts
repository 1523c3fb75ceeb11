import t from 'tap';
import pino from 'pino';
import { DataTypes, Op } from 'sequelize';
import { createTestStore } from '@charla/core/testing';
import { Database } from '../src/db/database.js';

// PluginDatabase.jsonArrayContains: one condition, the same rows on SQLite and PostgreSQL,
// values escaped (quotes, LIKE wildcards and SQL stay data), bad column names refused.
const store = await createTestStore();
t.teardown(() => store.cleanup());
const db = new Database({ databaseUrl: store.databaseUrl, dataDir: store.dataDir, logger: pino({ level: 'silent' }) });
await db.connect();
t.teardown(() => db.close());

const plugin = db.forPlugins();
const Item = plugin.define('JsonItem', { id: { type: DataTypes.STRING(36), primaryKey: true }, labels: DataTypes.JSON }, { tableName: 'json_items', tenant: false });
await Item.sync();
const rows: Array<[string, string[]]> = [
  ['a', ['billing', 'vip']], ['b', ['Billing']], ['c', []], ['d', ["it's", '%', 'x"y']], ['e', ['billing2']],
];
for (const [id, labels] of rows) await Item.create({ id, labels } as never);
t.test('matches', async (t) => {
const having = async (value: string) => ((await Item.findAll({ where: { [Op.and]: [plugin.jsonArrayContains('labels', value)] } as never, order: [['id', 'ASC']] })) as unknown as Array<{ id: string }>).map((r) => r.id);

t.same(await having('billing'), ['a'], 'exact, case-sensitive element match (not a prefix, not another case)');
t.same(await having('vip'), ['a']);
t.same(await having("it's"), ['d'], 'a quote is data');
t.same(await having('%'), ['d'], 'a wildcard is data');
t.same(await having('x"y'), ['d'], 'a double quote is data');
t.same(await having("') OR 1=1 --"), [], 'SQL in the value matches nothing');
t.same(await having('nothing'), []);
t.throws(() => plugin.jsonArrayContains('labels; DROP TABLE x', 'a'), TypeError, 'a column that is not a plain name is refused');
t.throws(() => plugin.jsonArrayContains('labels', 7 as never), TypeError, 'a non-string value is refused');
});
