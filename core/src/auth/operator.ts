import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AwilixContainer } from 'awilix';
import type { Cradle } from '../container.js';
import { CoreErrors } from '../errors.js';
import { newId } from '../db/ids.js';
import { problems } from '../http/schemas.js';
import type { AgentActor } from './actor.js';
import { OverridesSchema, overridesOf, type EntitlementOverrides } from '../accounts/entitlements.js';

/** Whether an agent is an instance operator (listed in OPERATOR_EMAILS). Being an owner is not enough. */
export function isOperator(config: Cradle['config'], actor: AgentActor): boolean {
  return config.operatorEmails.includes(actor.email.toLowerCase());
}

/**
 * The operator's explicit cross-account scope: the only way an operator route reads
 * across accounts. Every use writes an audit row (who, what, when) before it runs.
 */
export interface OperatorScope {
  actor: AgentActor;
  acrossAccounts<T>(action: string, detail: Record<string, unknown>, fn: () => Promise<T>): Promise<T>;
}

/** For routes with `config: { auth: 'operator' }` (the kernel has already checked OPERATOR_EMAILS). */
export function operatorOf(request: FastifyRequest): OperatorScope {
  const actor = request.actor;
  const { db, models, config, logger } = request.scope.cradle;
  if (!actor || actor.kind !== 'agent' || !isOperator(config, actor)) throw CoreErrors.forbidden('Only instance operators may do this.');
  return {
    actor,
    async acrossAccounts(action, detail, fn) {
      await models.OperatorAudit.create({ id: newId(), userId: actor.userId, email: actor.email, action, detail });
      logger.info({ operator: actor.email, action, detail }, 'operator cross-account access');
      return db.withoutTenant(`operator ${actor.email}: ${action}`, fn);
    },
  };
}

/** What a plugin (billing) knows of an account's activity, for the operator's account list. */
export interface AccountActivity {
  conversationsLast30Days: number;
  /** Last conversation or message of the account (ISO), null when none. */
  lastActivityAt: string | null;
  /** Change of the last 30 days' conversations against the 30 days before, as a fraction (-0.5 = half); null without a base. */
  trend: number | null;
  churnRisk: 'low' | 'medium' | 'high';
}

/**
 * The extension point behind the operator's account figures: core lists accounts,
 * agents and sites; the plugin that fills `operatorAccountFigures` in the container
 * (billing) adds the activity figures. Without one, those figures are null.
 */
export interface OperatorAccountFigures {
  activity(accounts: ReadonlyArray<{ id: string; createdAt: Date }>, now: Date): Promise<Map<string, AccountActivity>>;
}

const SORT_KEYS = ['id', 'name', 'createdAt', 'agents', 'sites', 'conversationsLast30Days', 'lastActivityAt', 'trend', 'churnRisk'] as const;
type SortKey = (typeof SORT_KEYS)[number];
const RISK_RANK = { low: 0, medium: 1, high: 2 } as const;

const AccountSummary = Type.Object({
  id: Type.String(), name: Type.String(), plan: Type.String(), createdAt: Type.String(),
  agents: Type.Integer({ description: 'Team members' }), sites: Type.Integer(),
  suspended: Type.Boolean(),
  conversationsLast30Days: Type.Union([Type.Integer(), Type.Null()]),
  lastActivityAt: Type.Union([Type.String(), Type.Null()]),
  trend: Type.Union([Type.Number(), Type.Null()], { description: 'Last 30 days against the 30 before, as a fraction (-0.5 = down by half)' }),
  churnRisk: Type.Union([Type.Literal('low'), Type.Literal('medium'), Type.Literal('high'), Type.Null()]),
});
type Summary = Static<typeof AccountSummary>;
const AccountPlan = Type.Object({ id: Type.String(), plan: Type.String(), overrides: OverridesSchema, suspended: Type.Boolean() });

function sortValue(a: Summary, key: SortKey): string | number | null {
  if (key === 'churnRisk') return a.churnRisk === null ? null : RISK_RANK[a.churnRisk];
  return a[key];
}

function encodeCursor(offset: number, sort: string): string {
  return Buffer.from(JSON.stringify({ o: offset, s: sort })).toString('base64url');
}
function decodeCursor(cursor: string, sort: string): number {
  try {
    const c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { o?: unknown; s?: unknown };
    if (Number.isInteger(c.o) && (c.o as number) >= 0 && c.s === sort) return c.o as number;
  } catch { /* below */ }
  throw CoreErrors.badRequest('This cursor is not from this account list (same sort); start again without a cursor.');
}

/** API-features.md "Plans, billing and the operator": the operator's account list and account changes. */
export async function operatorRoutes(app: FastifyInstance, { container }: { container: AwilixContainer<Cradle> }): Promise<void> {
  const { models } = container.cradle;
  app.get('/operator/accounts', {
    config: { auth: 'operator' },
    schema: {
      tags: ['operator'], summary: 'Every account of the instance with its figures, sorted and paged (operators only; audited)',
      querystring: Type.Object({
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
        cursor: Type.Optional(Type.String({ maxLength: 200 })),
        sort: Type.Optional(Type.String({ pattern: `^-?(${SORT_KEYS.join('|')})$`, description: 'A field, ascending; "-field" descending (e.g. -churnRisk: high first). Default: id' })),
      }),
      response: { 200: Type.Object({ accounts: Type.Array(AccountSummary), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...problems(400, 401, 403) },
    },
  }, async (request) => {
    const { limit = 50, cursor, sort = 'id' } = request.query as { limit?: number; cursor?: string; sort?: string };
    const desc = sort.startsWith('-');
    const key = (desc ? sort.slice(1) : sort) as SortKey;
    const offset = cursor ? decodeCursor(cursor, sort) : 0;
    return operatorOf(request).acrossAccounts('list accounts', { limit, cursor: cursor ?? null, sort }, async () => {
      const rows = await models.Account.findAll({ order: [['id', 'ASC']] });
      const countBy = async (m: typeof models.User) => {
        const out = new Map<string, number>();
        const groups = (await m.count({ group: ['accountId'] })) as unknown as Array<{ accountId: string; count: number | string }>;
        for (const g of groups) out.set(g.accountId, Number(g.count));
        return out;
      };
      const agents = await countBy(models.User);
      const sites = await countBy(models.Site as unknown as typeof models.User);
      const figures = container.cradle.operatorAccountFigures;
      const activity = figures ? await figures.activity(rows.map((a) => ({ id: a.id, createdAt: new Date(a.createdAt!) })), container.cradle.clock.now()) : new Map<string, AccountActivity>();
      const all: Summary[] = rows.map((a) => {
        const f = activity.get(a.id);
        return {
          id: a.id, name: a.name, plan: a.plan, createdAt: new Date(a.createdAt!).toISOString(),
          agents: agents.get(a.id) ?? 0, sites: sites.get(a.id) ?? 0, suspended: !!a.suspendedAt,
          conversationsLast30Days: f?.conversationsLast30Days ?? null, lastActivityAt: f?.lastActivityAt ?? null,
          trend: f?.trend ?? null, churnRisk: f?.churnRisk ?? null,
        };
      });
      if (key !== 'id') {
        all.sort((x, y) => {
          const a = sortValue(x, key), b = sortValue(y, key);
          // Nulls last in either direction; ties by id.
          if (a === null || b === null) return a === b ? (x.id < y.id ? -1 : 1) : a === null ? 1 : -1;
          const c = a < b ? -1 : a > b ? 1 : 0;
          return c !== 0 ? (desc ? -c : c) : x.id < y.id ? -1 : 1;
        });
      } else if (desc) all.reverse();
      const page = all.slice(offset, offset + limit);
      return { accounts: page, nextCursor: offset + limit < all.length ? encodeCursor(offset + limit, sort) : null };
    });
  });

  app.patch('/operator/accounts/:id', {
    config: { auth: 'operator' },
    schema: {
      tags: ['operator'], summary: "Change an account's plan, its entitlement overrides or suspend/resume it (operators only; audited)",
      params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
      body: Type.Object({
        plan: Type.Optional(Type.String({ minLength: 1, maxLength: 30 })),
        overrides: Type.Optional(OverridesSchema),
        suspended: Type.Optional(Type.Boolean({ description: "true: the account's agents, API keys and widgets are refused (nothing is deleted); false: resumed" })),
      }, { additionalProperties: false }),
      response: { 200: AccountPlan, ...problems(400, 401, 403, 404) },
    },
  }, async (request) => {
    const { id } = request.params as { id: string };
    const body = request.body as { plan?: string; overrides?: EntitlementOverrides; suspended?: boolean };
    const { entitlements, events, clock } = container.cradle;
    if (body.plan !== undefined && !entitlements.plan(body.plan)) {
      throw CoreErrors.badRequest(`No plan "${body.plan}"; the configured plans are ${entitlements.list().map((p) => p.id).join(', ')}.`);
    }
    if (body.plan === undefined && body.overrides === undefined && body.suspended === undefined) throw CoreErrors.badRequest('Nothing to change: send plan, overrides or suspended.');
    const action = body.suspended === true ? 'suspend account' : body.suspended === false ? 'resume account' : 'change account plan';
    return operatorOf(request).acrossAccounts(action, { accountId: id, ...body }, async () => {
      const account = await models.Account.findByPk(id);
      if (!account) throw CoreErrors.notFound('No such account.');
      await account.update({
        ...(body.plan !== undefined && { plan: body.plan }),
        ...(body.overrides !== undefined && { entitlementOverrides: body.overrides }),
        ...(body.suspended !== undefined && { suspendedAt: body.suspended ? (account.suspendedAt ?? clock.now()) : null }),
      });
      entitlements.changed(id);
      if (body.suspended === true) events.system('account-suspended', { accountId: id });
      return { id, plan: account.plan, overrides: overridesOf(account), suspended: !!account.suspendedAt };
    });
  });
}
