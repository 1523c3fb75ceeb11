import { Op, Type, agentOf, problems, visitorOf, type PluginContext } from '@charla/core';
import { ConversationsData } from '@charla/plugin-conversations';
import type { FastifyInstance } from 'fastify';
import { firstMatch, type Outlet } from './engine.js';
import { BotErrors } from './errors.js';
import { json } from './models.js';
import {
  FlowCreateSchema, FlowPatchSchema, FlowSchema, PlannedEffectSchema, PlannedMessageSchema, RuleCreateSchema, RulePatchSchema, RuleSchema,
  type FlowCreate, type FlowPatch, type RuleCreate, type RulePatch, type Trigger,
} from './schemas.js';
import { ruleTemplates } from './templates.js';

const IdParam = Type.Object({ id: Type.String({ maxLength: 64 }) });
const DAY = 86_400_000;

/** A date (`2026-12-01`) or an ISO time; `end`: a bare date means the end of that day. */
function when(name: string, raw: string | undefined, fallback: Date, end = false): Date {
  if (raw === undefined) return fallback;
  const d = /^\d{4}-\d{2}-\d{2}$/.test(raw) ? new Date(`${raw}T00:00:00.000Z`) : new Date(raw);
  if (Number.isNaN(d.getTime())) throw BotErrors.badRange(`${name} must be a date (2026-12-01) or an ISO time.`);
  return end && /^\d{4}-\d{2}-\d{2}$/.test(raw) ? new Date(d.getTime() + DAY) : d;
}

/** The contract's bot routes (API-features.md § Bot): rules, flows, test console, stats, templates and the widget's button answer. */
export async function botRoutes(app: FastifyInstance, ctx: PluginContext): Promise<void> {
  const c = ctx.container.cradle;
  const tags = ['bot'];
  const admin = { auth: 'agent' as const, roles: ['owner' as const, 'admin' as const] };
  const agent = { auth: 'agent' as const };
  const account = (request: Parameters<typeof agentOf>[0]) => agentOf(request).accountId;
  const id = (request: { params: unknown }) => (request.params as { id: string }).id;

  app.get('/api/v1/bot/rules', { config: agent, schema: { tags, summary: 'The bot rules, in order (the first enabled match acts)', response: { 200: Type.Object({ rules: Type.Array(RuleSchema) }), ...problems(401, 403) } } },
    async (request) => ({ rules: await c.botStore.rules(account(request)) }));

  app.post('/api/v1/bot/rules', {
    config: admin, schema: { tags, summary: 'Add a rule (last in the order)', body: RuleCreateSchema, response: { 201: RuleSchema, ...problems(400, 401, 403) } },
  }, async (request, reply) => reply.code(201).send(await c.botStore.createRule(account(request), request.body as RuleCreate)));

  app.post('/api/v1/bot/rules/reorder', {
    config: admin,
    schema: { tags, summary: 'Order the rules: the listed ids first, in that order (the others keep theirs after them)', body: Type.Object({ ids: Type.Array(Type.String({ maxLength: 64 }), { minItems: 1, maxItems: 500 }) }, { additionalProperties: false }), response: { 200: Type.Object({ rules: Type.Array(RuleSchema) }), ...problems(400, 401, 403, 404) } },
  }, async (request) => ({ rules: await c.botStore.reorder(account(request), (request.body as { ids: string[] }).ids) }));

  app.get('/api/v1/bot/rules/:id', { config: agent, schema: { tags, summary: 'One rule', params: IdParam, response: { 200: RuleSchema, ...problems(401, 403, 404) } } },
    async (request) => c.botStore.rule(account(request), id(request)));

  app.patch('/api/v1/bot/rules/:id', {
    config: admin, schema: { tags, summary: 'Change a rule (enable/disable with {enabled})', params: IdParam, body: RulePatchSchema, response: { 200: RuleSchema, ...problems(400, 401, 403, 404) } },
  }, async (request) => c.botStore.updateRule(account(request), id(request), request.body as RulePatch));

  app.delete('/api/v1/bot/rules/:id', { config: admin, schema: { tags, summary: 'Delete a rule', params: IdParam, response: { 204: Type.Null(), ...problems(401, 403, 404) } } },
    async (request, reply) => {
      await c.botStore.removeRule(account(request), id(request));
      return reply.code(204).send();
    });

  app.get('/api/v1/bot/flows', { config: agent, schema: { tags, summary: 'The decision trees', response: { 200: Type.Object({ flows: Type.Array(FlowSchema) }), ...problems(401, 403) } } },
    async (request) => ({ flows: await c.botStore.flows(account(request)) }));

  app.post('/api/v1/bot/flows', {
    config: admin, schema: { tags, summary: 'Add a decision tree (validated: no dangling or unreachable nodes, no loop without an exit)', body: FlowCreateSchema, response: { 201: FlowSchema, ...problems(400, 401, 403) } },
  }, async (request, reply) => reply.code(201).send(await c.botStore.createFlow(account(request), request.body as FlowCreate)));

  app.get('/api/v1/bot/flows/:id', { config: agent, schema: { tags, summary: 'One decision tree', params: IdParam, response: { 200: FlowSchema, ...problems(401, 403, 404) } } },
    async (request) => c.botStore.flow(account(request), id(request)));

  app.patch('/api/v1/bot/flows/:id', {
    config: admin, schema: { tags, summary: 'Change a decision tree', params: IdParam, body: FlowPatchSchema, response: { 200: FlowSchema, ...problems(400, 401, 403, 404) } },
  }, async (request) => c.botStore.updateFlow(account(request), id(request), request.body as FlowPatch));

  app.delete('/api/v1/bot/flows/:id', { config: admin, schema: { tags, summary: 'Delete a decision tree no rule uses', params: IdParam, response: { 204: Type.Null(), ...problems(400, 401, 403, 404) } } },
    async (request, reply) => {
      await c.botStore.removeFlow(account(request), id(request));
      return reply.code(204).send();
    });

  app.post('/api/v1/bot/test', {
    config: admin,
    schema: {
      tags, summary: 'Test console: which rule a visitor message would match and what the bot would send, touching no conversation',
      body: Type.Object({
        siteId: Type.Optional(Type.String({ maxLength: 64, description: 'The site the visitor is on (its rules and office hours); none: rules for all sites only' })),
        content: Type.String({ minLength: 1, maxLength: 5000 }),
        at: Type.Optional(Type.String({ format: 'date-time', description: 'When the message is sent (office hours); default now' })),
        firstMessage: Type.Optional(Type.Boolean({ description: 'The first message of a conversation (conversation_started rules); default true' })),
        pageUrl: Type.Optional(Type.String({ maxLength: 2048 })),
        locale: Type.Optional(Type.String({ maxLength: 20 })),
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ ruleId: Type.Union([Type.String(), Type.Null()]), ruleName: Type.Union([Type.String(), Type.Null()]), messages: Type.Array(PlannedMessageSchema), effects: Type.Array(PlannedEffectSchema) }), ...problems(400, 401, 403) },
    },
  }, async (request) => {
    const accountId = account(request);
    const body = request.body as { siteId?: string; content: string; at?: string; firstMessage?: boolean; pageUrl?: string; locale?: string };
    if (body.siteId && !(await c.sites.byIdForAccount(accountId, body.siteId))) throw BotErrors.invalidRule(`siteId "${body.siteId}" is not a site of this account.`);
    const at = body.at ? new Date(body.at) : c.clock.now();
    const triggers = new Set<Trigger>(['message']);
    if (body.firstMessage !== false) triggers.add('conversation_started');
    if (body.siteId && (await c.botResponder.outsideHours(accountId, body.siteId, at))) triggers.add('outside_hours');
    const rules = await c.botStore.activeRules(accountId, body.siteId ?? null);
    const locale = body.locale ?? null;
    const rule = firstMatch(rules, { accountId, content: body.content, triggers, pageUrl: body.pageUrl ?? null, locale }, c.botPatterns);
    const messages: Array<{ content: string; metadata: Record<string, unknown> }> = [];
    const effects: Array<{ type: string; detail?: Record<string, unknown> }> = [];
    if (rule) {
      const out: Outlet = {
        send: async (content, metadata) => { messages.push({ content, metadata }); return true; },
        setPending: async () => { effects.push({ type: 'set_status', detail: { status: 'pending' } }); },
        assign: async (assigneeId) => { effects.push({ type: 'assign', detail: { assigneeId } }); },
        handOff: async () => { effects.push({ type: 'handoff' }); },
        tag: async (name) => { effects.push({ type: 'add_tag', detail: { tag: name } }); },
      };
      await c.botRunner.run(accountId, rule.actions, { content: body.content, locale }, out, { ruleId: rule.id });
    }
    return { ruleId: rule?.id ?? null, ruleName: rule?.name ?? null, messages, effects };
  });

  app.get('/api/v1/bot/stats', {
    config: admin,
    schema: {
      tags, summary: 'Per rule: how often it acted, how often it ended in a hand-off, how many of its conversations were resolved without an agent',
      querystring: Type.Object({ from: Type.Optional(Type.String({ maxLength: 40 })), to: Type.Optional(Type.String({ maxLength: 40 })) }),
      response: { 200: Type.Object({ rules: Type.Array(Type.Object({ ruleId: Type.String(), name: Type.String(), fired: Type.Integer(), handedOff: Type.Integer(), resolvedWithoutAgent: Type.Integer() })) }), ...problems(400, 401, 403) },
    },
  }, async (request) => {
    const accountId = account(request);
    const q = request.query as { from?: string; to?: string };
    const to = when('to', q.to, c.clock.now(), true);
    const from = when('from', q.from, new Date(to.getTime() - 30 * DAY));
    if (from > to) throw BotErrors.badRange('from is after to.');
    if (to.getTime() - from.getTime() > 367 * DAY) throw BotErrors.badRange('The range is longer than 366 days.');
    const firings = await ctx.db.scope(accountId).findAll(c.botModels.Firing, { where: { createdAt: { [Op.gte]: from, [Op.lt]: to } } as never });
    const data = ctx.services.get(ConversationsData);
    const rules = await c.botStore.rules(accountId);
    return {
      rules: await Promise.all(rules.map(async (r) => {
        const mine = firings.filter((f) => f.ruleId === r.id);
        const conversationIds = [...new Set(mine.map((f) => f.conversationId))];
        const resolvedWithoutAgent = conversationIds.length ? await data.conversations.count(accountId, { ids: conversationIds, status: 'closed', awaitingFirstResponse: true }) : 0;
        return { ruleId: r.id, name: r.name, fired: mine.length, handedOff: mine.filter((f) => f.handedOff).length, resolvedWithoutAgent };
      })),
    };
  });

  app.get('/api/v1/bot/templates', {
    config: admin,
    schema: { tags, summary: 'Ready rules to add with one click', querystring: Type.Object({ locale: Type.Optional(Type.Union([Type.Literal('es'), Type.Literal('en')])) }), response: { 200: Type.Object({ templates: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), description: Type.String(), rule: Type.Unknown() })) }), ...problems(400, 401, 403) } },
  }, async (request) => ({ templates: ruleTemplates((request.query as { locale?: 'es' | 'en' }).locale ?? 'es') }));

  app.post('/api/v1/bot/templates/:id', {
    config: admin,
    schema: { tags, summary: 'Add the rule of a template (enabled, last in the order)', params: IdParam, querystring: Type.Object({ locale: Type.Optional(Type.Union([Type.Literal('es'), Type.Literal('en')])) }), response: { 201: RuleSchema, ...problems(400, 401, 403, 404) } },
  }, async (request, reply) => {
    const t = ruleTemplates((request.query as { locale?: 'es' | 'en' }).locale ?? 'es').find((x) => x.id === id(request));
    if (!t) throw BotErrors.ruleNotFound(`No template "${id(request)}"; GET /api/v1/bot/templates lists them.`);
    return reply.code(201).send(await c.botStore.createRule(account(request), t.rule));
  });

  app.post('/api/v1/widget/bot/answer', {
    config: { auth: 'visitor' as const, cors: true },
    schema: {
      tags, summary: 'The visitor presses a button of a bot message: stored as the visitor\'s message, then the bot answers with the next step',
      body: Type.Object({ conversationId: Type.String({ maxLength: 64 }), messageId: Type.String({ maxLength: 64 }), buttonId: Type.String({ minLength: 1, maxLength: 50 }) }, { additionalProperties: false }),
      response: { 200: Type.Object({ message: Type.Record(Type.String(), Type.Unknown()) }), 201: Type.Object({ message: Type.Record(Type.String(), Type.Unknown()) }), ...problems(400, 401, 403, 404, 429) },
    },
  }, async (request, reply) => {
    const actor = visitorOf(request);
    const body = request.body as { conversationId: string; messageId: string; buttonId: string };
    const data = ctx.services.get(ConversationsData);
    const conv = await data.conversations.mustGet(actor.accountId, body.conversationId, { visitorId: actor.visitorId });
    const source = await data.messages.get(actor.accountId, body.messageId);
    if (!source || source.conversationId !== conv.id || source.private || (source.metadata as { responder?: string } | null)?.responder !== ctx.name) {
      throw BotErrors.notBotMessage('No bot message with this id in this conversation.');
    }
    const r = await data.messages.postback(actor, conv.id, { messageId: source.id, buttonId: body.buttonId });
    const m = r.message;
    const message = {
      id: m.id, conversationId: m.conversationId, seq: Number(m.seq), senderType: m.senderType, senderId: m.senderId, content: m.content, private: !!m.private,
      metadata: json(m.metadata ?? {}), createdAt: new Date(m.createdAt).toISOString(),
    };
    return reply.code(r.duplicate ? 200 : 201).send({ message });
  });
}
