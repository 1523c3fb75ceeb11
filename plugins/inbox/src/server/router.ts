import { Op, type PluginContext } from '@charla/core';
import { ConversationsData } from '@charla/plugin-conversations';
import type { ConversationRow, ConversationStateRow } from './models.js';
import type { InboxSettings } from './settings.js';

/** PostgreSQL advisory-lock namespace of routing (first key); the second key is hashtext(accountId). */
const ROUTING_LOCK = 0x1b0c;
const MAX_QUEUE = 500;

interface Candidate { userId: string; load: number; capacity: number; lastActiveAt: number }
interface Queued { conv: ConversationRow; state: ConversationStateRow | null }

/**
 * Routing: assigns waiting (unassigned, open or pending, with at least one visitor
 * message) conversations to the online,
 * available agent with the fewest open conversations (ties: the one idle longest),
 * never above the agent's capacity. What cannot be assigned waits in the queue,
 * high priority first, then by the time it entered the queue.
 *
 * One routing pass per account at a time: the pass runs in a transaction that holds a
 * per-account advisory lock on PostgreSQL (SQLite has one writer anyway), so two
 * instances never both give an agent their last free slot. Each assignment is also a
 * conditional `UPDATE … WHERE assignee_id IS NULL`, so a conversation an agent took by
 * hand meanwhile is never overwritten: it is assigned exactly once.
 */
export class Router {
  constructor(private readonly ctx: PluginContext) {}

  private get c() {
    return this.ctx.container.cradle;
  }

  private get data() {
    return this.ctx.services.get(ConversationsData);
  }

  private settings(accountId: string): Promise<InboxSettings> {
    return this.ctx.settingsFor(accountId) as Promise<InboxSettings>;
  }

  /**
   * Unassigned open/pending conversations a visitor wrote in, in queue order. Read high
   * priority first (then oldest) before the limit, so a high-priority conversation
   * behind MAX_QUEUE older ones is still routed first.
   */
  async queue(accountId: string): Promise<Queued[]> {
    const { db, inboxModels: m } = this.c;
    const scope = db.scope(accountId);
    const convs = (await this.data.conversations.list(accountId, { assigneeId: null, status: ['open', 'pending'], hasVisitorMessage: true, order: 'priority', limit: MAX_QUEUE })).items;
    if (!convs.length) return [];
    const states = await scope.findAll(m.ConversationState, { where: { conversationId: { [Op.in]: convs.map((c) => c.id) } } });
    const byConv = new Map(states.map((s) => [s.conversationId, s.get({ plain: true })]));
    const entered = (q: Queued) => new Date(q.state?.queuedAt ?? q.conv.createdAt).getTime();
    return convs
      .map((conv) => ({ conv, state: byConv.get(conv.id) ?? null }))
      .sort((a, b) => (a.conv.priority === 'high' ? 0 : 1) - (b.conv.priority === 'high' ? 0 : 1) || entered(a) - entered(b) || a.conv.id.localeCompare(b.conv.id));
  }

  /** The visitor-facing place in the queue (1-based), or null when not waiting / not routed. */
  async position(accountId: string, conversationId: string): Promise<{ position: number | null; queueLength: number }> {
    const settings = await this.settings(accountId);
    if (!settings.autoAssign) return { position: null, queueLength: 0 };
    const q = await this.queue(accountId);
    const i = q.findIndex((x) => x.conv.id === conversationId);
    return { position: i >= 0 ? i + 1 : null, queueLength: q.length };
  }

  /**
   * One routing pass for an account. Safe to call from anywhere, any number of times,
   * on any instance (outside a transaction): it assigns what it can and republishes
   * the queue positions that changed.
   */
  async route(accountId: string): Promise<number> {
    const { db, presence, inboxAgents, logger } = this.c;
    if (!(await this.ctx.enabledFor(accountId))) return 0;
    const settings = await this.settings(accountId);
    if (!settings.autoAssign) return 0;
    const online = (await presence.online('agent', accountId)).map((o) => o.id);
    await inboxAgents.ensure(accountId, online);
    return db.transaction(async () => {
      if (db.dialect === 'postgres') await db.scope(accountId).query('SELECT pg_advisory_xact_lock(:ns, hashtext(:accountId))', { ns: ROUTING_LOCK });
      const candidates = await this.candidates(accountId, online, settings);
      const queue = await this.queue(accountId);
      let assigned = 0;
      const waiting: Queued[] = [];
      for (const q of queue) {
        const pick = candidates
          .filter((a) => a.load < a.capacity && a.userId !== q.state?.excludedUserId)
          .sort((a, b) => a.load - b.load || a.lastActiveAt - b.lastActiveAt || a.userId.localeCompare(b.userId))[0];
        if (!pick) {
          waiting.push(q);
          continue;
        }
        const got = await this.assign(accountId, q, pick.userId).catch((err: unknown) => {
          logger.warn({ err, conversationId: q.conv.id }, 'routing: assignment refused');
          return 'refused' as const;
        });
        if (got === 'assigned') {
          pick.load++;
          pick.lastActiveAt = this.c.clock.now().getTime();
          assigned++;
        } else if (got === 'refused') waiting.push(q);
      }
      await this.publishPositions(accountId, waiting, settings);
      return assigned;
    });
  }

  private async candidates(accountId: string, online: string[], settings: InboxSettings): Promise<Candidate[]> {
    if (!online.length) return [];
    const { db, models, inboxAgents } = this.c;
    // One after another: these run on the transaction's single connection.
    const users = await db.scope(accountId).findAll(models.User, { where: { id: { [Op.in]: online } } });
    const states = await inboxAgents.states(accountId, online);
    const loads = await inboxAgents.loads(accountId);
    return users
      .map((u) => ({ u, s: states.get(u.id) }))
      .filter(({ s }) => s?.status !== 'away')
      .map(({ u, s }) => ({ userId: u.id, load: loads.get(u.id) ?? 0, capacity: s?.capacity ?? settings.capacity, lastActiveAt: s?.lastActiveAt ? new Date(s.lastActiveAt).getTime() : 0 }));
  }

  /** Claims one waiting conversation for an agent (the conversations plugin's conditional assignment), then records and announces the routing. */
  private async assign(accountId: string, q: Queued, userId: string): Promise<'assigned' | 'gone' | 'refused'> {
    const { db, events, clock, inboxModels: m } = this.c;
    const scope = db.scope(accountId);
    const got = await this.data.conversations.assignIfUnassigned(accountId, q.conv.id, userId);
    if (got.outcome !== 'assigned') return got.outcome;
    const assigneeId = got.conversation.assigneeId!;
    await scope.update(m.AgentState, { lastActiveAt: clock.now() }, { userId: assigneeId });
    if (q.state) await scope.update(m.ConversationState, { queuedAt: null, queuePosition: null, excludedUserId: null }, { id: q.state.id });
    const reason = q.state?.queuePosition ? 'queue' : 'new';
    events.emit('conversation.routed', { accountId, conversationId: q.conv.id, assigneeId, reason });
    if (q.state?.queuePosition) events.publish(`conversation:${q.conv.id}`, 'inbox:queue', { conversationId: q.conv.id, position: null, queueLength: null });
    return 'assigned';
  }

  /** Stores and publishes (`inbox:queue` on each conversation's channel) the positions that changed. */
  private async publishPositions(accountId: string, waiting: Queued[], settings: InboxSettings): Promise<void> {
    const { db, events, inboxModels: m } = this.c;
    const scope = db.scope(accountId);
    for (const [i, q] of waiting.entries()) {
      const position = i + 1;
      if (q.state?.queuePosition === position) continue;
      if (q.state) await scope.update(m.ConversationState, { queuePosition: position }, { id: q.state.id });
      if (!q.state?.queuePosition) events.emit('conversation.queued', { accountId, conversationId: q.conv.id, position });
      if (settings.showQueuePosition) events.publish(`conversation:${q.conv.id}`, 'inbox:queue', { conversationId: q.conv.id, position, queueLength: waiting.length });
    }
  }

  /** A conversation leaves the queue without routing (assigned by hand, closed). */
  async leftQueue(accountId: string, conversationId: string): Promise<void> {
    const { db, events, inboxModels: m } = this.c;
    const scope = db.scope(accountId);
    const state = await scope.findOne(m.ConversationState, { where: { conversationId } });
    if (!state?.queuePosition) return;
    await scope.update(m.ConversationState, { queuePosition: null, excludedUserId: null }, { id: state.id });
    events.publish(`conversation:${conversationId}`, 'inbox:queue', { conversationId, position: null, queueLength: null });
  }

  /**
   * Puts an unassigned conversation (back) in the queue. `front` keeps its original
   * place (reassignment after a disconnect); otherwise it goes to the back.
   */
  async requeue(accountId: string, conversationId: string, opts: { excludedUserId?: string | null; front?: boolean }): Promise<void> {
    const { db, clock, inboxModels: m } = this.c;
    const scope = db.scope(accountId);
    const values = { queuedAt: opts.front ? null : clock.now(), excludedUserId: opts.excludedUserId ?? null };
    const n = await scope.update(m.ConversationState, values, { conversationId });
    if (!n) await this.c.inboxSla.createState(accountId, conversationId, values);
  }

  /**
   * After an agent's grace period: their open conversations are unassigned (only if
   * still theirs) and reassigned or queued, per the account's setting.
   */
  async agentGone(accountId: string, userId: string): Promise<number> {
    const { presence } = this.c;
    if (await presence.isOnline('agent', userId)) return 0;
    const settings = await this.settings(accountId);
    if (settings.onAgentDisconnect === 'keep') return 0;
    return this.unassignAll(accountId, userId, settings.onAgentDisconnect === 'reassign');
  }

  /**
   * A member left the account (`user.removed`): their open conversations are unassigned
   * and go back to the queue at their original place, then routing runs.
   */
  async memberRemoved(accountId: string, userId: string): Promise<number> {
    return this.unassignAll(accountId, userId, true);
  }

  /** Unassigns the agent's open conversations (only those still theirs), requeues and routes them. */
  private async unassignAll(accountId: string, userId: string, front: boolean): Promise<number> {
    const { db } = this.c;
    let moved = 0;
    let cursor: string | undefined;
    do {
      const page = await this.data.conversations.list(accountId, { assigneeId: userId, status: ['open', 'pending'], limit: 500, cursor });
      for (const row of page.items) {
        await db.transaction(async () => {
          if (!(await this.data.conversations.unassignFrom(accountId, row.id, userId))) return;
          moved++;
          await this.requeue(accountId, row.id, { front });
        });
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    if (moved) await this.route(accountId);
    return moved;
  }

  /** Routes every account that has unassigned open conversations (a safety net run on an interval). */
  async sweep(): Promise<void> {
    for (const accountId of await this.data.conversations.accountsWithUnassigned()) await this.route(accountId);
  }
}
