import { Op, newId, type PluginContext } from '@charla/core';
import { ConversationsData } from '@charla/plugin-conversations';
import { preferencesOf, type ConversationRow, type ConversationStateRow } from './models.js';
import type { InboxSettings } from './settings.js';

export type SlaState = 'none' | 'ok' | 'warning' | 'breached' | 'met';

export interface SlaView {
  conversationId: string; priority: string; assigneeId: string | null; status: string;
  state: SlaState; dueAt: string | null; warnedAt: string | null; breachedAt: string | null; firstResponseAt: string | null;
}

const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);
const MINUTE = 60_000;

/**
 * First-response SLA: each new conversation gets a due time (per account and per
 * priority). A job (`inbox.sla-check`, scheduled at the warning time and at the due
 * time) raises `inbox:sla` warnings, marks breaches (stored for reports) and e-mails
 * the assignee, or the owners and admins when nobody is assigned. Checks re-read the
 * stored state, so a stale job (the due time moved, the agent answered) does nothing.
 */
export class SlaService {
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

  targetMinutes(settings: InboxSettings, priority: string): number {
    return priority === 'high' ? settings.slaHighPriorityFirstResponseMinutes : settings.slaFirstResponseMinutes;
  }

  /** The inbox's row for a conversation (created with the conversation; on demand for older ones). */
  async createState(accountId: string, conversationId: string, values: Partial<ConversationStateRow> = {}): Promise<ConversationStateRow> {
    const row = await this.c.db.scope(accountId).create(this.c.inboxModels.ConversationState, {
      id: newId(), conversationId, queuedAt: null, queuePosition: null, excludedUserId: null, priorityRule: null,
      slaStartedAt: null, slaDueAt: null, slaWarnedAt: null, slaBreachedAt: null, slaMetAt: null, ...values,
    });
    return row.get({ plain: true });
  }

  async stateOf(accountId: string, conversationId: string): Promise<ConversationStateRow | null> {
    const row = await this.c.db.scope(accountId).findOne(this.c.inboxModels.ConversationState, { where: { conversationId } });
    return row ? row.get({ plain: true }) : null;
  }

  /** Sets (or moves earlier, for a priority change) the due time and schedules the checks. */
  async schedule(accountId: string, conv: ConversationRow): Promise<void> {
    const settings = await this.settings(accountId);
    if (!settings.slaEnabled || conv.firstResponseAt || conv.status === 'closed') return;
    const { db, jobs, inboxModels: m } = this.c;
    await db.transaction(async () => {
      const state = (await this.stateOf(accountId, conv.id)) ?? (await this.createState(accountId, conv.id));
      if (state.slaMetAt || state.slaBreachedAt) return;
      // Timed by the kernel's clock from when the SLA started (the conversation's creation).
      const started = state.slaStartedAt ? new Date(state.slaStartedAt) : this.c.clock.now();
      const due = new Date(started.getTime() + this.targetMinutes(settings, conv.priority) * MINUTE);
      if (state.slaDueAt && new Date(state.slaDueAt).getTime() <= due.getTime()) return;
      await db.scope(accountId).update(m.ConversationState, { slaStartedAt: started, slaDueAt: due }, { id: state.id });
      const warnAt = new Date(due.getTime() - settings.slaWarningMinutes * MINUTE);
      if (settings.slaWarningMinutes > 0) await jobs.enqueue('inbox.sla-check', { accountId, conversationId: conv.id }, { accountId, runAt: warnAt });
      await jobs.enqueue('inbox.sla-check', { accountId, conversationId: conv.id }, { accountId, runAt: due });
    });
    this.publish(accountId, conv.id, await this.view(accountId, conv.id));
  }

  /** The first public agent reply: the SLA is met (or was breached before). */
  async responded(accountId: string, conversationId: string): Promise<void> {
    const { db, clock, inboxModels: m } = this.c;
    // Read first: every later reply finds nothing to change and writes nothing (on
    // SQLite a write, even of no row, waits for the one writer).
    const state = await this.stateOf(accountId, conversationId);
    if (!state || state.slaMetAt || !state.slaDueAt) return;
    const n = await db.scope(accountId).update(m.ConversationState, { slaMetAt: clock.now() }, { conversationId, slaMetAt: null, slaDueAt: { [Op.ne]: null } } as never);
    if (n) this.publish(accountId, conversationId, await this.view(accountId, conversationId));
  }

  /** Job `inbox.sla-check`: warning before the due time, breach at it. */
  async check(accountId: string, conversationId: string): Promise<void> {
    const { db, clock, inboxModels: m, events } = this.c;
    const scope = db.scope(accountId);
    const settings = await this.settings(accountId);
    const conv = await this.data.conversations.get(accountId, conversationId);
    const state = await this.stateOf(accountId, conversationId);
    if (!conv || !state?.slaDueAt || state.slaMetAt || state.slaBreachedAt) return;
    if (conv.firstResponseAt) return this.responded(accountId, conversationId);
    if (conv.status === 'closed') return;
    const now = clock.now().getTime();
    const due = new Date(state.slaDueAt).getTime();
    const dueAt = new Date(due).toISOString();
    const kind = now >= due ? 'breached' : now >= due - settings.slaWarningMinutes * MINUTE && !state.slaWarnedAt ? 'warning' : null;
    if (!kind) return;
    await db.transaction(async () => {
      const field = kind === 'breached' ? 'slaBreachedAt' : 'slaWarnedAt';
      const claimed = await scope.update(m.ConversationState, { [field]: clock.now() }, { id: state.id, [field]: null, slaMetAt: null });
      if (claimed !== 1) return;
      events.emit(kind === 'breached' ? 'sla.breached' : 'sla.warned', { accountId, conversationId, dueAt, assigneeId: conv.assigneeId });
      await this.mail(accountId, conv, kind, dueAt);
    });
    this.publish(accountId, conversationId, await this.view(accountId, conversationId));
  }

  private async mail(accountId: string, conv: ConversationRow, kind: 'warning' | 'breached', dueAt: string): Promise<void> {
    const { db, models, jobs, config, inboxAgents } = this.c;
    const users = conv.assigneeId
      ? await db.scope(accountId).findAll(models.User, { where: { id: conv.assigneeId } })
      : await db.scope(accountId).findAll(models.User, { where: { role: { [Op.in]: ['owner', 'admin'] } } as never });
    const states = await inboxAgents.states(accountId, users.map((u) => u.id));
    const minutes = Math.max(0, Math.round((new Date(dueAt).getTime() - this.c.clock.now().getTime()) / MINUTE));
    const link = `${config.publicUrl.replace(/\/$/, '')}/admin/inbox/${conv.id}`;
    // A time a person reads: in the site's office-hours time zone (the team's), else UTC.
    const site = await this.c.sites.byIdForAccount(accountId, conv.siteId);
    const due = mailTime(dueAt, (site?.widget as { officeHours?: { timezone?: string } | null } | undefined)?.officeHours?.timezone);
    for (const u of users) {
      if (!preferencesOf(states.get(u.id)).email.slaAlerts) continue;
      const subject = kind === 'warning'
        ? `SLA warning: a ${conv.priority === 'high' ? 'high-priority ' : ''}conversation needs a first reply within ${minutes} min`
        : `SLA breached: a ${conv.priority === 'high' ? 'high-priority ' : ''}conversation has had no reply`;
      const text = `Hello ${u.name},\n\n${kind === 'warning'
        ? `A conversation ${conv.assigneeId ? 'assigned to you' : 'nobody is assigned to'} is still waiting for its first reply. The first-response target expires at ${due}.`
        : `A conversation ${conv.assigneeId ? 'assigned to you' : 'nobody is assigned to'} missed its first-response target (${due}).`}\n\nAnswer it: ${link}\n\nYou receive SLA alerts because they are on in your notification preferences.\n`;
      await jobs.enqueue('core.mail', { to: u.email, subject, text }, { accountId });
    }
  }

  stateFor(row: ConversationStateRow | null, conv: Pick<ConversationRow, 'firstResponseAt'>, now: number, warningMinutes: number): SlaState {
    if (!row?.slaDueAt) return 'none';
    if (row.slaMetAt || conv.firstResponseAt) return row.slaBreachedAt ? 'breached' : 'met';
    const due = new Date(row.slaDueAt).getTime();
    if (row.slaBreachedAt || now >= due) return 'breached';
    if (row.slaWarnedAt || now >= due - warningMinutes * MINUTE) return 'warning';
    return 'ok';
  }

  async view(accountId: string, conversationId: string): Promise<SlaView | null> {
    const conv = await this.data.conversations.get(accountId, conversationId);
    if (!conv) return null;
    return this.toView(conv, await this.stateOf(accountId, conversationId), await this.settings(accountId));
  }

  toView(conv: ConversationRow, row: ConversationStateRow | null, settings: InboxSettings): SlaView {
    return {
      conversationId: conv.id, priority: conv.priority, assigneeId: conv.assigneeId, status: conv.status,
      state: this.stateFor(row, conv, this.c.clock.now().getTime(), settings.slaWarningMinutes),
      dueAt: iso(row?.slaDueAt), warnedAt: iso(row?.slaWarnedAt), breachedAt: iso(row?.slaBreachedAt), firstResponseAt: iso(conv.firstResponseAt),
    };
  }

  /** Open and pending conversations still waiting for a first reply, soonest due first. */
  async open(accountId: string): Promise<SlaView[]> {
    const { db, inboxModels: m } = this.c;
    const scope = db.scope(accountId);
    const states = (await scope.findAll(m.ConversationState, { where: { slaDueAt: { [Op.ne]: null }, slaMetAt: null } as never, order: [['slaDueAt', 'ASC']], limit: 500 })).map((r) => r.get({ plain: true }));
    if (!states.length) return [];
    const convs = (await this.data.conversations.list(accountId, { ids: states.map((s) => s.conversationId), status: ['open', 'pending'], awaitingFirstResponse: true, limit: 500 })).items;
    const byId = new Map(convs.map((c) => [c.id, c]));
    const settings = await this.settings(accountId);
    return states.filter((s) => byId.has(s.conversationId)).map((s) => this.toView(byId.get(s.conversationId)!, s, settings));
  }

  /** Counts for reports: conversations with a target created in [from, to), met and breached. */
  async summary(accountId: string, from: Date, to: Date): Promise<{ tracked: number; met: number; breached: number; warned: number; pending: number }> {
    const { db, inboxModels: m } = this.c;
    const rows = (await db.scope(accountId).findAll(m.ConversationState, { where: { slaStartedAt: { [Op.gte]: from, [Op.lt]: to } } as never, limit: 100_000 })).map((r) => r.get({ plain: true }));
    const breached = rows.filter((r) => r.slaBreachedAt).length;
    const met = rows.filter((r) => r.slaMetAt && !r.slaBreachedAt).length;
    return { tracked: rows.length, met, breached, warned: rows.filter((r) => r.slaWarnedAt).length, pending: rows.length - met - breached };
  }

  private publish(accountId: string, conversationId: string, view: SlaView | null): void {
    if (!view) return;
    const { events } = this.c;
    events.publish(`account:${accountId}`, 'inbox:sla', view, 'agents');
    events.publish(`conversation:${conversationId}`, 'inbox:sla', view, 'agents');
  }
}

/** "3 Dec 2026, 10:15 (Europe/Madrid)": an e-mail's time in `timeZone` (UTC when absent or unknown). */
function mailTime(iso: string, timeZone = 'UTC'): string {
  const fmt = (tz: string) => new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: tz }).format(new Date(iso));
  try {
    return `${fmt(timeZone)} (${timeZone})`;
  } catch {
    return `${fmt('UTC')} (UTC)`;
  }
}
