import { Op, newId, isId, type AgentActor, type ApiKeyActor, type Cradle, type VisitorActor } from '@charla/core';
import { ConversationErrors } from './errors.js';
import { modelsOf, type ConversationRow, type ConversationStatus, type MessageRow, type VisitorRow } from './models.js';
import { Publisher } from './publisher.js';
import { conversationView, messageView, type AgentConversationView, type MessageView } from './views.js';

export interface InboxQuery {
  status?: ConversationStatus;
  assignee?: string;
  siteId?: string;
  /** Only conversations with this tag. */
  tag?: string;
  limit?: number;
  cursor?: string;
}

/**
 * List position. `p` (1 = high priority, 0 = normal) was added when high-priority
 * conversations started to sort first; a cursor without it (issued before) still
 * works and continues in the order it was issued for (newest activity first).
 */
interface Cursor { p?: 0 | 1; t: string; id: string }

const rank = (c: Pick<ConversationRow, 'priority'>): 0 | 1 => (c.priority === 'high' ? 1 : 0);

function encodeCursor(c: ConversationRow, legacy: boolean): string {
  const body = legacy ? { t: new Date(c.lastActivityAt).toISOString(), id: c.id } : { p: rank(c), t: new Date(c.lastActivityAt).toISOString(), id: c.id };
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}
function decodeCursor(raw: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Cursor;
    if (typeof c?.t !== 'string' || !isId(c?.id) || Number.isNaN(Date.parse(c.t))) throw new Error('shape');
    if (c.p !== undefined && c.p !== 0 && c.p !== 1) throw new Error('shape');
    return c;
  } catch {
    throw ConversationErrors.badCursor('cursor is not one this API returned; start again without it.');
  }
}

/** Conversations: the inbox lists, status and assignment, the visitor's own, and history. */
export class ConversationService {
  readonly publisher: Publisher;
  constructor(private readonly c: Cradle) {
    this.publisher = new Publisher(c);
  }

  private get m() {
    return modelsOf(this.c.db);
  }

  async assigneeNames(accountId: string, ids: Array<string | null>): Promise<Map<string, string>> {
    const unique = [...new Set(ids.filter((x): x is string => !!x))];
    if (!unique.length) return new Map();
    const users = await this.c.db.scope(accountId).findAll(this.c.models.User, { where: { id: { [Op.in]: unique } } });
    return new Map(users.map((u) => [u.id, u.name]));
  }

  async assigneeName(accountId: string, id: string | null): Promise<string | null> {
    if (!id) return null;
    return (await this.assigneeNames(accountId, [id])).get(id) ?? null;
  }

  /** One conversation of the account, or 404 — the same 404 for another account's id. */
  async get(accountId: string, id: string): Promise<ConversationRow> {
    const row = isId(id) ? await this.c.db.scope(accountId).findById(this.m.Conversation, id) : null;
    if (!row) throw ConversationErrors.conversationNotFound('No conversation with this id.');
    return row.get({ plain: true });
  }

  /** One of the visitor's own conversations, or 404. */
  async getForVisitor(actor: VisitorActor, id: string): Promise<ConversationRow> {
    const row = isId(id) ? await this.c.db.scope(actor.accountId).findOne(this.m.Conversation, { where: { id, visitorId: actor.visitorId } }) : null;
    if (!row) throw ConversationErrors.conversationNotFound('No conversation with this id.');
    return row.get({ plain: true });
  }

  async listForVisitor(actor: VisitorActor): Promise<ConversationRow[]> {
    const rows = await this.c.db.scope(actor.accountId).findAll(this.m.Conversation, { where: { visitorId: actor.visitorId }, order: [['lastActivityAt', 'DESC']], limit: 100 });
    return rows.map((r) => r.get({ plain: true }));
  }

  async list(actor: AgentActor | ApiKeyActor, q: InboxQuery): Promise<{ conversations: AgentConversationView[]; nextCursor: string | null }> {
    const limit = Math.min(Math.max(q.limit ?? 25, 1), 100);
    const where: Record<string | symbol, unknown> = {};
    where.status = q.status ? q.status : { [Op.in]: ['open', 'pending'] };
    if (q.assignee === 'me') {
      if (actor.kind !== 'agent') throw ConversationErrors.badAssignee('assignee=me needs an agent; an API key has no conversations of its own.');
      where.assigneeId = actor.userId;
    }
    else if (q.assignee === 'unassigned') where.assigneeId = null;
    else if (q.assignee) {
      if (!isId(q.assignee)) throw ConversationErrors.badAssignee('assignee must be "me", "unassigned" or a user id.');
      where.assigneeId = q.assignee;
    }
    if (q.siteId) where.siteId = q.siteId;
    if (q.tag) where[Op.and] = [this.c.db.jsonArrayContains('tags', q.tag)];
    // High priority first, then newest activity. Legacy cursors (no `p`) keep the old order.
    const cur = q.cursor ? decodeCursor(q.cursor) : null;
    const legacy = !!cur && cur.p === undefined;
    if (cur) {
      const t = new Date(cur.t);
      const after = { [Op.or]: [{ lastActivityAt: { [Op.lt]: t } }, { lastActivityAt: t, id: { [Op.lt]: cur.id } }] };
      if (legacy) Object.assign(where, after);
      else if (cur.p === 1) where[Op.or] = [{ priority: { [Op.ne]: 'high' } }, { priority: 'high', ...after }];
      else where[Op.and] = [...((where[Op.and] as unknown[] | undefined) ?? []), { priority: { [Op.ne]: 'high' } }, after];
    }
    const scope = this.c.db.scope(actor.accountId);
    const order: Array<[unknown, string]> = [['lastActivityAt', 'DESC'], ['id', 'DESC']];
    // 'high' sorts before 'normal': ascending priority puts high first.
    if (!legacy) order.unshift(['priority', 'ASC']);
    const rows = await scope.findAll(this.m.Conversation, { where: where as never, order: order as never, limit: limit + 1 });
    const page = rows.slice(0, limit).map((r) => r.get({ plain: true }));
    const visitorIds = [...new Set(page.map((c) => c.visitorId))];
    const visitors = visitorIds.length ? await scope.findAll(this.m.Visitor, { where: { id: { [Op.in]: visitorIds } } }) : [];
    const byId = new Map<string, VisitorRow>(visitors.map((v) => [v.id, v.get({ plain: true })]));
    return {
      conversations: page.map((c) => conversationView(c, byId.get(c.visitorId))),
      nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1], legacy) : null,
    };
  }

  async forAgent(accountId: string, id: string): Promise<AgentConversationView> {
    const conv = await this.get(accountId, id);
    const visitor = await this.c.visitors.forAgent(accountId, conv.visitorId);
    return { ...conversationView(conv), ...(visitor ? { visitor } : {}) };
  }

  /** PATCH by an agent: status and/or assignee. */
  async update(actor: AgentActor, id: string, patch: { status?: ConversationStatus; assigneeId?: string | null }): Promise<AgentConversationView> {
    const { db, hooks, events, clock } = this.c;
    const scope = db.scope(actor.accountId);
    let assigneeId = patch.assigneeId;
    if (assigneeId !== undefined) {
      const payload = await hooks.run('conversation:beforeAssign', { accountId: actor.accountId, conversationId: id, assigneeId, actorId: actor.userId });
      assigneeId = payload.assigneeId;
      if (assigneeId !== null && (!isId(assigneeId) || !(await scope.findById(this.c.models.User, assigneeId)))) {
        throw ConversationErrors.badAssignee('assigneeId must be the id of a member of this account, or null to unassign.');
      }
    }
    const updated = await db.transaction(async () => {
      const conv = await this.get(actor.accountId, id);
      const changes: Partial<ConversationRow> = {};
      if (patch.status !== undefined && patch.status !== conv.status) {
        changes.status = patch.status;
        changes.resolvedAt = patch.status === 'closed' ? clock.now() : null;
      }
      if (assigneeId !== undefined && assigneeId !== conv.assigneeId) changes.assigneeId = assigneeId;
      if (!Object.keys(changes).length) return conv;
      await scope.update(this.m.Conversation, changes, { id });
      const next = { ...conv, ...changes, updatedAt: clock.now() };
      events.emit('conversation.updated', { accountId: actor.accountId, conversationId: id, changes: { ...changes }, actorId: actor.userId });
      if (changes.assigneeId !== undefined) events.emit('conversation.assigned', { accountId: actor.accountId, conversationId: id, assigneeId: changes.assigneeId, previousAssigneeId: conv.assigneeId, actorId: actor.userId });
      if (changes.status === 'closed') events.emit('conversation.closed', { accountId: actor.accountId, conversationId: id, actorId: actor.userId });
      this.publisher.conversation(next, { ...changes }, await this.assigneeName(actor.accountId, next.assigneeId));
      return next;
    });
    return this.forAgent(actor.accountId, updated.id);
  }

  /** Changes made by the system (bots, routing): same events, no agent actor. */
  async systemUpdate(accountId: string, id: string, changes: Partial<Pick<ConversationRow, 'status' | 'assigneeId' | 'priority' | 'tags'>>): Promise<ConversationRow> {
    const { db, events, clock } = this.c;
    return db.transaction(async () => {
      const conv = await this.get(accountId, id);
      const diff = Object.fromEntries(Object.entries(changes).filter(([k, v]) => JSON.stringify((conv as unknown as Record<string, unknown>)[k]) !== JSON.stringify(v))) as Partial<ConversationRow>;
      if (!Object.keys(diff).length) return conv;
      if (diff.status) diff.resolvedAt = diff.status === 'closed' ? clock.now() : null;
      await db.scope(accountId).update(this.m.Conversation, diff, { id });
      const next = { ...conv, ...diff };
      events.emit('conversation.updated', { accountId, conversationId: id, changes: { ...diff }, actorId: null });
      if (diff.assigneeId !== undefined) events.emit('conversation.assigned', { accountId, conversationId: id, assigneeId: diff.assigneeId, previousAssigneeId: conv.assigneeId, actorId: null });
      if (diff.status === 'closed') events.emit('conversation.closed', { accountId, conversationId: id, actorId: null });
      this.publisher.conversation(next, { ...diff }, await this.assigneeName(accountId, next.assigneeId));
      return next;
    });
  }

  /**
   * An automated responder hands the conversation to the team (ResponderApi.handOff):
   * responders stay silent on it from now on. `conversation.updated` tells routing and
   * the inbox (`changes.handedOffBy` names the responder; `status: 'pending'` when the
   * hand-off leaves an open conversation waiting for the team). False: it already was.
   */
  async handOff(accountId: string, id: string, responder: string, options: { status?: 'pending' } = {}): Promise<boolean> {
    const { db, events, clock } = this.c;
    return db.transaction(async () => {
      const n = await db.scope(accountId).update(this.m.Conversation, { handedOffAt: clock.now() }, { id, handedOffAt: null });
      if (n !== 1) return false;
      const changes: Record<string, unknown> = { handedOffBy: responder };
      if (options.status === 'pending' && (await this.get(accountId, id)).status === 'open') {
        await db.scope(accountId).update(this.m.Conversation, { status: 'pending' }, { id });
        changes.status = 'pending';
      }
      const next = await this.get(accountId, id);
      events.emit('conversation.updated', { accountId, conversationId: id, changes, actorId: null });
      this.publisher.conversation(next, changes, await this.assigneeName(accountId, next.assigneeId));
      return true;
    });
  }

  /** Routing's assignment (ConversationsData.conversations.assignIfUnassigned): the hook, then a conditional claim. */
  async assignIfUnassigned(accountId: string, id: string, assigneeId: string): Promise<{ outcome: 'assigned'; conversation: ConversationRow } | { outcome: 'refused' | 'gone' }> {
    const { db, hooks, events } = this.c;
    const hooked = await hooks.run('conversation:beforeAssign', { accountId, conversationId: id, assigneeId, actorId: null });
    if (!hooked.assigneeId) return { outcome: 'refused' };
    const to = hooked.assigneeId;
    return db.transaction(async () => {
      const scope = db.scope(accountId);
      const claimed = await scope.update(this.m.Conversation, { assigneeId: to }, { id, assigneeId: null, status: { [Op.in]: ['open', 'pending'] } } as never);
      if (claimed !== 1) return { outcome: 'gone' as const };
      const next = await this.get(accountId, id);
      events.emit('conversation.updated', { accountId, conversationId: id, changes: { assigneeId: to }, actorId: null });
      events.emit('conversation.assigned', { accountId, conversationId: id, assigneeId: to, previousAssigneeId: null, actorId: null });
      this.publisher.conversation(next, { assigneeId: to }, await this.assigneeName(accountId, to));
      return { outcome: 'assigned' as const, conversation: next };
    });
  }

  /** Unassigns an open/pending conversation only if `fromUserId` still has it (ConversationsData.conversations.unassignFrom). */
  async unassignFrom(accountId: string, id: string, fromUserId: string): Promise<ConversationRow | null> {
    const { db, events } = this.c;
    return db.transaction(async () => {
      const n = await db.scope(accountId).update(this.m.Conversation, { assigneeId: null }, { id, assigneeId: fromUserId, status: { [Op.in]: ['open', 'pending'] } } as never);
      if (n !== 1) return null;
      const next = await this.get(accountId, id);
      events.emit('conversation.updated', { accountId, conversationId: id, changes: { assigneeId: null }, actorId: null });
      events.emit('conversation.assigned', { accountId, conversationId: id, assigneeId: null, previousAssigneeId: fromUserId, actorId: null });
      this.publisher.conversation(next, { assigneeId: null }, null);
      return next;
    });
  }

  /** Creates a conversation for a visitor (inside the caller's transaction). */
  async create(visitor: Pick<VisitorRow, 'id' | 'accountId' | 'siteId'>): Promise<ConversationRow> {
    const now = this.c.clock.now();
    // The session's channel and current page, for reports (channels, pages that start conversations).
    const session = await this.c.db.scope(visitor.accountId).findById(this.m.Visitor, visitor.id);
    const row = await this.c.db.scope(visitor.accountId).create(this.m.Conversation, {
      id: newId(), siteId: visitor.siteId, visitorId: visitor.id, status: 'open', assigneeId: null, priority: 'normal', channel: session?.channel ?? 'web', tags: [], startUrl: session?.currentUrl ?? null,
      lastSeq: 0, lastMessage: null, lastPublicMessage: null, lastActivityAt: now, firstResponseAt: null, resolvedAt: null, firstVisitorMessageAt: null, responder: null, handedOffAt: null,
      unreadByAgents: 0, unreadByVisitor: 0, agentReadSeq: 0, visitorReadSeq: 0, emailedSeq: 0, createdAt: now,
    });
    const conv = row.get({ plain: true });
    this.c.events.emit('conversation.created', { accountId: visitor.accountId, siteId: visitor.siteId, conversationId: conv.id, visitorId: visitor.id });
    this.c.events.publish(`account:${visitor.accountId}`, 'conversation:created', { conversation: conversationView(conv) }, 'agents');
    return conv;
  }

  /**
   * Before a visitor starts a conversation without a message (in the caller's
   * transaction, the visitor row locked on PostgreSQL like openForVisitor): refuses
   * (409) when they already have `max` open or pending conversations without a message,
   * so a script cannot fill the inbox with empty conversations.
   */
  async checkEmptyCap(actor: VisitorActor, max: number): Promise<void> {
    const { db } = this.c;
    const scope = db.scope(actor.accountId);
    if (db.dialect === 'postgres') await scope.query('SELECT id FROM visitors WHERE id = :id AND account_id = :accountId FOR UPDATE', { id: actor.visitorId });
    const empty = await scope.count(this.m.Conversation, { where: { visitorId: actor.visitorId, status: { [Op.in]: ['open', 'pending'] }, lastSeq: 0 } as never });
    if (empty >= max) {
      throw ConversationErrors.tooManyEmpty(`You already have ${empty} open conversation${empty === 1 ? '' : 's'} without a message (the limit is ${max}): write in one of them, or start the new one with a message.`);
    }
  }

  /**
   * The conversation a visitor's message without conversationId goes to: its latest
   * open/pending one, or a new one. Runs in the caller's transaction with the visitor
   * row locked (PostgreSQL `FOR UPDATE`; SQLite has one writer), so two sends at the
   * same moment still open only one conversation.
   */
  async openForVisitor(actor: VisitorActor): Promise<{ conversation: ConversationRow; created: boolean }> {
    const { db } = this.c;
    const scope = db.scope(actor.accountId);
    if (db.dialect === 'postgres') {
      await scope.query('SELECT id FROM visitors WHERE id = :id AND account_id = :accountId FOR UPDATE', { id: actor.visitorId });
    }
    const existing = await scope.findOne(this.m.Conversation, { where: { visitorId: actor.visitorId, status: { [Op.in]: ['open', 'pending'] } }, order: [['lastActivityAt', 'DESC']] });
    if (existing) return { conversation: existing.get({ plain: true }), created: false };
    return { conversation: await this.create({ id: actor.visitorId, accountId: actor.accountId, siteId: actor.siteId }), created: true };
  }

  /**
   * Messages of a conversation, oldest first. `after`: everything with a larger seq
   * than that message (catch-up); `before`: the page before it; neither: the latest.
   */
  async history(accountId: string, conversationId: string, q: { after?: string; before?: string; limit?: number; includePrivate: boolean }): Promise<MessageView[]> {
    const scope = this.c.db.scope(accountId);
    const limit = Math.min(Math.max(q.limit ?? 50, 1), 200);
    const where: Record<string | symbol, unknown> = { conversationId };
    if (!q.includePrivate) where.private = false;
    const anchorSeq = async (messageId: string) => {
      const anchor = isId(messageId) ? await scope.findOne(this.m.Message, { where: { id: messageId, conversationId } }) : null;
      if (!anchor) throw ConversationErrors.messageNotFound(`No message ${messageId} in this conversation: pass the id of a message you received.`);
      return Number(anchor.seq);
    };
    let rows: MessageRow[];
    if (q.after) {
      where.seq = { [Op.gt]: await anchorSeq(q.after) };
      rows = (await scope.findAll(this.m.Message, { where: where as never, order: [['seq', 'ASC']], limit })).map((r) => r.get({ plain: true }));
    } else {
      if (q.before) where.seq = { [Op.lt]: await anchorSeq(q.before) };
      rows = (await scope.findAll(this.m.Message, { where: where as never, order: [['seq', 'DESC']], limit })).map((r) => r.get({ plain: true })).reverse();
    }
    return rows.map(messageView);
  }
}
