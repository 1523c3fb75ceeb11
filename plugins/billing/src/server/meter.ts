import { Op, col, fn, newId, type AccountActivity, type AccountEntitlements, type DomainEvent, type OperatorAccountFigures, type PluginContext } from '@charla/core';
import { activityOf, dayOf, daysBefore, periodOf } from './churn.js';
import { BillingErrors } from './errors.js';
import type { BillingModels } from './models.js';

export type LimitName = 'agents' | 'sites' | 'conversationsPerMonth';

export interface Usage {
  plan: string;
  planName: string;
  periodStart: string;
  periodEnd: string;
  agents: { used: number; limit: number | null; pending: number };
  conversations: { used: number; limit: number | null; overage: number };
  sites: { used: number; limit: number | null };
}

const limitOf = (e: AccountEntitlements, name: LimitName): number | null => {
  const v = e.limits[name];
  return typeof v === 'number' ? v : null;
};

/** The usage meter (daily activity per account, in the database), the plan's limits and the operator's figures. */
export class Meter implements OperatorAccountFigures {
  constructor(private readonly ctx: PluginContext, private readonly m: BillingModels) {}

  private get now(): Date {
    return this.ctx.container.cradle.clock.now();
  }

  /** Counts a new conversation once (idempotent on the event id), on the day it was emitted. */
  async conversationCreated(accountId: string, event: DomainEvent): Promise<void> {
    const at = new Date(event.emittedAt);
    await this.ctx.db.transaction(async () => {
      const scope = this.ctx.db.scope(accountId);
      if (await scope.findById(this.m.MeteredEvent, event.id)) return; // counted already (a redelivery)
      await scope.create(this.m.MeteredEvent, { id: event.id });
      await this.touch(accountId, at, 1);
    });
  }

  /** Any message (visitor, agent, bot): the account's last activity. */
  async messageCreated(accountId: string, event: DomainEvent): Promise<void> {
    await this.touch(accountId, new Date(event.emittedAt), 0);
  }

  /**
   * Adds to the account's day in one statement (insert, or add on the unique
   * account/day row): handlers of the same day running at once on two workers or
   * instances neither lose a count nor collide on the first row of the day.
   */
  private async touch(accountId: string, at: Date, conversations: number): Promise<void> {
    const now = this.ctx.container.cradle.clock.now();
    await this.ctx.db.scope(accountId).query(
      `INSERT INTO billing_days (id, account_id, day, conversations, last_activity_at, created_at, updated_at)
       VALUES (:id, :accountId, :day, :n, :at, :now, :now)
       ON CONFLICT (account_id, day) DO UPDATE SET
         conversations = billing_days.conversations + excluded.conversations,
         last_activity_at = CASE WHEN billing_days.last_activity_at IS NULL OR billing_days.last_activity_at < excluded.last_activity_at
           THEN excluded.last_activity_at ELSE billing_days.last_activity_at END,
         updated_at = excluded.updated_at`,
      { id: newId(), day: dayOf(at), n: conversations, at, now },
    );
  }

  /** Conversations of the account from `since` (inclusive day) to `until` (exclusive day). */
  async conversationsBetween(accountId: string, since: Date, until: Date): Promise<number> {
    const rows = await this.ctx.db.scope(accountId).findAll(this.m.Day, { where: { day: { [Op.gte]: dayOf(since), [Op.lt]: dayOf(until) } } });
    return rows.reduce((n, r) => n + Number(r.conversations), 0);
  }

  async usage(accountId: string): Promise<Usage> {
    const e = await this.ctx.entitlements.for(accountId);
    const { start, end } = periodOf(this.now);
    const { models } = this.ctx.container.cradle;
    const scope = this.ctx.db.scope(accountId);
    const [agents, pending, sites, conversations] = [
      await scope.count(models.User),
      await scope.count(models.Invitation, { where: { acceptedAt: null, expiresAt: { [Op.gt]: this.now } } }),
      await scope.count(models.Site),
      await this.conversationsBetween(accountId, start, end),
    ];
    const convLimit = limitOf(e, 'conversationsPerMonth');
    return {
      plan: e.plan.id, planName: e.plan.name, periodStart: start.toISOString(), periodEnd: end.toISOString(),
      agents: { used: agents, limit: limitOf(e, 'agents'), pending },
      conversations: { used: conversations, limit: convLimit, overage: convLimit === null ? 0 : Math.max(0, conversations - convLimit) },
      sites: { used: sites, limit: limitOf(e, 'sites') },
    };
  }

  /** Refuses a new member (an invitation) when members plus pending invitations reach the plan's `agents`. */
  async checkInvite(accountId: string, email: string): Promise<void> {
    const e = await this.ctx.entitlements.for(accountId);
    const limit = limitOf(e, 'agents');
    if (limit === null) return;
    const { models } = this.ctx.container.cradle;
    const scope = this.ctx.db.scope(accountId);
    // A new invitation to the same address replaces the pending one: that one does not count.
    const used = (await scope.count(models.User)) + (await scope.count(models.Invitation, { where: { acceptedAt: null, expiresAt: { [Op.gt]: this.now }, email: { [Op.ne]: email } } }));
    if (used >= limit) throw limitReached('agents', limit, e, `${used} members and pending invitations`);
  }

  async checkSite(accountId: string): Promise<void> {
    const e = await this.ctx.entitlements.for(accountId);
    const limit = limitOf(e, 'sites');
    if (limit === null) return;
    const used = await this.ctx.db.scope(accountId).count(this.ctx.container.cradle.models.Site);
    if (used >= limit) throw limitReached('sites', limit, e, `${used} sites`);
  }

  /** OperatorAccountFigures: the last 60 days of every account, in three queries. */
  async activity(accounts: ReadonlyArray<{ id: string; createdAt: Date }>, now: Date): Promise<Map<string, AccountActivity>> {
    const split = dayOf(daysBefore(now, 30));
    const from = dayOf(daysBefore(now, 60));
    return this.ctx.db.withoutTenant('billing: activity of every account for the operator', async () => {
      const rows = (await this.m.Day.findAll({
        attributes: ['accountId', [fn('SUM', col('conversations')), 'n']],
        where: { day: { [Op.gt]: split, [Op.lte]: dayOf(now) } }, group: ['accountId'], raw: true,
      })) as unknown as Array<{ accountId: string; n: number | string }>;
      const prev = (await this.m.Day.findAll({
        attributes: ['accountId', [fn('SUM', col('conversations')), 'n']],
        where: { day: { [Op.gt]: from, [Op.lte]: split } }, group: ['accountId'], raw: true,
      })) as unknown as Array<{ accountId: string; n: number | string }>;
      const last = (await this.m.Day.findAll({
        attributes: ['accountId', [fn('MAX', col('last_activity_at')), 'at']], group: ['accountId'], raw: true,
      })) as unknown as Array<{ accountId: string; at: string | Date | null }>;
      const last30 = new Map(rows.map((r) => [r.accountId, Number(r.n)]));
      const prev30 = new Map(prev.map((r) => [r.accountId, Number(r.n)]));
      const lastAt = new Map(last.map((r) => [r.accountId, r.at ? new Date(r.at) : null]));
      return new Map(accounts.map((a) => [a.id, activityOf({ createdAt: a.createdAt, now, last30: last30.get(a.id) ?? 0, previous30: prev30.get(a.id) ?? 0, lastActivityAt: lastAt.get(a.id) ?? null })]));
    });
  }
}

function limitReached(name: LimitName, limit: number, e: AccountEntitlements, used: string): Error {
  return BillingErrors.limit(`The ${e.plan.name} plan allows ${limit} ${name === 'agents' ? 'agents' : name} (limit "${name}"); this account has ${used}. Upgrade the plan or remove one first.`, { extra: { limit: name, max: limit } });
}
