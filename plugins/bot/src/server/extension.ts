import type { BotModels } from './models.js';
import type { BotStore } from './rule-service.js';
import type { BotResponder } from './responder.js';
import type { ActionRunner } from './engine.js';
import type { PatternRunner } from './text-match.js';

/** What the bot plugin adds to the kernel's container. */
declare module '@charla/core' {
  interface Cradle {
    botModels: BotModels;
    botStore: BotStore;
    botRunner: ActionRunner;
    botPatterns: PatternRunner;
    botResponder: BotResponder;
  }
}

export {};
