import { Op, type FindOptions, type CountOptions, type CreationAttributes, type Includeable, type Model, type ModelStatic, type WhereOptions, type Attributes } from 'sequelize';
import { CoreErrors } from '../errors.js';
import type { Database } from './database.js';

/**
 * Tenant isolation lives here and only here.
 *
 * Every tenant table (every model defined with `tenant: true`, the default) gets hooks
 * that refuse — fail closed — any find, count, update, delete or insert that is not
 * scoped to one account, unless the caller is inside `db.withoutTenant(reason, …)`.
 * Routes and services use `TenantScope` (db.scope(accountId)), which adds the scope to
 * the query and to every included tenant model.
 */

type Where = Record<string | symbol, unknown>;

function scopedWhere(where: unknown): boolean {
  if (!where || typeof where !== 'object') return false;
  const w = where as Where;
  for (const key of ['accountId', 'account_id']) {
    const v = w[key];
    if (typeof v === 'string' && v.length > 0) return true;
  }
  const and = w[Op.and as unknown as string];
  if (Array.isArray(and)) return and.some(scopedWhere);
  return false;
}

function checkIncludes(include: unknown, label: string): void {
  if (!include) return;
  const list = Array.isArray(include) ? include : [include];
  for (const inc of list as Array<{ model?: ModelStatic<Model> & { options?: { charlaTenant?: boolean } }; where?: unknown; include?: unknown }>) {
    if (inc && typeof inc === 'object' && inc.model) {
      if ((inc.model as unknown as { charlaTenant?: boolean }).charlaTenant && !scopedWhere(inc.where)) {
        throw CoreErrors.tenantScopeMissing(`query on ${label} includes ${inc.model.name} without an account scope`);
      }
      checkIncludes(inc.include, label);
    }
  }
}

export function installTenantGuard(model: ModelStatic<Model>, bypass: () => unknown): void {
  (model as unknown as { charlaTenant: boolean }).charlaTenant = true;
  const label = model.name;
  const guardWhere = (options: { where?: unknown; include?: unknown }, op: string) => {
    if (bypass()) return;
    if (!scopedWhere(options.where)) throw CoreErrors.tenantScopeMissing(`${op} on ${label} without an account scope`);
    checkIncludes(options.include, label);
  };
  model.addHook('beforeFind', (o: FindOptions) => guardWhere(o as never, 'find'));
  model.addHook('beforeCount', (o: CountOptions) => guardWhere(o as never, 'count'));
  model.addHook('beforeBulkUpdate', (o: object) => guardWhere(o as never, 'update'));
  model.addHook('beforeBulkDestroy', (o: object) => guardWhere(o as never, 'delete'));
  model.addHook('beforeCreate', (instance: Model) => {
    if (bypass()) return;
    const acc = instance.get('accountId');
    if (typeof acc !== 'string' || !acc) throw CoreErrors.tenantScopeMissing(`insert into ${label} without accountId`);
  });
  model.addHook('beforeBulkCreate', (instances: Model[]) => {
    if (bypass()) return;
    for (const instance of instances) {
      const acc = instance.get('accountId');
      if (typeof acc !== 'string' || !acc) throw CoreErrors.tenantScopeMissing(`insert into ${label} without accountId`);
    }
  });
}

type Opts<M extends Model> = Omit<FindOptions<Attributes<M>>, 'where' | 'transaction'> & { where?: WhereOptions<Attributes<M>> };

/** `:accountId` as a named replacement (not inside a longer name such as `:accountIds`). */
const ACCOUNT_PLACEHOLDER = /:accountId(?![A-Za-z0-9_])/;

/** Data access for one account. Every query is scoped; includes of tenant models too. */
export class TenantScope {
  constructor(private readonly db: Database, readonly accountId: string) {}

  private where(where: unknown): Where {
    return where ? { [Op.and]: [where, { accountId: this.accountId }], accountId: this.accountId } : { accountId: this.accountId };
  }

  private include(include: Includeable | Includeable[] | undefined): Includeable[] | undefined {
    if (!include) return undefined;
    const list = Array.isArray(include) ? include : [include];
    return list.map((inc) => {
      const i = inc as { model?: { charlaTenant?: boolean }; where?: unknown; include?: Includeable[] };
      if (i && typeof i === 'object' && i.model) {
        return { ...i, where: i.model.charlaTenant ? this.where(i.where) : i.where, include: this.include(i.include) } as Includeable;
      }
      return inc;
    });
  }

  private model<M extends Model>(m: ModelStatic<M>): ModelStatic<M> {
    // Models are passed, never looked up by name: a plugin reaches only the tables whose models it holds.
    if (typeof m !== 'function') throw new Error('TenantScope takes a model, not a model name');
    return m;
  }

  /**
   * Tenant-bound raw SQL, for what models cannot express (full-text search, aggregates,
   * locks): binds `:accountId` to this scope's account itself and refuses SQL that does
   * not use the `:accountId` placeholder, or that tries to pass its own `accountId`.
   * Every tenant table the statement reads must be filtered by `account_id = :accountId`
   * — the placeholder check makes forgetting it fail loudly, review does the rest.
   * Runs in the current transaction; rows as the driver returns them.
   */
  async query<T = Record<string, unknown>>(sql: string, replacements: Record<string, unknown> = {}): Promise<T[]> {
    if (typeof sql !== 'string' || !ACCOUNT_PLACEHOLDER.test(sql)) throw CoreErrors.tenantScopeMissing('tenant query without the :accountId placeholder: filter every tenant table by account_id = :accountId');
    if (Object.prototype.hasOwnProperty.call(replacements, 'accountId')) throw CoreErrors.tenantScopeMissing('tenant query passes its own accountId: the scope binds :accountId itself');
    return this.db.query<T>(sql, { ...replacements, accountId: this.accountId });
  }

  findAll<M extends Model>(m: ModelStatic<M>, opts: Opts<M> = {}): Promise<M[]> {
    return this.model(m).findAll({ ...opts, where: this.where(opts.where) as never, include: this.include(opts.include), transaction: this.db.currentTransaction() });
  }

  findOne<M extends Model>(m: ModelStatic<M>, opts: Opts<M> = {}): Promise<M | null> {
    return this.model(m).findOne({ ...opts, where: this.where(opts.where) as never, include: this.include(opts.include), transaction: this.db.currentTransaction() });
  }

  findById<M extends Model>(m: ModelStatic<M>, id: string, opts: Opts<M> = {}): Promise<M | null> {
    if (typeof id !== 'string') return Promise.resolve(null);
    return this.findOne(m, { ...opts, where: { ...(opts.where as object), id } as never });
  }

  count<M extends Model>(m: ModelStatic<M>, opts: Opts<M> = {}): Promise<number> {
    return this.model(m).count({ ...(opts as object), where: this.where(opts.where) as never, include: this.include(opts.include), transaction: this.db.currentTransaction() });
  }

  create<M extends Model>(m: ModelStatic<M>, values: Omit<CreationAttributes<M>, 'accountId'>): Promise<M> {
    return this.model(m).create({ ...(values as object), accountId: this.accountId } as unknown as CreationAttributes<M>, { transaction: this.db.currentTransaction() });
  }

  async update<M extends Model>(m: ModelStatic<M>, values: Partial<Attributes<M>>, where: WhereOptions<Attributes<M>>): Promise<number> {
    const { accountId: _drop, ...safe } = values as Record<string, unknown>;
    const [n] = await this.model(m).update(safe as never, { where: this.where(where) as never, transaction: this.db.currentTransaction() });
    return n;
  }

  destroy<M extends Model>(m: ModelStatic<M>, where: WhereOptions<Attributes<M>>): Promise<number> {
    return this.model(m).destroy({ where: this.where(where) as never, transaction: this.db.currentTransaction() });
  }

  /**
   * Atomically adds one to an integer column of one row and returns the new value.
   * Runs `UPDATE … RETURNING`, which takes the row lock on PostgreSQL and the write lock
   * on SQLite, so two concurrent callers never get the same number.
   */
  async increment(m: ModelStatic<Model>, id: string, column: string): Promise<number | null> {
    const model = this.model(m);
    const table = model.getTableName() as string;
    const col = (model.getAttributes() as Record<string, { field?: string }>)[column]?.field ?? column;
    const qi = this.db.sequelize.getQueryInterface();
    const rows = await this.db.query<Record<string, number>>(
      `UPDATE ${qi.quoteIdentifier(table)} SET ${qi.quoteIdentifier(col)} = ${qi.quoteIdentifier(col)} + 1 WHERE id = :id AND account_id = :accountId RETURNING ${qi.quoteIdentifier(col)} AS value`,
      { id, accountId: this.accountId },
    );
    return rows[0] ? Number(rows[0].value) : null;
  }

  /**
   * `increment` that also returns the whole row after the change (one statement,
   * `UPDATE … RETURNING *`, instead of an increment and a find): the same plain
   * attributes a find returns, or null when no row of this account matched. `where`
   * adds equality conditions on other columns (e.g. the owner), so a row that does not
   * match them is neither changed nor returned.
   */
  async incrementAndGet<M extends Model>(m: ModelStatic<M>, id: string, column: string, where: Record<string, string | number> = {}): Promise<Attributes<M> | null> {
    const model = this.model(m);
    const attrs = model.getAttributes() as Record<string, { field?: string; type?: unknown }>;
    const field = (name: string) => {
      if (!attrs[name]) throw new Error(`unknown attribute ${model.name}.${name}`);
      return attrs[name].field ?? name;
    };
    const qi = this.db.sequelize.getQueryInterface();
    const col = qi.quoteIdentifier(field(column));
    const extra = Object.keys(where).map((k, i) => ` AND ${qi.quoteIdentifier(field(k))} = :w${i}`).join('');
    const replacements: Record<string, unknown> = { id, accountId: this.accountId };
    Object.values(where).forEach((v, i) => { replacements[`w${i}`] = v; });
    const rows = await this.db.query<Record<string, unknown>>(
      `UPDATE ${qi.quoteIdentifier(model.getTableName() as string)} SET ${col} = ${col} + 1 WHERE id = :id AND account_id = :accountId${extra} RETURNING *`,
      replacements,
    );
    if (!rows[0]) return null;
    // Raw rows carry column names and, on SQLite, JSON as text: map and parse them the
    // way a find does (dates and booleans are converted by build's setters; built as a
    // new record only so the read-only timestamps are set too — nothing is saved).
    const values: Record<string, unknown> = {};
    for (const [name, def] of Object.entries(attrs)) {
      const f = def.field ?? name;
      if (!(f in rows[0])) continue;
      let v = rows[0][f];
      if (typeof v === 'string' && (def.type as { key?: string } | undefined)?.key?.startsWith('JSON')) v = JSON.parse(v);
      values[name] = v;
    }
    return model.build(values as never).get({ plain: true }) as Attributes<M>;
  }
}
