import type { PluginContext } from '@charla/core';
import { ConversationsData } from '@charla/plugin-conversations';
import type { InboxSettings } from './settings.js';

export interface DashboardFigures {
  visitorsOnline: number;
  activeConversations: number;
  openConversations: number;
  pendingConversations: number;
  unassignedConversations: number;
  queueLength: number;
  highPriorityConversations: number;
  agentsOnline: number;
  agentsAvailable: number;
  agentsBusy: number;
  agentsAway: number;
  agentsOffline: number;
  slaAtRisk: number;
  slaBreachedToday: number;
  at: string;
}

/** Minimum time between two `inbox:dashboard` events of one account (per instance). */
export const DASHBOARD_THROTTLE_MS = 1000;

/**
 * The live load dashboard: figures computed on demand, and `inbox:dashboard` pushed to
 * the account channel when something that moves them happens — throttled (at most one
 * event per second per account; the last change is never lost) and only when a figure
 * actually changed.
 */
export class Dashboard {
  private readonly pending = new Map<string, { timer: NodeJS.Timeout | null; lastAt: number; last: string | null }>();
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
  touch(accountId: string): void {
    if (this.closed) return;
    const p = this.pending.get(accountId) ?? { timer: null, lastAt: 0, last: null };
    this.pending.set(accountId, p);
    if (p.timer) return;
    const wait = Math.max(0, p.lastAt + DASHBOARD_THROTTLE_MS - Date.now());
    p.timer = setTimeout(() => {
      p.timer = null;
      p.lastAt = Date.now();
      void this.publish(accountId, p);
    }, wait);
    p.timer.unref();
  }

  private async publish(accountId: string, p: { last: string | null }): Promise<void> {
    try {
      if (!(await this.ctx.enabledFor(accountId))) return;
      const figures = await this.figures(accountId);
      const { at: _at, ...compare } = figures;
      const key = JSON.stringify(compare);
      if (key === p.last) return;
      p.last = key;
      this.c.events.publish(`account:${accountId}`, 'inbox:dashboard', figures, 'agents');
    } catch (err) {
      if (!this.closed) this.ctx.logger.warn({ err, accountId }, 'dashboard update failed');
    }
    if (this.pending.size > 10_000) for (const [k, v] of this.pending) if (!v.timer) this.pending.delete(k);
  }

  close(): void {
    this.closed = true;
    for (const p of this.pending.values()) if (p.timer) clearTimeout(p.timer);
    this.pending.clear();
  }
}
