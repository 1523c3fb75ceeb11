import type { PluginContext } from '@charla/core';
import { ConversationsData, type ConversationFact } from '@charla/plugin-conversations';
import { csvRow } from './csv.js';
import { ReportErrors } from './errors.js';
import { parseRange, type ReportRange } from './range.js';
import { addConversation, addReplies, emptyStats, mergeStats, overviewOf, type Overview, type Stats } from './stats.js';
import { dayOf, daysBetween, nextDay, startOfDay } from './time-zone.js';

export interface ReportQuery { from?: string; to?: string; siteId?: string; timezone?: string }
export interface ReportsSettings { timezone: string; rollups: boolean }

/** A source of whole-day figures (the daily rollups): the days it has, for one zone and site filter. */
export interface DaySource {
  days(accountId: string, q: { firstDay: string; lastDay: string; timezone: string; siteId?: string }): Promise<Map<string, Stats>>;
}

export class ReportService {
  constructor(private readonly ctx: PluginContext, private readonly rollups?: DaySource) {}

  private get data() {
    return this.ctx.services.get(ConversationsData);
  }

  async settings(accountId: string): Promise<ReportsSettings> {
    return (await this.ctx.settingsFor(accountId)) as unknown as ReportsSettings;
  }

  async range(accountId: string, q: ReportQuery): Promise<ReportRange> {
    const { timezone } = await this.settings(accountId);
    const range = parseRange(q, timezone, this.ctx.container.cradle.clock.now());
    if (q.siteId !== undefined && !(await this.ctx.container.cradle.sites.byIdForAccount(accountId, q.siteId))) throw ReportErrors.siteNotFound('No site with this id.');
    return range;
  }

  /** The figures of [since, until) computed from the stored conversations and messages. */
  async live(accountId: string, since: Date, until: Date, timezone: string, siteId?: string): Promise<Stats> {
    const s = emptyStats();
    const q = { since, until, ...(siteId !== undefined ? { siteId } : {}) };
    const [facts, replies] = await Promise.all([this.data.reports.conversations(accountId, q), this.data.reports.agentReplies(accountId, q)]);
    for (const c of facts) addConversation(s, c, timezone);
    addReplies(s, replies);
    return s;
  }

  /**
   * The range's figures: whole days the rollups have (same zone) from them, the rest
   * (partial days, today, days not rolled up yet) live.
   */
  async stats(accountId: string, range: ReportRange, siteId?: string): Promise<Stats> {
    const s = emptyStats();
    const rolled = this.rollups && (await this.settings(accountId)).rollups
      ? await this.rollups.days(accountId, { firstDay: range.firstDay, lastDay: range.lastDay, timezone: range.timezone, ...(siteId !== undefined ? { siteId } : {}) })
      : new Map<string, Stats>();
    let liveFrom: Date | null = null;
    const flush = async (to: Date) => {
      if (liveFrom && liveFrom < to) mergeStats(s, await this.live(accountId, liveFrom, to, range.timezone, siteId));
      liveFrom = null;
    };
    for (const day of daysBetween(range.firstDay, range.lastDay)) {
      const start = startOfDay(day, range.timezone);
      const end = startOfDay(nextDay(day), range.timezone);
      const whole = start >= range.since && end <= range.until;
      const row = whole ? rolled.get(day) : undefined;
      if (row) {
        await flush(start);
        mergeStats(s, row);
      } else {
        liveFrom ??= start < range.since ? range.since : start;
      }
    }
    await flush(range.until);
    return s;
  }

  async overview(accountId: string, q: ReportQuery): Promise<Overview> {
    const range = await this.range(accountId, q);
    const s = await this.stats(accountId, range, q.siteId);
    const [sites, members] = await Promise.all([this.ctx.container.cradle.sites.list(accountId), this.ctx.container.cradle.team.members(accountId)]);
    return overviewOf(s, {
      range: { from: range.since.toISOString(), to: range.until.toISOString(), timezone: range.timezone, siteId: q.siteId ?? null },
      days: daysBetween(range.firstDay, range.lastDay),
      siteNames: new Map(sites.map((x) => [x.id, x.name])),
      memberNames: new Map(members.map((m) => [m.id, m.name])),
    });
  }

  /** One row a conversation created in the range, oldest first. */
  async csv(accountId: string, q: ReportQuery): Promise<string> {
    const range = await this.range(accountId, q);
    const facts: ConversationFact[] = await this.data.reports.conversations(accountId, { since: range.since, until: range.until, ...(q.siteId !== undefined ? { siteId: q.siteId } : {}) });
    const [sites, members] = await Promise.all([this.ctx.container.cradle.sites.list(accountId), this.ctx.container.cradle.team.members(accountId)]);
    const siteNames = new Map(sites.map((x) => [x.id, x.name]));
    const memberNames = new Map(members.map((m) => [m.id, m.name]));
    const secs = (a: Date | null, b: Date | null) => (a && b ? Math.max(0, Math.round((b.getTime() - a.getTime()) / 1000)) : null);
    let out = csvRow(['conversationId', 'createdAt', 'date', 'siteId', 'site', 'channel', 'status', 'assigneeId', 'assignee', 'tags', 'startUrl', 'firstResponseSeconds', 'resolutionSeconds']);
    for (const c of facts) {
      out += csvRow([
        c.id, c.createdAt.toISOString(), dayOf(c.createdAt, range.timezone), c.siteId, siteNames.get(c.siteId) ?? '', c.channel, c.status,
        c.assigneeId, c.assigneeId ? memberNames.get(c.assigneeId) ?? '' : '', c.tags.join('; '), c.startUrl,
        c.firstResponseAt ? secs(c.firstVisitorMessageAt ?? c.createdAt, c.firstResponseAt) : null,
        c.status === 'closed' ? secs(c.createdAt, c.resolvedAt) : null,
      ]);
    }
    return out;
  }
}
