import type { PluginContext, Static } from '@charla/core';
import type { DashboardSchema } from './routes/schemas.js';
import { ConversationsData } from '@charla/plugin-conversations';
import type { InboxSettings } from './settings.js';

/** What `GET /api/v1/inbox/dashboard` and `inbox:dashboard` carry (the schema is the one source). */
export type DashboardFigures = Static<typeof DashboardSchema>;

/** Minimum time between two `inbox:dashboard` events of one account. */
export const DASHBOARD_THROTTLE_MS = 1000;

/** The job that publishes an account's figures (`inbox.dashboard`, one waiting per account). */
export const DASHBOARD_JOB = 'inbox.dashboard';

/**
 * The live load dashboard: figures computed on demand, and `inbox:dashboard` pushed to
 * the account channel when something that moves them happens — throttled (at most one
 * event per second per account; the last change is never lost) and only when a figure
 * actually changed. The throttle is a delayed job with a dedupe key per account, not a
 * timer: touches coalesce into one waiting job across instances, and nothing outlives a
 * closed server.
 */
export class Dashboard {
  /** Per account: when the job this instance last enqueued runs (a touch before then is already covered by it). */
  private readonly queued = new Map<string, number>();
  /** Per account: the figures this instance last published, to skip unchanged ones. */
  private readonly published = new Map<string, string>();
  private closed = false;

  constructor(private readonly ctx: PluginContext) {}

  private get c() {
    return this.ctx.container.cradle;
  }

  private get data() {
    return this.ctx.services.get(ConversationsData);
  }

  async figures(accountId: string): Promise<DashboardFigures> {
    const { presence, inboxAgents, inboxSla, clock } = this.c;
    const { conversations } = this.data;
    const active = { status: ['open', 'pending'] as Array<'open' | 'pending'> };
    const settings = (await this.ctx.settingsFor(accountId)) as InboxSettings;
    const [visitors, agents, byStatus, unassigned, high, sla] = await Promise.all([
      presence.countOnline('visitor', accountId),
      inboxAgents.list(accountId),
      conversations.countBy(accountId, 'status', active),
      conversations.count(accountId, { ...active, assigneeId: null }),
      conversations.count(accountId, { ...active, priority: 'high' }),
      inboxSla.open(accountId),
    ]);
    const count = (s: string) => byStatus.get(s) ?? 0;
    const now = clock.now();
    const dayStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
    const breachedToday = (await inboxSla.summary(accountId, dayStart, new Date(dayStart.getTime() + 86_400_000))).breached;
    const connected = agents.filter((a) => a.online);
    const working = connected.filter((a) => a.status !== 'away');
    return {
      visitorsOnline: visitors,
      activeConversations: count('open') + count('pending'),
      openConversations: count('open'),
      pendingConversations: count('pending'),
      unassignedConversations: unassigned,
      queueLength: settings.autoAssign ? unassigned : 0,
      highPriorityConversations: high,
      agentsOnline: connected.length,
      agentsAvailable: working.filter((a) => a.openCount < a.capacity).length,
      agentsBusy: working.filter((a) => a.openCount >= a.capacity).length,
      agentsAway: connected.length - working.length,
      agentsOffline: agents.length - connected.length,
      slaAtRisk: sla.filter((s) => s.state === 'warning' || s.state === 'breached').length,
      slaBreachedToday: breachedToday,
      at: now.toISOString(),
    };
  }

  /** Something changed in this account: publish fresh figures soon (throttled). */
  async touch(accountId: string): Promise<void> {
    if (this.closed) return;
    const now = this.c.clock.now().getTime();
    const queuedAt = this.queued.get(accountId);
    // The waiting job cannot have started before its runAt: it will see this change.
    if (queuedAt !== undefined && now < queuedAt) return;
    const runAt = Math.max(now, (queuedAt ?? 0) + DASHBOARD_THROTTLE_MS);
    this.queued.set(accountId, runAt);
    if (this.queued.size > 10_000) for (const [k, at] of this.queued) if (at < now) this.queued.delete(k);
    try {
      const { inserted } = await this.c.jobs.enqueueOnce(DASHBOARD_JOB, { accountId }, { accountId, runAt: new Date(runAt), dedupeKey: `${DASHBOARD_JOB}:${accountId}`, maxAttempts: 1 });
      // An older job (this instance's or another's) was still waiting and took the change;
      // it may run before `runAt`, so a later touch must not count on it: the next one
      // queues again (throttled from now).
      if (!inserted) this.queued.set(accountId, now);
    } catch (err) {
      this.queued.delete(accountId);
      if (!this.closed) this.ctx.logger.warn({ err, accountId }, 'dashboard update could not be queued');
    }
  }

  /** The `inbox.dashboard` job: publish the account's figures if they changed. */
  async publish(accountId: string): Promise<void> {
    if (this.closed) return;
    const figures = await this.figures(accountId);
    const { at: _at, ...compare } = figures;
    const key = JSON.stringify(compare);
    if (key === this.published.get(accountId)) return;
    this.published.set(accountId, key);
    if (this.published.size > 10_000) this.published.delete(this.published.keys().next().value as string);
    this.c.events.publish(`account:${accountId}`, 'inbox:dashboard', figures, 'agents');
  }

  close(): void {
    this.closed = true;
    this.queued.clear();
    this.published.clear();
  }
}
