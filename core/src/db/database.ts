import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { Sequelize, Transaction, type ModelAttributes, type ModelOptions, type ModelStatic, type Model } from 'sequelize';
import { CoreErrors } from '../errors.js';
import { installTenantGuard, TenantScope } from './tenancy.js';

export type Dialect = 'sqlite' | 'postgres';

interface TxContext {
  transaction: Transaction;
  /** Writes that must land in this transaction, just before it commits (the events outbox). */
  beforeCommit: Array<() => Promise<void>>;
}

interface TenantBypass {
  reason: string;
}

/**
 * The database as plugins see it (`ctx.db`, `cradle.db`): models, the tenant scope
 * (which also runs tenant-bound raw SQL, `scope(accountId).query`), transactions and
 * the logged tenant bypass — no Sequelize instance, no unguarded `query()` and no
 * `model(name)` lookup of other plugins' tables.
 */
export interface PluginDatabase {
  readonly dialect: Dialect;
  /** Declares a model. `tenant: true` (the default) puts the table under the tenant guard. */
  define<M extends Model>(name: string, attributes: ModelAttributes<M>, options?: ModelOptions<M> & { tenant?: boolean }): ModelStatic<M>;
  /** The repository for one account: every query it runs is scoped to `accountId`. */
  scope(accountId: string): TenantScope;
  /** Runs `fn` in a transaction (or joins the one in progress). */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
  /** The transaction in progress in this async context, if any. */
  currentTransaction(): Transaction | undefined;
  /** Calls `fn` once the current transaction commits (dropped on rollback); at once when there is none. */
  afterCommit(fn: () => void): void;
  /** System work that spans tenants (jobs, sweeps): explicit and logged. */
  withoutTenant<T>(reason: string, fn: () => Promise<T>): Promise<T>;
  /**
   * A `where` condition for model queries: the JSON array in `column` (a snake_case column
   * name of the queried table) holds the string `value` — `json_each` on SQLite, `@>` on
   * PostgreSQL, the value escaped by the driver. E.g. conversations tagged "billing":
   * `findAll(Conversation, { where: { [Op.and]: [db.jsonArrayContains('tags', 'billing')] } })`.
   */
  jsonArrayContains(column: string, value: string): JsonCondition;
}

/** An opaque `where` condition built by `PluginDatabase.jsonArrayContains` (put it in an `Op.and` list). */
export type JsonCondition = ReturnType<typeof Sequelize.literal>;

/**
 * The database: one Sequelize instance, the current transaction carried in
 * AsyncLocalStorage (so repositories and the event bus find it without threading it
 * through every call), and the tenant guard.
 */
export class Database {
  readonly sequelize: Sequelize;
  readonly dialect: Dialect;
  private readonly txStore = new AsyncLocalStorage<TxContext>();
  private readonly bypassStore = new AsyncLocalStorage<TenantBypass>();
  private readonly tenantModels = new Set<string>();
  private writeLock: Promise<unknown> = Promise.resolve();
  /** SQLite write transactions queued or running (the one holding the lock included). */
  private writes = 0;
  private readonly maxQueuedWrites: number;
  /** true: writes started here are refused when the queue is full (HTTP requests); false/unset: they always queue. */
  private readonly admissionStore = new AsyncLocalStorage<boolean>();
  private readonly logger: Logger;
  private facade: PluginDatabase | undefined;

  constructor(opts: { databaseUrl?: string; dataDir: string; logger: Logger; maxQueuedWrites?: number }) {
    this.logger = opts.logger;
    this.maxQueuedWrites = opts.maxQueuedWrites ?? Infinity;
    if (opts.databaseUrl) {
      this.dialect = 'postgres';
      this.sequelize = new Sequelize(opts.databaseUrl, {
        dialect: 'postgres',
        logging: false,
        pool: { max: 10, min: 0, idle: 10_000, acquire: 10_000 },
        retry: { max: 0 },
      });
    } else {
      this.dialect = 'sqlite';
      mkdirSync(opts.dataDir, { recursive: true });
      this.sequelize = new Sequelize({
        dialect: 'sqlite',
        storage: join(opts.dataDir, 'charla.sqlite'),
        logging: false,
        retry: { max: 0 },
      });
      // Sequelize opens (and closes) one sqlite3 connection per transaction and offers no
      // hook to configure connections. Transactions here run one at a time (see
      // transaction()), so they all share one long-lived connection instead; every
      // connection gets a busy timeout (wait for the lock instead of SQLITE_BUSY) and
      // synchronous=NORMAL (WAL-safe, no fsync per commit).
      type Conn = { configure(k: string, v: number): void; run(sql: string): void; __charla?: boolean; uuid?: string };
      const cm = this.sequelize.connectionManager as unknown as { getConnection(o: { uuid?: string }): Promise<Conn>; releaseConnection(c: Conn, force?: boolean): Promise<void> };
      const original = cm.getConnection.bind(cm);
      const originalRelease = cm.releaseConnection.bind(cm);
      let txConnection: Promise<Conn> | null = null;
      const prepare = async (o: { uuid?: string }) => {
        const conn = await original(o);
        if (!conn.__charla) {
          conn.configure('busyTimeout', 10_000);
          conn.run('PRAGMA synchronous=NORMAL');
          conn.__charla = true;
        }
        return conn;
      };
      cm.getConnection = async (o: { uuid?: string } = {}) => {
        if (!o.uuid || o.uuid === 'default') return prepare(o);
        txConnection ??= prepare({ ...o, uuid: 'charla-transactions' });
        return txConnection;
      };
      cm.releaseConnection = async (c: Conn, force?: boolean) => {
        if (txConnection && !force && c === (await txConnection)) return; // kept for the next transaction
        return originalRelease(c, force);
      };
    }
  }

  async connect(): Promise<void> {
    await this.sequelize.authenticate();
    if (this.dialect === 'sqlite') {
      await this.sequelize.query('PRAGMA journal_mode=WAL');
      await this.sequelize.query('PRAGMA synchronous=NORMAL');
    }
  }

  async close(): Promise<void> {
    await this.sequelize.close();
  }

  /** Runs `fn` in a transaction (or joins the one in progress). */
  async transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    const current = this.txStore.getStore();
    if (current) return fn(current.transaction);
    const run = () =>
      this.sequelize.transaction(
        this.dialect === 'sqlite' ? { type: Transaction.TYPES.IMMEDIATE } : {},
        (transaction) => {
          const ctx: TxContext = { transaction, beforeCommit: [] };
          return this.txStore.run(ctx, async () => {
            const result = await fn(transaction);
            // By index: a callback may register another one.
            for (let i = 0; i < ctx.beforeCommit.length; i++) await ctx.beforeCommit[i]();
            return result;
          });
        },
      );
    if (this.dialect === 'postgres') return run();
    // SQLite has one writer at a time: queue write transactions in-process instead of
    // letting them spin on the file lock. The queue is bounded for requests: past
    // maxQueuedWrites waiting, a request's write is refused (503 + Retry-After) rather
    // than waiting behind all the others, so the accepted ones keep a bounded latency.
    if (this.queuedWrites >= this.maxQueuedWrites && this.admissionStore.getStore()) {
      throw CoreErrors.overloaded(`The server is busy: ${this.queuedWrites} writes are already waiting for the database. Retry in a second; repeating a send with the same clientId is safe.`, { headers: { 'retry-after': '1' } });
    }
    this.writes++;
    const result = this.writeLock.then(run, run);
    const done = () => { this.writes--; };
    this.writeLock = result.then(done, done);
    return result;
  }

  /** SQLite write transactions waiting for the write lock (not counting the one holding it); 0 on PostgreSQL. */
  get queuedWrites(): number {
    return Math.max(0, this.writes - 1);
  }

  /**
   * Runs `fn` (an HTTP request) so that the write transactions it starts are refused
   * with a 503 when `maxQueuedWrites` are already waiting (SQLite).
   */
  limitWrites<T>(fn: () => T): T {
    return this.admissionStore.run(true, fn);
  }

  /** Runs `fn` (background work: event handlers, jobs) so that its writes always queue, even when called from a request. */
  unlimitedWrites<T>(fn: () => T): T {
    return this.admissionStore.run(false, fn);
  }

  /** The transaction in progress in this async context, if any. */
  currentTransaction(): Transaction | undefined {
    return this.txStore.getStore()?.transaction;
  }

  /**
   * Throws when called inside a transaction: for what waits for background work (jobs,
   * event deliveries). That work writes after this transaction — on SQLite behind its
   * write lock, on PostgreSQL behind its row locks — so waiting for it here waits for itself.
   */
  assertNoTransaction(what: string): void {
    if (this.txStore.getStore()) throw new Error(`${what} was called inside a transaction: the work it waits for cannot finish before this transaction commits. Call it after the transaction.`);
  }

  /**
   * Runs `fn` inside the current transaction just before it commits (its writes commit or
   * roll back with the transaction; a throw rolls it back). False when there is no
   * transaction: the caller writes on its own.
   */
  beforeCommit(fn: () => Promise<void>): boolean {
    const ctx = this.txStore.getStore();
    if (!ctx) return false;
    ctx.beforeCommit.push(fn);
    return true;
  }

  /** Calls `fn` once the current transaction commits (dropped on rollback); at once when there is none. */
  afterCommit(fn: () => void): void {
    const tx = this.currentTransaction();
    if (tx) tx.afterCommit(() => fn());
    else fn();
  }

  /** Declares a model. `tenant: true` (the default) puts the table under the tenant guard. */
  define<M extends Model>(name: string, attributes: ModelAttributes<M>, options: ModelOptions<M> & { tenant?: boolean } = {}): ModelStatic<M> {
    const { tenant = true, ...rest } = options;
    const model = this.sequelize.define<M>(name, attributes, { underscored: true, ...rest });
    if (tenant) {
      this.tenantModels.add(name);
      installTenantGuard(model, () => this.bypassStore.getStore());
    }
    return model;
  }

  model<M extends Model = Model>(name: string): ModelStatic<M> {
    const m = this.sequelize.models[name];
    if (!m) throw new Error(`unknown model ${name}`);
    return m as ModelStatic<M>;
  }

  isTenantModel(name: string): boolean {
    return this.tenantModels.has(name);
  }

  /** The repository for one account: every query it runs is scoped to `accountId`. */
  scope(accountId: string): TenantScope {
    if (typeof accountId !== 'string' || !accountId) throw new Error('tenant scope needs an accountId');
    return new TenantScope(this, accountId);
  }

  /**
   * Runs system work that spans tenants (jobs, sign-up, login by e-mail). Explicit and
   * logged: the only way past the tenant guard.
   */
  withoutTenant<T>(reason: string, fn: () => Promise<T>): Promise<T> {
    this.logger.debug({ reason }, 'tenant guard bypassed');
    return this.bypassStore.run({ reason }, fn);
  }

  /** See `PluginDatabase.jsonArrayContains`. */
  jsonArrayContains(column: string, value: string): JsonCondition {
    if (typeof column !== 'string' || !/^[a-z_][a-z0-9_]{0,62}$/.test(column)) throw new TypeError(`jsonArrayContains: ${JSON.stringify(column)} is not a column name`);
    if (typeof value !== 'string') throw new TypeError('jsonArrayContains: the value must be a string');
    const name = this.sequelize.getQueryInterface().quoteIdentifier(column);
    return Sequelize.literal(this.dialect === 'postgres'
      ? `(${name})::jsonb @> ${this.sequelize.escape(JSON.stringify([value]))}::jsonb`
      : `EXISTS (SELECT 1 FROM json_each(${name}) WHERE json_each.value = ${this.sequelize.escape(value)})`);
  }

  /** The narrow view handed to plugins and registered as `cradle.db` (the same object every time). */
  forPlugins(): PluginDatabase {
    this.facade ??= Object.freeze({
      dialect: this.dialect,
      define: this.define.bind(this),
      scope: this.scope.bind(this),
      transaction: this.transaction.bind(this),
      currentTransaction: this.currentTransaction.bind(this),
      afterCommit: this.afterCommit.bind(this),
      withoutTenant: this.withoutTenant.bind(this),
      jsonArrayContains: this.jsonArrayContains.bind(this),
    }) as PluginDatabase;
    return this.facade;
  }

  /** Raw SQL with named replacements, inside the current transaction (core only; plugins use `scope(accountId).query`). */
  async query<T = Record<string, unknown>>(sql: string, replacements: Record<string, unknown> = {}): Promise<T[]> {
    const [rows] = await this.sequelize.query(sql, { replacements, transaction: this.currentTransaction() });
    return rows as T[];
  }
}
