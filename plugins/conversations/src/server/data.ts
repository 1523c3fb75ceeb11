import { Op, col, defineService, fn, type Cradle, type Model, type ModelStatic } from '@charla/core';
import { ConversationErrors } from './errors.js';
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

/** The conversations plugin's data for other plugins: read ports (filters, paging, tenant-scoped) and the writes they need. */
export interface ConversationsDataApi {
  conversations: ConversationPort;
  messages: ReadPort<MessageRow, MessageFilter>;
  visitors: ReadPort<VisitorRow, VisitorFilter>;
  pageViews: ReadPort<PageViewRow, PageViewFilter>;
  trackedEvents: ReadPort<TrackedEventRow, TrackedEventFilter>;
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
export function conversationsData(c: Cradle): ConversationsDataApi {
  const m = () => modelsOf(c.db);
  const eq = <F>(fields: Array<keyof F & string>) => (f: F): Where[] => fields.filter((k) => f[k] !== undefined).map((k) => ({ [k]: text(k, f[k]) }));
  return {
    conversations: new Conversations(c, () => m().Conversation, (f) => conversationWhere(c.db, f), ORDERS),
    messages: new ModelPort<MessageRow, MessageFilter, 'oldest' | 'newest'>(c, () => m().Message, (f) => {
      const and = eq<MessageFilter>(['conversationId'])(f);
      if (f.senderType !== undefined) and.push({ senderType: { [Op.in]: texts('senderType', f.senderType) } });
      if (f.private !== undefined) and.push({ private: f.private === true });
      return and;
    }, OLDEST_NEWEST),
    visitors: new ModelPort<VisitorRow, VisitorFilter, 'oldest' | 'newest'>(c, () => m().Visitor, (f) => {
      const and = eq<VisitorFilter>(['siteId', 'email', 'externalId'])(f);
      if (f.ids !== undefined) and.push({ id: { [Op.in]: texts('ids', f.ids) } });
      return and;
    }, OLDEST_NEWEST),
    pageViews: new ModelPort<PageViewRow, PageViewFilter, 'oldest' | 'newest'>(c, () => m().PageView, eq<PageViewFilter>(['siteId', 'visitorId']), OLDEST_NEWEST),
    trackedEvents: new ModelPort<TrackedEventRow, TrackedEventFilter, 'oldest' | 'newest'>(c, () => m().TrackedEvent, eq<TrackedEventFilter>(['siteId', 'visitorId', 'name']), OLDEST_NEWEST),
    reports: reportPort(c),
  };
}
