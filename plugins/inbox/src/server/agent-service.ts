import { Op, isId, newId, type PluginContext } from '@charla/core';
import { ConversationsData } from '@charla/plugin-conversations';
import { InboxErrors } from './errors.js';
import { preferencesOf, type AgentStateRow, type AgentStatus, type NotificationPreferences } from './models.js';
import type { InboxSettings } from './settings.js';

export interface AgentView {
  userId: string; name: string; email: string; role: string;
  /** online = connected and available; away = connected and set away; offline = no device connected. */
  presence: 'online' | 'away' | 'offline';
  status: AgentStatus; online: boolean;
  openCount: number; capacity: number; capacityOverride: number | null;
  lastActiveAt: string | null; offlineSince: string | null;
}

const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);

/** Agents as the inbox sees them: availability (away), capacity, load, notification preferences. */
/** How often one instance records an agent's activity while they keep writing. */
export const TOUCH_INTERVAL_MS = 30_000;

export class AgentService {
  private readonly touched = new Map<string, number>(); // `${accountId}/${userId}` → last written (ms)
  constructor(private readonly ctx: PluginContext) {}

  private get c() {
    return this.ctx.container.cradle;
  }

  private get data() {
    return this.ctx.services.get(ConversationsData);
  }

  private get m() {
    return this.c.inboxModels;
  }

  settings(accountId: string): Promise<InboxSettings> {
    return this.ctx.settingsFor(accountId) as Promise<InboxSettings>;
  }

  async state(accountId: string, userId: string): Promise<AgentStateRow | null> {
    const row = await this.c.db.scope(accountId).findOne(this.m.AgentState, { where: { userId } });
    return row ? row.get({ plain: true }) : null;
  }

  async states(accountId: string, userIds?: string[]): Promise<Map<string, AgentStateRow>> {
    const rows = await this.c.db.scope(accountId).findAll(this.m.AgentState, userIds ? { where: { userId: { [Op.in]: userIds } } } : {});
    return new Map(rows.map((r) => [r.userId, r.get({ plain: true })]));
  }

  /**
   * Makes sure agent rows exist. Call outside a transaction: two callers racing on the
   * same agent meet the unique index, and the loser just reads the winner's row.
   */
  async ensure(accountId: string, userIds: string[]): Promise<void> {
    if (!userIds.length) return;
    const have = await this.states(accountId, userIds);
    for (const userId of userIds) {
      if (have.has(userId)) continue;
      try {
        await this.c.db.scope(accountId).create(this.m.AgentState, {
          id: newId(), userId, status: 'available', capacity: null, lastActiveAt: null, offlineSince: null, notifications: null, digestScheduledAt: null,
        });
      } catch (err) {
        if ((err as Error).name !== 'SequelizeUniqueConstraintError') throw err;
      }
    }
  }

  /** A member of the account, or 404 (another account's user id included). */
  async member(accountId: string, userId: string) {
    const user = isId(userId) ? await this.c.db.scope(accountId).findById(this.c.models.User, userId) : null;
    if (!user) throw InboxErrors.agentNotFound('No team member with this id.');
    return user.get({ plain: true });
  }

  /** Open (open or pending) conversations per assignee. */
  async loads(accountId: string): Promise<Map<string, number>> {
    const counts = await this.data.conversations.countBy(accountId, 'assigneeId', { status: ['open', 'pending'], assigned: true });
    return new Map([...counts].filter((e): e is [string, number] => e[0] !== null));
  }

  /** Every member with presence, status, load and capacity (the presence board). */
  async list(accountId: string): Promise<AgentView[]> {
    const { db, models, presence } = this.c;
    const [users, states, loads, online, settings] = await Promise.all([
      db.scope(accountId).findAll(models.User, { order: [['name', 'ASC']] }),
      this.states(accountId),
      this.loads(accountId),
      presence.online('agent', accountId),
      this.settings(accountId),
    ]);
    const onlineIds = new Set(online.map((o) => o.id));
    return users.map((u) => this.view(u.get({ plain: true }), states.get(u.id) ?? null, loads.get(u.id) ?? 0, onlineIds.has(u.id), settings));
  }

  async one(accountId: string, userId: string): Promise<AgentView> {
    const user = await this.member(accountId, userId);
    const [state, loads, online, settings] = await Promise.all([this.state(accountId, userId), this.loads(accountId), this.c.presence.isOnline('agent', userId), this.settings(accountId)]);
    return this.view(user, state, loads.get(userId) ?? 0, online, settings);
  }

  view(u: { id: string; name: string; email: string; role: string }, s: AgentStateRow | null, load: number, online: boolean, settings: InboxSettings): AgentView {
    const status = s?.status ?? 'available';
    return {
      userId: u.id, name: u.name, email: u.email, role: u.role,
      presence: !online ? 'offline' : status === 'away' ? 'away' : 'online',
      status, online, openCount: load,
      capacity: s?.capacity ?? settings.capacity, capacityOverride: s?.capacity ?? null,
      lastActiveAt: iso(s?.lastActiveAt), offlineSince: online ? null : iso(s?.offlineSince),
    };
  }

  /** Sets availability and/or a personal capacity; tells the account's agents (`inbox:agent-status`). */
  async update(accountId: string, userId: string, patch: { status?: AgentStatus; capacity?: number | null }): Promise<AgentView> {
    const { db, events } = this.c;
    await this.member(accountId, userId);
    await this.ensure(accountId, [userId]);
    const before = await this.state(accountId, userId);
    const changes: Partial<AgentStateRow> = {};
    if (patch.status !== undefined && patch.status !== before?.status) changes.status = patch.status;
    if (patch.capacity !== undefined && patch.capacity !== before?.capacity) changes.capacity = patch.capacity;
    if (Object.keys(changes).length) {
      await db.transaction(async () => {
        await db.scope(accountId).update(this.m.AgentState, changes, { userId });
        if (changes.status) events.emit('agent.status_changed', { accountId, userId, status: changes.status });
      });
    }
    const view = await this.one(accountId, userId);
    if (Object.keys(changes).length) {
      events.publish(`account:${accountId}`, 'inbox:agent-status', { userId, presence: view.presence, status: view.status, capacity: view.capacity, openCount: view.openCount }, 'agents');
    }
    return view;
  }

  /**
   * Records an agent's activity (`lastActiveAt`). Written at most once per
   * TOUCH_INTERVAL_MS per agent by this instance, not on every message.
   */
  async touch(accountId: string, userId: string, at: Date): Promise<void> {
    const key = `${accountId}/${userId}`;
    const last = this.touched.get(key);
    if (last !== undefined && at.getTime() - last < TOUCH_INTERVAL_MS && at.getTime() >= last) return;
    this.touched.set(key, at.getTime());
    if (this.touched.size > 10_000) this.touched.delete(this.touched.keys().next().value!);
    await this.c.db.scope(accountId).update(this.m.AgentState, { lastActiveAt: at }, { userId });
  }

  async preferences(accountId: string, userId: string): Promise<NotificationPreferences> {
    return preferencesOf(await this.state(accountId, userId));
  }

  async setPreferences(accountId: string, userId: string, patch: { email?: Partial<NotificationPreferences['email']>; browser?: Partial<NotificationPreferences['browser']> }): Promise<NotificationPreferences> {
    await this.ensure(accountId, [userId]);
    const current = await this.preferences(accountId, userId);
    const next: NotificationPreferences = { email: { ...current.email, ...(patch.email ?? {}) }, browser: { ...current.browser, ...(patch.browser ?? {}) } };
    await this.c.db.scope(accountId).update(this.m.AgentState, { notifications: next }, { userId });
    return next;
  }
}
