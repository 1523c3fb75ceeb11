import { Op, col, defineService, fn, newId, type Cradle, type Model, type ModelStatic, type VisitorActor } from '@charla/core';
import { ConversationErrors } from './errors.js';
import { cleanAttributes } from './visitor-service.js';
import { visitorView } from './views.js';
import { SORT_COLUMNS, compileVisitorCondition, sqlDate, type VisitorCondition, type VisitorSortField } from './visitor-query.js';
import { reportPort, type ReportPort } from './report-port.js';
import { modelsOf, type ConversationRow, type ConversationStatus, type MessageRow, type PageViewRow, type SenderType, type TrackedEventRow, type VisitorRow } from './models.js';

/** Paging and time window of a list (`since`/`until` bound `createdAt`: since ≤ t < until). */
export interface PageQuery<O extends string = 'oldest' | 'newest'> {
  since?: Date;
  until?: Date;
  /** `nextCursor` of the previous page (same filter and order). */
  cursor?: string;
  /** 1…500, default 50. */
  limit?: number;
  /** Default `oldest` (createdAt, then id). */
  order?: O;
}

export interface Page<T> {
  items: T[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** Read access to one kind of record, always for one account. */
export interface ReadPort<Row, Filter, O extends string = 'oldest' | 'newest'> {
  /** The record of this account with this id, or null (another account's id included). */
  get(accountId: string, id: string): Promise<Row | null>;
  list(accountId: string, query?: Filter & PageQuery<O>): Promise<Page<Row>>;
  count(accountId: string, filter?: Filter & Pick<PageQuery, 'since' | 'until'>): Promise<number>;
}

export interface ConversationFilter {
  status?: ConversationStatus | ConversationStatus[];
  siteId?: string;
  visitorId?: string;
  /** A user id, or null for unassigned conversations. */
  assigneeId?: string | null;
  /** true: assigned to someone; false: unassigned. */
  assigned?: boolean;
  priority?: 'normal' | 'high';
  ids?: string[];
  /** true: no public agent reply yet (firstResponseAt null); false: answered. */
  awaitingFirstResponse?: boolean;
  /** true: the visitor has written at least once; false: nothing from the visitor yet. */
  hasVisitorMessage?: boolean;
  /** Conversations whose `tags` include this label (exact, case-sensitive). */
  tag?: string;
}
/** `priority`: high priority first, then oldest. */
export type ConversationOrder = 'oldest' | 'newest' | 'priority';
export type ConversationCountField = 'status' | 'assigneeId' | 'priority' | 'siteId';

export interface MessageFilter { conversationId?: string; senderType?: SenderType | SenderType[]; private?: boolean }
export interface VisitorFilter { siteId?: string; email?: string; externalId?: string; ids?: string[] }
export interface PageViewFilter { siteId?: string; visitorId?: string }
export interface TrackedEventFilter { siteId?: string; visitorId?: string; name?: string }

export type AssignOutcome = { outcome: 'assigned'; conversation: ConversationRow } | { outcome: 'refused' | 'gone' };

export interface ConversationPort extends ReadPort<ConversationRow, ConversationFilter, ConversationOrder> {
  /** `get`, or the conversations plugin's 404 problem (the same for another account's id); `visitorId`: only that visitor's own. */
  mustGet(accountId: string, id: string, opts?: { visitorId?: string }): Promise<ConversationRow>;
  /** Counts grouped by one column (null: the column is null), e.g. open conversations per assignee. */
  countBy(accountId: string, field: ConversationCountField, filter?: ConversationFilter): Promise<Map<string | null, number>>;
  /**
   * Assigns an unassigned open or pending conversation (routing): runs the
   * `conversation:beforeAssign` hook (which may change or refuse the assignee), then a
   * conditional update that never overwrites an assignment made meanwhile;
   * `conversation.updated` and the realtime update follow, as for any assignment.
   */
  assignIfUnassigned(accountId: string, id: string, assigneeId: string): Promise<AssignOutcome>;
  /** Unassigns an open or pending conversation if `fromUserId` still has it; null when not. */
  unassignFrom(accountId: string, id: string, fromUserId: string): Promise<ConversationRow | null>;
  /** A change by the system (no agent actor): status, assignee, priority, tags; same events as an agent's change. */
  update(accountId: string, id: string, changes: Partial<Pick<ConversationRow, 'status' | 'assigneeId' | 'priority' | 'tags'>>): Promise<ConversationRow>;
  /** System work across accounts: the accounts that have unassigned open or pending conversations a visitor wrote in. */
  accountsWithUnassigned(): Promise<string[]>;
}

export type { VisitorCondition, VisitorConditionOp, VisitorConditionValue, VisitorSortField } from './visitor-query.js';

/** A search over visitors by condition (the contacts filter language, typed), keyset-paged. */
export interface VisitorSearch {
  where?: VisitorCondition;
  /** Default `lastSeenAt` `desc`; ties broken by id. */
  sort?: { field: VisitorSortField; order: 'asc' | 'desc' };
  /** 1…500, default 50. */
  limit?: number;
  cursor?: string;
}

/** What an agent or an integration may change on a visitor; `attributes` are merged (a null value removes the key). */
export interface VisitorChanges { name?: string | null; email?: string | null; attributes?: Record<string, unknown> }

export interface VisitorUpsert extends VisitorChanges {
  /** The site a new visitor belongs to. */
  siteId: string;
  /** The integration's id of the user: matched first (then `email`), within the account. */
  externalId?: string;
}

export interface VisitorPort extends ReadPort<VisitorRow, VisitorFilter> {
  /**
   * Visitors matching a condition, in one SQL statement on the visitor table (indexes on
   * the account and each filter/sort column); `online` reads the presence registry.
   * A malformed condition throws a TypeError naming the problem.
   */
  search(accountId: string, query?: VisitorSearch): Promise<Page<VisitorRow>>;
  /** How many visitors match (the same conditions as `search`). */
  countWhere(accountId: string, where?: VisitorCondition): Promise<number>;
  /** Whether the visitor has a widget connected now. */
  isOnline(accountId: string, id: string): Promise<boolean>;
  /** Changes name, e-mail or attributes (checked like `identify`'s); null when no such visitor. Publishes `visitor:updated`. */
  update(accountId: string, id: string, changes: VisitorChanges): Promise<VisitorRow | null>;
  /** Finds the visitor by `externalId`, else by `email` (account-wide), and updates it; or creates one (verified when it has an externalId). */
  upsert(accountId: string, input: VisitorUpsert): Promise<{ visitor: VisitorRow; created: boolean }>;
  /**
   * Erases a visitor (GDPR): its page views, tracked events, conversations with their
   * messages, and the visitor itself; its widget token stops working. False when no such visitor.
   */
  erase(accountId: string, id: string): Promise<boolean>;
}

export interface TrackedEventInput { visitorId: string; name: string; properties?: Record<string, unknown>; occurredAt?: Date }

export interface TrackedEventPort extends ReadPort<TrackedEventRow, TrackedEventFilter> {
  /** Records events for visitors of this account (all or none; an unknown visitor id → TypeError); emits `event.tracked` for each. */
  record(accountId: string, events: TrackedEventInput[]): Promise<TrackedEventRow[]>;
}

export interface MessagePort extends ReadPort<MessageRow, MessageFilter> {
  /**
   * The visitor presses a button of a message block, exactly as
   * `POST /api/v1/widget/conversations/:id/postback` does (for a plugin's own widget
   * route): the label stored as the visitor's message, `message.postback`, a responder
   * turn. `duplicate`: the same button of the same message was pressed before (the first
   * message is returned). The plugin's 404/400 problems for a foreign or unknown message or button.
   */
  postback(actor: VisitorActor, conversationId: string, input: { messageId: string; buttonId: string }): Promise<{ message: MessageRow; duplicate: boolean }>;
}

/** The conversations plugin's data for other plugins: read ports (filters, paging, tenant-scoped) and the writes they need. */
export interface ConversationsDataApi {
  conversations: ConversationPort;
  messages: MessagePort;
  visitors: VisitorPort;
  pageViews: ReadPort<PageViewRow, PageViewFilter>;
  trackedEvents: TrackedEventPort;
  /**
   * Who counts as an online agent changed for this account in a way the plugin cannot see
   * (e.g. an agent set away, see the `availability:beforeCount` hook): recounts and pushes
   * `site:availability` to the open widgets of every site of the account, on every instance.
   */
  availabilityChanged(accountId: string): Promise<void>;
  /** Aggregate reads for reports (date ranges over indexes). */
  reports: ReportPort;
}

/** Declare it in `uses` and get it with `ctx.services.get(ConversationsData)`. */
export const ConversationsData = defineService<ConversationsDataApi>('conversations.data');

type Where = Record<string | symbol, unknown>;
type Key = [column: string, direction: 'ASC' | 'DESC'];
const MAX_PAGE = 500;
const ORDERS: Record<ConversationOrder, Key[]> = {
  oldest: [['createdAt', 'ASC'], ['id', 'ASC']],
  newest: [['createdAt', 'DESC'], ['id', 'DESC']],
  // 'high' sorts before 'normal'.
  priority: [['priority', 'ASC'], ['createdAt', 'ASC'], ['id', 'ASC']],
};

/** Filter values are plain strings: an object here could smuggle a Sequelize operator in. */
function text(name: string, v: unknown): string {
  if (typeof v !== 'string') throw new TypeError(`filter ${name} must be a string`);
  return v;
}
const texts = (name: string, v: unknown): string[] => (Array.isArray(v) ? v : [v]).map((x) => text(name, x));
const when = (name: string, v: unknown): Date => {
  if (!(v instanceof Date) || Number.isNaN(v.getTime())) throw new TypeError(`${name} must be a valid Date`);
  return v;
};

function encodeCursor(order: string, keys: Key[], row: Record<string, unknown>): string {
  const v = keys.map(([k]) => (row[k] instanceof Date ? (row[k] as Date).toISOString() : row[k]));
  return Buffer.from(JSON.stringify({ o: order, v })).toString('base64url');
}

function decodeCursor(raw: string, order: string, keys: Key[]): unknown[] {
  try {
    const c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as { o?: unknown; v?: unknown };
    if (c.o !== order || !Array.isArray(c.v) || c.v.length !== keys.length || !c.v.every((x) => typeof x === 'string')) throw new Error('shape');
    const v = c.v as string[];
    return keys.map(([k], i) => (k.endsWith('At') ? when('cursor', new Date(v[i])) : v[i]));
  } catch {
    throw ConversationErrors.badCursor('cursor is not one this list returned for this order; start again without it.');
  }
}

/** Rows after the cursor in key order: (k1 > v1) or (k1 = v1 and k2 > v2) or … */
function after(keys: Key[], values: unknown[]): Where {
  return {
    [Op.or]: keys.map(([k, dir], i) => ({
      [Op.and]: [...keys.slice(0, i).map(([kj], j) => ({ [kj]: values[j] })), { [k]: { [dir === 'ASC' ? Op.gt : Op.lt]: values[i] } }],
    })),
  };
}

/** One read port over one model: `filter` maps the port's filter to conditions. */
class ModelPort<Row, Filter, O extends string> implements ReadPort<Row, Filter, O> {
  constructor(
    protected readonly c: Cradle,
    private readonly model: () => ModelStatic<Model>,
    private readonly filter: (f: Filter) => Where[],
    private readonly orders: Record<O, Key[]>,
  ) {}

  protected where(query: Filter & Pick<PageQuery, 'since' | 'until'> = {} as never): Where {
    const and = this.filter(query);
    if (query.since !== undefined) and.push({ createdAt: { [Op.gte]: when('since', query.since) } });
    if (query.until !== undefined) and.push({ createdAt: { [Op.lt]: when('until', query.until) } });
    return and.length ? { [Op.and]: and } : {};
  }

  async get(accountId: string, id: string): Promise<Row | null> {
    if (typeof id !== 'string') return null;
    const row = await this.c.db.scope(accountId).findById(this.model(), id);
    return row ? (row.get({ plain: true }) as Row) : null;
  }

  async list(accountId: string, query: Filter & PageQuery<O> = {} as never): Promise<Page<Row>> {
    const order = (query.order ?? 'oldest') as O;
    const keys = this.orders[order];
    if (!keys) throw new TypeError(`order must be one of ${Object.keys(this.orders).join(', ')}`);
    const limit = Math.min(Math.max(Math.floor(query.limit ?? 50), 1), MAX_PAGE);
    const where = this.where(query);
    if (query.cursor !== undefined) where[Op.and] = [...((where[Op.and] as Where[] | undefined) ?? []), after(keys, decodeCursor(text('cursor', query.cursor), order, keys))];
    const rows = await this.c.db.scope(accountId).findAll(this.model(), { where: where as never, order: keys, limit: limit + 1 });
    const items = rows.slice(0, limit).map((r) => r.get({ plain: true }) as Row);
    return { items, nextCursor: rows.length > limit ? encodeCursor(order, keys, items[items.length - 1] as Record<string, unknown>) : null };
  }

  count(accountId: string, filter: Filter & Pick<PageQuery, 'since' | 'until'> = {} as never): Promise<number> {
    return this.c.db.scope(accountId).count(this.model(), { where: this.where(filter) as never });
  }
}

const OLDEST_NEWEST = { oldest: ORDERS.oldest, newest: ORDERS.newest };

class Conversations extends ModelPort<ConversationRow, ConversationFilter, ConversationOrder> implements ConversationPort {
  async mustGet(accountId: string, id: string, opts: { visitorId?: string } = {}): Promise<ConversationRow> {
    const conv = await this.get(accountId, id);
    if (!conv || (opts.visitorId !== undefined && conv.visitorId !== opts.visitorId)) throw ConversationErrors.conversationNotFound('No conversation with this id.');
    return conv;
  }

  async countBy(accountId: string, field: ConversationCountField, filter: ConversationFilter = {}): Promise<Map<string | null, number>> {
    if (!['status', 'assigneeId', 'priority', 'siteId'].includes(field)) throw new TypeError(`countBy: cannot group by ${String(field)}`);
    const rows = (await this.c.db.scope(accountId).findAll(modelsOf(this.c.db).Conversation, {
      attributes: [field, [fn('COUNT', col('id')), 'n']], where: this.where(filter) as never, group: [field], raw: true,
    })) as unknown as Array<Record<string, string | null> & { n: number | string }>;
    return new Map(rows.map((r) => [r[field] ?? null, Number(r.n)]));
  }

  assignIfUnassigned(accountId: string, id: string, assigneeId: string): Promise<AssignOutcome> {
    return this.c.conversations.assignIfUnassigned(accountId, id, assigneeId);
  }

  unassignFrom(accountId: string, id: string, fromUserId: string): Promise<ConversationRow | null> {
    return this.c.conversations.unassignFrom(accountId, id, fromUserId);
  }

  update(accountId: string, id: string, changes: Partial<Pick<ConversationRow, 'status' | 'assigneeId' | 'priority' | 'tags'>>): Promise<ConversationRow> {
    return this.c.conversations.systemUpdate(accountId, id, changes);
  }

  async accountsWithUnassigned(): Promise<string[]> {
    const { Conversation } = modelsOf(this.c.db);
    const rows = (await this.c.db.withoutTenant('conversations: accounts with unassigned conversations', () =>
      Conversation.findAll({ attributes: ['accountId'], where: { assigneeId: null, status: { [Op.in]: ['open', 'pending'] }, firstVisitorMessageAt: { [Op.ne]: null } } as never, group: ['accountId'], raw: true }),
    )) as unknown as Array<{ accountId: string }>;
    return rows.map((r) => r.accountId);
  }
}

const MAX_ONLINE = 10_000;

class Visitors extends ModelPort<VisitorRow, VisitorFilter, 'oldest' | 'newest'> implements VisitorPort {
  private async onlineIds(accountId: string): Promise<string[]> {
    return (await this.c.presence.online('visitor', accountId)).map((e) => e.id).slice(0, MAX_ONLINE);
  }

  private async compiled(accountId: string, where: VisitorCondition | undefined) {
    // Presence is read only when the condition names `online`.
    const needsOnline = where !== undefined && JSON.stringify(where).includes('"online"');
    const online = needsOnline ? await this.onlineIds(accountId) : [];
    return compileVisitorCondition(where, { dialect: this.c.db.dialect, now: this.c.clock.now(), onlineIds: () => online });
  }

  async search(accountId: string, query: VisitorSearch = {}): Promise<Page<VisitorRow>> {
    const field = query.sort?.field ?? 'lastSeenAt';
    const dir = (query.sort?.order ?? 'desc') === 'asc' ? 'ASC' : 'DESC';
    const col = SORT_COLUMNS[field];
    if (!col) throw new TypeError(`sort field must be one of ${Object.keys(SORT_COLUMNS).join(', ')}`);
    const limit = Math.min(Math.max(Math.floor(query.limit ?? 50), 1), MAX_PAGE);
    const { sql, params } = await this.compiled(accountId, query.where);
    const order = `${field}:${dir}`;
    let keyset = '';
    if (query.cursor !== undefined) {
      const [k, id] = decodeCursor(text('cursor', query.cursor), order, [[field, dir], ['id', dir]]) as [unknown, string];
      const key = k instanceof Date ? sqlDate(this.c.db.dialect, k) : Number(k);
      if (typeof key === 'number' && !Number.isFinite(key)) throw ConversationErrors.badCursor('cursor is not one this list returned for this order; start again without it.');
      const cmp = dir === 'ASC' ? '>' : '<';
      params.ck = key;
      params.cid = id;
      keyset = ` AND (v.${col} ${cmp} :ck OR (v.${col} = :ck AND v.id ${cmp} :cid))`;
    }
    const rows = await this.c.db.scope(accountId).query<{ id: string }>(
      `SELECT v.id FROM visitors v WHERE v.account_id = :accountId AND ${sql}${keyset} ORDER BY v.${col} ${dir}, v.id ${dir} LIMIT ${limit + 1}`,
      params,
    );
    const ids = rows.slice(0, limit).map((r) => r.id);
    const found = ids.length ? await this.c.db.scope(accountId).findAll(modelsOf(this.c.db).Visitor, { where: { id: { [Op.in]: ids } } }) : [];
    const byId = new Map(found.map((r) => [r.id, r.get({ plain: true }) as VisitorRow]));
    const items = ids.map((id) => byId.get(id)).filter((v): v is VisitorRow => !!v);
    const last = items[items.length - 1] as unknown as Record<string, unknown> | undefined;
    const nextCursor = rows.length > limit && last
      ? Buffer.from(JSON.stringify({ o: order, v: [last[field] instanceof Date ? (last[field] as Date).toISOString() : String(last[field]), last.id] })).toString('base64url')
      : null;
    return { items, nextCursor };
  }

  async countWhere(accountId: string, where?: VisitorCondition): Promise<number> {
    const { sql, params } = await this.compiled(accountId, where);
    const [row] = await this.c.db.scope(accountId).query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM visitors v WHERE v.account_id = :accountId AND ${sql}`, params);
    return Number(row?.n ?? 0);
  }

  async isOnline(accountId: string, id: string): Promise<boolean> {
    return (await this.get(accountId, id)) !== null && this.c.presence.isOnline('visitor', id);
  }

  private changes(current: VisitorRow | null, input: VisitorChanges): Partial<VisitorRow> {
    const out: Partial<VisitorRow> = {};
    if (input.name !== undefined) out.name = input.name === null ? null : String(input.name).slice(0, 200);
    if (input.email !== undefined) {
      const email = input.email === null ? null : String(input.email).toLowerCase().slice(0, 320);
      if (email !== (current?.email ?? null)) Object.assign(out, { email, emailVerified: false });
    }
    if (input.attributes !== undefined) {
      const given = input.attributes as Record<string, unknown>;
      const merged: Record<string, unknown> = { ...((current?.attributes as Record<string, unknown> | undefined) ?? {}) };
      for (const [k, v] of Object.entries(cleanAttributes(given))) {
        if (v === null) delete merged[k];
        else merged[k] = v;
      }
      if (Object.keys(merged).length > 100) throw ConversationErrors.badAttributes('attributes may have at most 100 keys.');
      out.attributes = merged;
    }
    return out;
  }

  async update(accountId: string, id: string, input: VisitorChanges): Promise<VisitorRow | null> {
    const current = await this.get(accountId, id);
    if (!current) return null;
    const changes = this.changes(current, input);
    const { Visitor } = modelsOf(this.c.db);
    return this.c.db.transaction(async () => {
      if (Object.keys(changes).length) await this.c.db.scope(accountId).update(Visitor, changes, { id });
      const next = { ...current, ...changes };
      this.c.events.publish(`account:${accountId}`, 'visitor:updated', { visitor: visitorView(next) }, 'agents');
      return next;
    });
  }

  async upsert(accountId: string, input: VisitorUpsert): Promise<{ visitor: VisitorRow; created: boolean }> {
    const scope = this.c.db.scope(accountId);
    const { Visitor } = modelsOf(this.c.db);
    const externalId = input.externalId === undefined ? undefined : text('externalId', input.externalId).slice(0, 200);
    const email = input.email === undefined || input.email === null ? undefined : text('email', input.email).toLowerCase().slice(0, 320);
    if (!externalId && !email) throw new TypeError('upsert needs an externalId or an email');
    return this.c.db.transaction(async () => {
      const existing = (externalId ? await scope.findOne(Visitor, { where: { externalId }, order: [['createdAt', 'ASC']] }) : null)
        ?? (email && !externalId ? await scope.findOne(Visitor, { where: { email }, order: [['createdAt', 'ASC']] }) : null);
      if (existing) {
        const current = existing.get({ plain: true }) as VisitorRow;
        const changes = this.changes(current, input);
        if (externalId && !current.externalId) changes.externalId = externalId;
        if (Object.keys(changes).length) await scope.update(Visitor, changes, { id: current.id });
        const next = { ...current, ...changes };
        this.c.events.publish(`account:${accountId}`, 'visitor:updated', { visitor: visitorView(next) }, 'agents');
        return { visitor: next, created: false };
      }
      const site = await this.c.sites.byIdForAccount(accountId, text('siteId', input.siteId));
      if (!site) throw new TypeError('siteId is not a site of this account');
      const now = this.c.clock.now();
      const row = await scope.create(Visitor, {
        id: newId(), siteId: site.id, externalId: externalId ?? null, email: null, emailVerified: false, name: null, verified: !!externalId, attributes: {},
        country: null, language: null, firstSeenAt: now, lastSeenAt: now, visitCount: 0, currentUrl: null, currentTitle: null, userAgent: null, tokenVersion: 1,
        ...this.changes(null, input),
      } as never);
      const visitor = row.get({ plain: true }) as VisitorRow;
      this.c.events.emit('visitor.created', { accountId, siteId: site.id, visitorId: visitor.id });
      return { visitor, created: true };
    });
  }

  async erase(accountId: string, id: string): Promise<boolean> {
    const current = await this.get(accountId, id);
    if (!current) return false;
    const { Visitor, PageView, TrackedEvent, Conversation, Message, ResponderTurn } = modelsOf(this.c.db);
    const scope = this.c.db.scope(accountId);
    await this.c.db.transaction(async () => {
      const convIds = (await scope.findAll(Conversation, { attributes: ['id'], where: { visitorId: id } })).map((c) => c.id);
      if (convIds.length) {
        await scope.destroy(Message, { conversationId: { [Op.in]: convIds } } as never);
        await scope.destroy(ResponderTurn, { conversationId: { [Op.in]: convIds } } as never);
        await scope.destroy(Conversation, { id: { [Op.in]: convIds } } as never);
      }
      await scope.destroy(PageView, { visitorId: id });
      await scope.destroy(TrackedEvent, { visitorId: id });
      await scope.destroy(Visitor, { id });
      // Sockets of the erased visitor drop their token at once.
      this.c.events.system('visitor-token', { visitorId: id, version: Number(current.tokenVersion) + 1 });
    });
    return true;
  }
}

class TrackedEvents extends ModelPort<TrackedEventRow, TrackedEventFilter, 'oldest' | 'newest'> implements TrackedEventPort {
  async record(accountId: string, events: TrackedEventInput[]): Promise<TrackedEventRow[]> {
    if (!Array.isArray(events)) throw new TypeError('events must be a list');
    const scope = this.c.db.scope(accountId);
    const { Visitor, TrackedEvent } = modelsOf(this.c.db);
    const ids = [...new Set(events.map((e) => text('visitorId', e.visitorId)))];
    const visitors = ids.length ? await scope.findAll(Visitor, { attributes: ['id', 'siteId'], where: { id: { [Op.in]: ids } } }) : [];
    const siteOf = new Map(visitors.map((v) => [v.id, v.siteId]));
    const missing = ids.find((v) => !siteOf.has(v));
    if (missing) throw new TypeError(`no visitor ${missing} in this account`);
    const rows = events.map((e) => {
      if (typeof e.name !== 'string' || !e.name || e.name.length > 100) throw new TypeError('an event name is 1…100 characters');
      const at = e.occurredAt === undefined ? this.c.clock.now() : when('occurredAt', e.occurredAt);
      return { id: newId(), siteId: siteOf.get(e.visitorId)!, visitorId: e.visitorId, name: e.name, properties: cleanAttributes(e.properties), createdAt: at };
    });
    return this.c.db.transaction(async () => {
      const out: TrackedEventRow[] = [];
      for (const r of rows) {
        const created = await scope.create(TrackedEvent, r as never);
        out.push({ ...(created.get({ plain: true }) as TrackedEventRow), createdAt: r.createdAt });
        this.c.events.emit('event.tracked', { accountId, siteId: r.siteId, visitorId: r.visitorId, name: r.name, properties: r.properties });
      }
      return out;
    });
  }
}

function conversationWhere(db: Cradle['db'], f: ConversationFilter): Where[] {
  const and: Where[] = [];
  if (f.tag !== undefined) and.push({ [Op.and]: [db.jsonArrayContains('tags', text('tag', f.tag))] });
  if (f.status !== undefined) and.push({ status: { [Op.in]: texts('status', f.status) } });
  if (f.siteId !== undefined) and.push({ siteId: text('siteId', f.siteId) });
  if (f.visitorId !== undefined) and.push({ visitorId: text('visitorId', f.visitorId) });
  if (f.assigneeId !== undefined) and.push({ assigneeId: f.assigneeId === null ? null : text('assigneeId', f.assigneeId) });
  if (f.assigned !== undefined) and.push({ assigneeId: f.assigned ? { [Op.ne]: null } : null });
  if (f.priority !== undefined) and.push({ priority: text('priority', f.priority) });
  if (f.ids !== undefined) and.push({ id: { [Op.in]: texts('ids', f.ids) } });
  if (f.awaitingFirstResponse !== undefined) and.push({ firstResponseAt: f.awaitingFirstResponse ? null : { [Op.ne]: null } });
  if (f.hasVisitorMessage !== undefined) and.push({ firstVisitorMessageAt: f.hasVisitorMessage ? { [Op.ne]: null } : null });
  return and;
}

/** Builds the `ConversationsData` service of one server. */
export function conversationsData(c: Cradle, availability: { publishAccount(accountId: string): Promise<void> }): ConversationsDataApi {
  const m = () => modelsOf(c.db);
  const eq = <F>(fields: Array<keyof F & string>) => (f: F): Where[] => fields.filter((k) => f[k] !== undefined).map((k) => ({ [k]: text(k, f[k]) }));
  return {
    conversations: new Conversations(c, () => m().Conversation, (f) => conversationWhere(c.db, f), ORDERS),
    messages: Object.assign(new ModelPort<MessageRow, MessageFilter, 'oldest' | 'newest'>(c, () => m().Message, (f) => {
      const and = eq<MessageFilter>(['conversationId'])(f);
      if (f.senderType !== undefined) and.push({ senderType: { [Op.in]: texts('senderType', f.senderType) } });
      if (f.private !== undefined) and.push({ private: f.private === true });
      return and;
    }, OLDEST_NEWEST), {
      postback: async (actor: VisitorActor, conversationId: string, input: { messageId: string; buttonId: string }) => {
        const r = await c.messages.postback(actor, conversationId, input);
        return { message: r.message, duplicate: r.duplicate };
      },
    }),
    visitors: new Visitors(c, () => m().Visitor, (f) => {
      const and = eq<VisitorFilter>(['siteId', 'email', 'externalId'])(f);
      if (f.ids !== undefined) and.push({ id: { [Op.in]: texts('ids', f.ids) } });
      return and;
    }, OLDEST_NEWEST),
    pageViews: new ModelPort<PageViewRow, PageViewFilter, 'oldest' | 'newest'>(c, () => m().PageView, eq<PageViewFilter>(['siteId', 'visitorId']), OLDEST_NEWEST),
    trackedEvents: new TrackedEvents(c, () => m().TrackedEvent, eq<TrackedEventFilter>(['siteId', 'visitorId', 'name']), OLDEST_NEWEST),
    availabilityChanged: (accountId) => availability.publishAccount(text('accountId', accountId)),
    reports: reportPort(c),
  };
}
