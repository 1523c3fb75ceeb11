import { RESPONDER_ORDER, Type, asFunction, asValue, definePlugin, type CharlaPlugin, type PluginContext } from '@charla/core';
import { ConversationsData } from '@charla/plugin-conversations';
import { KnowledgeBaseService } from '@charla/plugin-knowledge-base';
import './extension.js';
import { AiService } from './answerer.js';
import { defineModels } from './models.js';
import { INDEX_JOB, Retrieval } from './retrieval.js';
import { aiRoutes } from './routes.js';
import { AiSettingsSchema, configured, readOptions, type AiSettings } from './settings.js';
import { Usage } from './usage.js';

export { AiSettingsSchema, readOptions, baseUrlAllowed } from './settings.js';
export type { AiSettings, AiOptions } from './settings.js';
export type { AiService, Answer, Source } from './answerer.js';
export { chunkArticle, cosine } from './retrieval.js';

/** An article's change: (re)embed it soon, once, when the account has an embedding model. */
async function articleChanged(ctx: PluginContext, accountId: string, articleId: string): Promise<void> {
  const settings = (await ctx.settingsFor(accountId)) as AiSettings;
  if (!configured(settings) || !settings.embeddingModel) return;
  await ctx.jobs.enqueue(INDEX_JOB, { accountId, articleId }, { accountId, dedupeKey: `ai-index:${articleId}` });
}

/**
 * AI answers: a visitor message no bot rule answered is answered from the account's
 * knowledge base by any OpenAI-compatible model (langchain), with citations, or handed
 * to the team with a summary. Does nothing until an admin sets a provider and turns it
 * on. See docs/ai.md.
 */
const ai: CharlaPlugin = definePlugin({
  name: 'ai',
  version: '0.1.0',
  core: '^0.1.0',
  dependsOn: ['conversations', 'knowledge-base'],
  uses: [ConversationsData, KnowledgeBaseService],
  description: 'Answers visitors from your knowledge base with any OpenAI-compatible model (OpenAI, Ollama, vLLM…), cites articles, hands off to your team',
  migrations: new URL('./migrations/', import.meta.url),
  settings: AiSettingsSchema,
  blocks: {
    // An article the answer used: the widget shows its title as a card.
    'ai-source': Type.Object({
      type: Type.Literal('ai-source'), articleId: Type.String({ maxLength: 36 }), slug: Type.String({ maxLength: 100 }), title: Type.String({ maxLength: 200 }),
    }, { additionalProperties: false }),
  },

  models(ctx) {
    ctx.container.register({ aiModels: asValue(defineModels(ctx.db)) });
  },

  register(ctx) {
    const options = readOptions();
    ctx.container.register({
      aiRetrieval: asFunction(({ aiModels }) => new Retrieval(ctx, aiModels)).singleton(),
      aiUsage: asFunction(({ aiModels }) => new Usage(ctx, aiModels, options)).singleton(),
      aiService: asFunction(({ aiRetrieval, aiUsage }) => new AiService(ctx, aiRetrieval, aiUsage, options)).singleton(),
    });
  },

  responder: {
    order: RESPONDER_ORDER.ai,
    respond: (turn, api, ctx) => ctx.container.cradle.aiService.respond(turn, api),
  },

  events: {
    'article.published': (p, ctx) => articleChanged(ctx, p.accountId, p.articleId),
    'article.updated': (p, ctx) => articleChanged(ctx, p.accountId, p.articleId),
    'article.unpublished': (p, ctx) => articleChanged(ctx, p.accountId, p.articleId),
    'article.deleted': (p, ctx) => articleChanged(ctx, p.accountId, p.articleId),
  },

  // Enqueued with an `accountId`: core skips them where the plugin is off.
  jobs: {
    async 'index-article'(payload, job, ctx) {
      const { accountId, articleId } = payload as { accountId: string; articleId: string };
      const service = ctx.container.cradle.aiService;
      const settings = await service.settings(accountId);
      if (!settings.baseUrl || !service.allowed(settings)) return;
      await ctx.container.cradle.aiRetrieval.indexArticle(accountId, articleId, service.provider(settings), job.signal);
      await job.extendLease();
    },
    async reindex(payload, _job, ctx) {
      const accountId = String(payload.accountId);
      const settings = await ctx.container.cradle.aiService.settings(accountId);
      await ctx.container.cradle.aiRetrieval.enqueueAll(accountId, settings.embeddingModel);
    },
  },

  routes: (app, ctx) => aiRoutes(app, ctx),
});

export default ai;
