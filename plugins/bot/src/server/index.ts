import { TagsService } from '@charla/plugin-tags';
import { RESPONDER_ORDER, Type, asFunction, asValue, definePlugin, type CharlaPlugin } from '@charla/core';
import { ConversationsData } from '@charla/plugin-conversations';
import { KnowledgeBaseService } from '@charla/plugin-knowledge-base';
import './extension.js';
import { ActionRunner } from './engine.js';
import { defineModels } from './models.js';
import { BotResponder } from './responder.js';
import { botRoutes } from './routes.js';
import { BotStore } from './rule-service.js';
import { BotButtonsBlock } from './schemas.js';
import { PatternRunner } from './text-match.js';

export { flowProblem } from './flow-validation.js';
export { fold, words, keywordsMatch, unsafePattern, PatternRunner, MAX_PATTERN_LENGTH, PATTERN_TIME_LIMIT_MS } from './text-match.js';
export { ruleTemplates, type RuleTemplate } from './templates.js';
export type { RuleView, FlowView } from './rule-service.js';
export type { Action, StepAction, Conditions, Trigger, FlowNode, FlowButton, RuleButton } from './schemas.js';

/**
 * The rule-based bot (docs/bot.md): ordered rules (a trigger, conditions, actions),
 * decision trees answered with buttons, article suggestions from the knowledge base, a
 * test console and per-rule stats. It answers as an automated responder, so the kernel
 * keeps it to one answer per visitor message and silent after an agent or a hand-off.
 */
const bot: CharlaPlugin = definePlugin({
  name: 'bot',
  version: '0.1.0',
  core: '^0.1.0',
  dependsOn: ['conversations'],
  uses: [ConversationsData],
  // Article suggestions when the knowledge base is on; without it the bot suggests nothing.
  optionalUses: [KnowledgeBaseService, TagsService],
  description: 'Keyword and out-of-hours rules, decision trees with buttons and article suggestions, answered as a bot',
  migrations: new URL('./migrations/', import.meta.url),
  blocks: { 'bot-buttons': BotButtonsBlock },
  settings: Type.Object({
    defaultLanguage: Type.Union([Type.Literal('es'), Type.Literal('en')], { default: 'es', title: 'Default language', description: 'The language of the bot\'s own words (e.g. above suggested articles) for visitors whose language is unknown' }),
  }),

  models(ctx) {
    ctx.container.register({ botModels: asValue(defineModels(ctx.db)) });
  },

  register(ctx) {
    ctx.container.register({
      botPatterns: asFunction(() => new PatternRunner()).singleton(),
      botStore: asFunction(() => new BotStore(ctx)).singleton(),
      botRunner: asFunction(({ botStore }) => new ActionRunner(ctx, (accountId, id) => (botStore as BotStore).findFlow(accountId, id))).singleton(),
      botResponder: asFunction(({ botStore, botRunner, botPatterns }) => new BotResponder(ctx, botStore as BotStore, botRunner as ActionRunner, botPatterns as PatternRunner)).singleton(),
    });
  },

  responder: {
    order: RESPONDER_ORDER.rules,
    respond: (turn, api, ctx) => ctx.container.cradle.botResponder.respond(turn, api),
  },

  routes: (app, ctx) => botRoutes(app, ctx),
});

export default bot;
