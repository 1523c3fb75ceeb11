import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { DataTypes, QueryTypes, type QueryInterface, type Sequelize } from 'sequelize';
import type { Logger } from 'pino';
import type { Database, Dialect } from './database.js';

/** What a migration's `up`/`down` receive. */
export interface MigrationContext {
  queryInterface: QueryInterface;
  sequelize: Sequelize;
  dialect: Dialect;
  DataTypes: typeof DataTypes;
}

export interface MigrationModule {
  up(params: { context: MigrationContext }): Promise<void>;
  down?(params: { context: MigrationContext }): Promise<void>;
}

export interface MigrationSource {
  /** Package the migrations belong to: `core` or a plugin name. Prefixes each stored name. */
  owner: string;
  /** Folder holding `<timestamp>-<name>.(js|ts)` files. */
  dir: string | URL;
}

const LOCK_KEY = 471_993_221; // pg_advisory_lock key for "charla migrations"
const TABLE = 'charla_migrations';

function listMigrationFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /\.(m?js|ts)$/.test(f) && !f.endsWith('.d.ts') && !f.endsWith('.map'))
    .sort();
}

/** The names already applied, or null when the table does not exist yet (a new database). */
async function appliedNames(db: Database): Promise<Set<string> | null> {
  try {
    const rows = await db.sequelize.query<{ name: string }>(`SELECT name FROM ${TABLE}`, { type: QueryTypes.SELECT });
    return new Set(rows.map((r) => r.name));
  } catch {
    return null;
  }
}

/**
 * Runs every pending migration of core and the enabled plugins, in the order given
 * (core first, then plugins in dependency order). Names are stored as `<owner>/<file>`
 * in one table. On PostgreSQL a session advisory lock makes concurrent starts of
 * several instances take turns instead of colliding.
 *
 * Most starts have nothing to apply: one read of the table proves it, and the migration
 * runner (umzug, with its dependencies a tenth of the start) is only loaded when
 * something is pending or the table is missing.
 */
export async function migrate(db: Database, sources: MigrationSource[], logger: Logger): Promise<string[]> {
  const migrations = sources.flatMap(({ owner, dir }) => {
    const path = typeof dir === 'string' ? dir : fileURLToPath(dir);
    return listMigrationFiles(path).map((file) => ({
      name: `${owner}/${file.replace(/\.(m?js|ts)$/, '')}`,
      path: join(path, file),
    }));
  });
  const applied = await appliedNames(db);
  if (applied && migrations.every((m) => applied.has(m.name))) return [];

  const { Umzug, SequelizeStorage } = await import('umzug');
  const context: MigrationContext = { queryInterface: db.sequelize.getQueryInterface(), sequelize: db.sequelize, dialect: db.dialect, DataTypes };
  const umzug = new Umzug<MigrationContext>({
    migrations: migrations.map((m) => ({
      name: m.name,
      up: async ({ context: ctx }) => ((await import(pathToFileURL(m.path).href)) as MigrationModule).up({ context: ctx }),
      down: async ({ context: ctx }) => {
        const mod = (await import(pathToFileURL(m.path).href)) as MigrationModule;
        if (mod.down) await mod.down({ context: ctx });
      },
    })),
    context,
    storage: new SequelizeStorage({ sequelize: db.sequelize, tableName: TABLE }),
    logger: undefined,
  });

  const run = async () => {
    const done = await umzug.up();
    for (const m of done) logger.info({ migration: m.name }, 'migration applied');
    return done.map((m) => m.name);
  };
  if (db.dialect !== 'postgres') return run();

  // Hold the advisory lock on one dedicated connection for the whole run.
  const pool = (db.sequelize.connectionManager as unknown as { getConnection(o?: object): Promise<{ query(sql: string): Promise<unknown> }>; releaseConnection(c: unknown): Promise<void> });
  const conn = await pool.getConnection({ type: 'write' });
  try {
    await conn.query(`SELECT pg_advisory_lock(${LOCK_KEY})`);
    return await run();
  } finally {
    await conn.query(`SELECT pg_advisory_unlock(${LOCK_KEY})`).catch(() => undefined);
    await pool.releaseConnection(conn);
  }
}
