import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { DataTypes, type QueryInterface, type Sequelize } from 'sequelize';
import { Umzug, SequelizeStorage } from 'umzug';
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

function listMigrationFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /\.(m?js|ts)$/.test(f) && !f.endsWith('.d.ts') && !f.endsWith('.map'))
    .sort();
}

/**
 * Runs every pending migration of core and the enabled plugins, in the order given
 * (core first, then plugins in dependency order). Names are stored as `<owner>/<file>`
 * in one table. On PostgreSQL a session advisory lock makes concurrent starts of
 * several instances take turns instead of colliding.
 */
export async function migrate(db: Database, sources: MigrationSource[], logger: Logger): Promise<string[]> {
  const context: MigrationContext = { queryInterface: db.sequelize.getQueryInterface(), sequelize: db.sequelize, dialect: db.dialect, DataTypes };
  const migrations = sources.flatMap(({ owner, dir }) => {
    const path = typeof dir === 'string' ? dir : fileURLToPath(dir);
    return listMigrationFiles(path).map((file) => ({
      name: `${owner}/${file.replace(/\.(m?js|ts)$/, '')}`,
      path: join(path, file),
    }));
  });
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
    storage: new SequelizeStorage({ sequelize: db.sequelize, tableName: 'charla_migrations' }),
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
