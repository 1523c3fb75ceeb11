import { DataTypes, Op, newId, type Model, type ModelStatic, type PluginContext } from '@charla/core';
import { ConversationsData } from '@charla/plugin-conversations';
import type { DaySource, ReportService } from './report-service.js';
import { addConversation, addReplies, emptyStats, mergeStats, type Stats } from './stats.js';
import { dayOf, daysBetween, nextDay, startOfDay } from './time-zone.js';

/** Days recomputed on every run (late replies, closes and tags land in them). */
export const RECENT_DAYS = 7;
/** How far back the first run of an account goes. */
export const BACKFILL_DAYS = 366;
/** The row that says "this day was computed" (its stats are empty). */
const DONE = '';

interface RollupRow { id: string; accountId: string; timezone: string; day: string; siteId: string; stats: Stats | string; computedAt: Date }
type RollupModel = ModelStatic<Model<RollupRow, Partial<RollupRow>> & RollupRow>;

const byDatabase = new WeakMap<object, RollupModel>();

export function defineRollupModel(ctx: PluginContext): RollupModel {
  const m = ctx.db.define<Model<RollupRow, Partial<RollupRow>> & RollupRow>('ReportDailyRollup', {
    id: { type: DataTypes.STRING(36), primaryKey: true },
    accountId: { type: DataTypes.STRING(36), allowNull: false },
    timezone: { type: DataTypes.STRING(64), allowNull: false },
    day: { type: DataTypes.STRING(10), allowNull: false },
    siteId: { type: DataTypes.STRING(36), allowNull: false },
    stats: { type: DataTypes.JSON, allowNull: false },
    computedAt: { type: DataTypes.DATE, allowNull: false },
  }, { tableName: 'report_daily_rollups' });
  byDatabase.set(ctx.db, m);
  return m;
}

const parse = (s: Stats | string): Stats => (typeof s === 'string' ? JSON.parse(s) : s) as Stats;

/** The daily rollups: whole days' figures per account, time zone and site. */
export class Rollups implements DaySource {
  constructor(private readonly ctx: PluginContext) {}

  private get model(): RollupModel {
    const m = byDatabase.get(this.ctx.db);
    if (!m) throw new Error('reports: the rollup model is not defined for this database');
    return m;
  }

  async days(accountId: string, q: { firstDay: string; lastDay: string; timezone: string; siteId?: string }): Promise<Map<string, Stats>> {
    const rows = await this.ctx.db.scope(accountId).findAll(this.model, {
      where: { timezone: q.timezone, day: { [Op.gte]: q.firstDay, [Op.lte]: q.lastDay } } as never,
      order: [['day', 'ASC'], ['siteId', 'ASC']],
    });
    const out = new Map<string, Stats>();
    for (const r of rows) {
      if (r.siteId === DONE) {
        if (!out.has(r.day)) out.set(r.day, emptyStats());
      }
    }
    for (const r of rows) {
      if (r.siteId === DONE || !out.has(r.day) || (q.siteId !== undefined && r.siteId !== q.siteId)) continue;
      mergeStats(out.get(r.day)!, parse(r.stats));
    }
    return out;
  }

  /** Computes one day of an account (all its sites) and replaces that day's rows: running it twice changes nothing. */
  async computeDay(accountId: string, day: string, timezone: string): Promise<void> {
    const data = this.ctx.services.get(ConversationsData);
    const since = startOfDay(day, timezone);
    const until = startOfDay(nextDay(day), timezone);
    const facts = await data.reports.conversations(accountId, { since, until });
    const perSite = new Map<string, Stats>();
    const of = (siteId: string) => {
      let s = perSite.get(siteId);
      if (!s) perSite.set(siteId, (s = emptyStats()));
      return s;
    };
    for (const c of facts) addConversation(of(c.siteId), c, timezone);
    const sites = await this.ctx.container.cradle.sites.list(accountId);
    for (const site of sites) {
      const replies = await data.reports.agentReplies(accountId, { since, until, siteId: site.id });
      if (replies.length) addReplies(of(site.id), replies);
    }
    const now = this.ctx.container.cradle.clock.now();
    await this.ctx.db.transaction(async () => {
      const scope = this.ctx.db.scope(accountId);
      await scope.destroy(this.model, { timezone, day });
      for (const [siteId, stats] of perSite) await scope.create(this.model, { id: newId(), timezone, day, siteId, stats, computedAt: now });
      await scope.create(this.model, { id: newId(), timezone, day, siteId: DONE, stats: emptyStats(), computedAt: now });
    });
  }

  /**
   * The account's run: every whole day not rolled up yet (back to BACKFILL_DAYS) and the
   * last RECENT_DAYS again, up to yesterday in the account's zone; rows of another zone
   * (the setting changed) are dropped. `days`: only these (a late change to an old day).
   */
  async run(accountId: string, reports: ReportService, days?: string[]): Promise<string[]> {
    const { timezone } = await reports.settings(accountId);
    const today = dayOf(this.ctx.container.cradle.clock.now(), timezone);
    const yesterday = dayOf(new Date(startOfDay(today, timezone).getTime() - 1), timezone);
    const scope = this.ctx.db.scope(accountId);
    await scope.destroy(this.model, { timezone: { [Op.ne]: timezone } } as never);
    let todo: string[];
    if (days) todo = days.filter((d) => d < today);
    else {
      let first = yesterday;
      for (let i = 1; i < BACKFILL_DAYS; i++) first = dayOf(new Date(startOfDay(first, timezone).getTime() - 1), timezone);
      const done = new Set((await scope.findAll(this.model, { attributes: ['day'], where: { timezone, siteId: DONE, day: { [Op.gte]: first } } as never })).map((r) => r.day));
      const all = daysBetween(first, yesterday);
      const recent = new Set(all.slice(-RECENT_DAYS));
      // Days before the account's first conversation need no row: they are empty, and live reads of nothing are cheap.
      todo = all.filter((d) => recent.has(d) || !done.has(d));
      const oldest = await this.ctx.services.get(ConversationsData).conversations.list(accountId, { order: 'oldest', limit: 1 });
      const start = oldest.items[0] ? dayOf(oldest.items[0].createdAt, timezone) : yesterday;
      todo = todo.filter((d) => d >= start || recent.has(d));
    }
    for (const day of todo) await this.computeDay(accountId, day, timezone);
    return todo;
  }

  /** Accounts that have rollups (the daily schedule refreshes their recent days). */
  async accounts(): Promise<string[]> {
    const rows = await this.ctx.db.withoutTenant('reports: accounts with rollups', () =>
      this.model.findAll({ attributes: ['accountId'], where: { siteId: DONE } as never, group: ['accountId'], raw: true }),
    ) as unknown as Array<{ accountId: string }>;
    return rows.map((r) => r.accountId);
  }
}
