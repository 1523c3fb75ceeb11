import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AwilixContainer } from 'awilix';
import { Op } from 'sequelize';
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

const AccountSummary = Type.Object({
  id: Type.String(), name: Type.String(), plan: Type.String(), createdAt: Type.String(),
  agents: Type.Integer({ description: 'Team members' }), sites: Type.Integer(),
});
const AccountPlan = Type.Object({ id: Type.String(), plan: Type.String(), overrides: OverridesSchema });

/** API-features.md "Plans, billing and the operator": the operator's account list (the figures core can compute). */
export async function operatorRoutes(app: FastifyInstance, { container }: { container: AwilixContainer<Cradle> }): Promise<void> {
  const { models } = container.cradle;
  app.get('/operator/accounts', {
    config: { auth: 'operator' },
    schema: {
      tags: ['operator'], summary: 'Every account of the instance, oldest id first (operators only; audited)',
      querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })), cursor: Type.Optional(Type.String({ maxLength: 64 })) }),
      response: { 200: Type.Object({ accounts: Type.Array(AccountSummary), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...problems(400, 401, 403) },
    },
  }, async (request) => {
    const { limit = 50, cursor } = request.query as { limit?: number; cursor?: string };
    return operatorOf(request).acrossAccounts('list accounts', { limit, cursor: cursor ?? null }, async () => {
      const rows = await models.Account.findAll({ where: cursor ? { id: { [Op.gt]: cursor } } : {}, order: [['id', 'ASC']], limit: limit + 1 });
      const page = rows.slice(0, limit);
      const ids = page.map((a) => a.id);
      const count = async (m: typeof models.User | typeof models.Site) => {
        const counts = new Map<string, number>();
        for (const id of ids) counts.set(id, await (m as typeof models.User).count({ where: { accountId: id } }));
        return counts;
      };
      const [agents, sites] = [await count(models.User), await count(models.Site)];
      return {
        accounts: page.map((a) => ({ id: a.id, name: a.name, plan: a.plan, createdAt: new Date(a.createdAt!).toISOString(), agents: agents.get(a.id) ?? 0, sites: sites.get(a.id) ?? 0 })),
        nextCursor: rows.length > limit ? page[page.length - 1]!.id : null,
      };
    });
  });

  app.patch('/operator/accounts/:id', {
    config: { auth: 'operator' },
    schema: {
      tags: ['operator'], summary: "Change an account's plan and its entitlement overrides (operators only; audited)",
      params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
      body: Type.Object({ plan: Type.Optional(Type.String({ minLength: 1, maxLength: 30 })), overrides: Type.Optional(OverridesSchema) }, { additionalProperties: false }),
      response: { 200: AccountPlan, ...problems(400, 401, 403, 404) },
    },
  }, async (request) => {
    const { id } = request.params as { id: string };
    const body = request.body as { plan?: string; overrides?: EntitlementOverrides };
    const { entitlements } = container.cradle;
    if (body.plan !== undefined && !entitlements.plan(body.plan)) {
      throw CoreErrors.badRequest(`No plan "${body.plan}"; the configured plans are ${entitlements.list().map((p) => p.id).join(', ')}.`);
    }
    return operatorOf(request).acrossAccounts('change account plan', { accountId: id, ...body }, async () => {
      const account = await models.Account.findByPk(id);
      if (!account) throw CoreErrors.notFound('No such account.');
      await account.update({ ...(body.plan !== undefined && { plan: body.plan }), ...(body.overrides !== undefined && { entitlementOverrides: body.overrides }) });
      entitlements.changed(id);
      return { id, plan: account.plan, overrides: overridesOf(account) };
    });
  });
}
