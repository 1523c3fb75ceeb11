import { Type, agentOf, isId, problems, visitorOf, type PluginContext } from '@charla/core';
import { ConversationsData } from '@charla/plugin-conversations';
import type { FastifyInstance } from 'fastify';
import { AiErrors } from './errors.js';
import { chat, embed, ProviderError } from './provider.js';

const SourceSchema = Type.Object({ articleId: Type.String(), title: Type.String(), slug: Type.String() });
const TestBody = Type.Object({
  question: Type.String({ minLength: 1, maxLength: 2000, description: 'What a visitor might ask' }),
  locale: Type.Optional(Type.Union([Type.Literal('es'), Type.Literal('en')], { description: 'The visitor\'s language (default: from the question)' })),
}, { additionalProperties: false });
const TestAnswer = Type.Object({
  answer: Type.String(), sources: Type.Array(SourceSchema), handoff: Type.Boolean(),
  reason: Type.Optional(Type.String({ description: 'Why it would hand off: person, no-article, unsure, leak, empty, provider, budget, not-allowed' })),
});
const FeedbackBody = Type.Object({ messageId: Type.String({ minLength: 1, maxLength: 64 }), helpful: Type.Boolean() }, { additionalProperties: false });
const StatsQuery = Type.Object({
  from: Type.Optional(Type.String({ maxLength: 40, description: 'A date or ISO time (default: 30 days ago)' })),
  to: Type.Optional(Type.String({ maxLength: 40, description: 'A date or ISO time (default: now)' })),
}, { additionalProperties: false });
const StatsSchema = Type.Object({
  answers: Type.Integer(), resolved: Type.Integer({ description: 'Conversations answered by the AI without a hand-off or an agent reply' }), handedOff: Type.Integer(),
  helpful: Type.Integer(), notHelpful: Type.Integer(), promptTokens: Type.Integer(), completionTokens: Type.Integer(),
});
const Check = Type.Object({ ok: Type.Boolean(), error: Type.Optional(Type.String()), dimensions: Type.Optional(Type.Integer()) });
const IdParam = Type.Object({ id: Type.String({ maxLength: 64 }) });

function dateParam(raw: string | undefined, fallback: Date, name: string): Date {
  if (raw === undefined) return fallback;
  const d = new Date(raw);
  if (!/^\d{4}-\d{2}-\d{2}/.test(raw) || Number.isNaN(d.getTime())) throw AiErrors.badRange(`${name} must be a date (2026-12-01) or an ISO time.`);
  return d;
}

/** The AI plugin's HTTP API (API-features.md § AI, plus test-connection and agent assist: docs/ai.md). */
export async function aiRoutes(app: FastifyInstance, ctx: PluginContext): Promise<void> {
  const c = ctx.container.cradle;
  const tags = ['ai'];
  const admin = { auth: 'agent' as const, roles: ['owner' as const, 'admin' as const] };

  app.post('/api/v1/ai/test', {
    config: admin,
    schema: { tags, summary: 'Playground: what the AI would answer, touching no conversation', body: TestBody, response: { 200: TestAnswer, ...problems(400, 401, 403, 409, 429) } },
  }, async (request) => {
    const { accountId } = agentOf(request);
    const { question, locale } = request.body as { question: string; locale?: string };
    const settings = await c.aiService.ready(accountId);
    const result = await c.aiService.answer(accountId, question, { locale, settings, signal: request.raw.aborted ? AbortSignal.abort() : undefined });
    await c.aiUsage.record(accountId, { kind: 'test', reason: result.reason, promptTokens: result.promptTokens, completionTokens: result.completionTokens });
    return { answer: result.answer, sources: result.sources, handoff: result.handoff, ...(result.reason ? { reason: result.reason } : {}) };
  });

  app.post('/api/v1/ai/test-connection', {
    config: admin,
    schema: { tags, summary: 'Checks the saved provider: one tiny chat completion, and one embedding when an embedding model is set', response: { 200: Type.Object({ chat: Check, embeddings: Type.Union([Check, Type.Null()]) }), ...problems(400, 401, 403, 409) } },
  }, async (request) => {
    const { accountId } = agentOf(request);
    const settings = await c.aiService.settings(accountId);
    if (!settings.baseUrl || !settings.model) throw AiErrors.notConfigured('Set the provider\'s base URL and chat model in the AI settings first.');
    if (!c.aiService.allowed(settings)) throw AiErrors.baseUrlNotAllowed('This provider URL is not among those the operator allows (AI_ALLOWED_BASE_URLS).');
    const provider = c.aiService.provider(settings);
    const fail = (err: unknown) => ({ ok: false, error: err instanceof ProviderError ? err.message : 'The provider answered something unexpected.' });
    const chatCheck = await chat(provider, [{ role: 'user', content: 'Reply with: ok' }], { maxTokens: 5 }).then(() => ({ ok: true }), fail);
    const embeddings = settings.embeddingModel
      ? await embed(provider, ['ok']).then((v) => ({ ok: true, dimensions: v[0].length }), fail)
      : null;
    return { chat: chatCheck, embeddings };
  });

  app.get('/api/v1/ai/stats', {
    config: admin,
    schema: { tags, summary: 'Answers, resolved without an agent, hand-offs, feedback and tokens in a range', querystring: StatsQuery, response: { 200: StatsSchema, ...problems(400, 401, 403) } },
  }, async (request) => {
    const q = request.query as { from?: string; to?: string };
    const now = c.clock.now();
    const to = dateParam(q.to, now, 'to');
    const from = dateParam(q.from, new Date(to.getTime() - 30 * 86_400_000), 'from');
    if (from > to) throw AiErrors.badRange('from must not be after to.');
    if (to.getTime() - from.getTime() > 366 * 86_400_000) throw AiErrors.badRange('The range may span at most 366 days.');
    return c.aiUsage.stats(agentOf(request).accountId, from, to);
  });

  app.post('/api/v1/ai/conversations/:id/suggested-reply', {
    config: { auth: 'agent' as const },
    schema: { tags, summary: 'Agent assist: a reply to the last visitor message, grounded in the knowledge base (empty when the articles do not answer it)', params: IdParam, response: { 200: Type.Object({ reply: Type.String(), sources: Type.Array(SourceSchema) }), ...problems(400, 401, 403, 404, 409, 429, 502) } },
  }, async (request) => {
    const { id } = request.params as { id: string };
    if (!isId(id)) throw AiErrors.conversationNotFound('No conversation with this id.');
    return c.aiService.suggestReply(agentOf(request).accountId, id);
  });

  app.post('/api/v1/ai/conversations/:id/summary', {
    config: { auth: 'agent' as const },
    schema: { tags, summary: 'Agent assist: a short summary of the conversation', params: IdParam, response: { 200: Type.Object({ summary: Type.String() }), ...problems(400, 401, 403, 404, 409, 429, 502) } },
  }, async (request) => {
    const { id } = request.params as { id: string };
    if (!isId(id)) throw AiErrors.conversationNotFound('No conversation with this id.');
    return c.aiService.summarize(agentOf(request).accountId, id);
  });

  app.post('/api/v1/widget/ai/feedback', {
    config: { auth: 'visitor' as const, cors: true },
    schema: { tags: ['widget', ...tags], summary: '"Did this answer help?" on an AI answer of the visitor\'s conversation (the latest counts)', body: FeedbackBody, response: { 202: Type.Null(), ...problems(400, 401, 403, 404) } },
  }, async (request, reply) => {
    const actor = visitorOf(request);
    const { messageId, helpful } = request.body as { messageId: string; helpful: boolean };
    const data = ctx.services.get(ConversationsData);
    const message = isId(messageId) ? await data.messages.get(actor.accountId, messageId) : null;
    const conv = message ? await data.conversations.get(actor.accountId, message.conversationId) : null;
    const isAiAnswer = message && !message.private && message.senderType === 'bot' && message.metadata?.responder === ctx.name;
    if (!message || !conv || conv.visitorId !== actor.visitorId || !isAiAnswer) throw AiErrors.messageNotFound('No AI answer with this id in your conversations.');
    await c.db.transaction(async () => {
      const scope = c.db.scope(actor.accountId);
      const updated = await scope.update(c.aiModels.Feedback, { helpful }, { id: message.id });
      if (!updated) await scope.create(c.aiModels.Feedback, { id: message.id, conversationId: conv.id, helpful });
    });
    return reply.code(202).send();
  });
}
