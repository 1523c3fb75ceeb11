import type { AiService } from './answerer.js';
import type { AiModels } from './models.js';
import type { Retrieval } from './retrieval.js';
import type { Usage } from './usage.js';

/** What the AI plugin adds to the kernel's typed container. */
declare module '@charla/core' {
  interface Cradle {
    aiModels: AiModels;
    aiRetrieval: Retrieval;
    aiUsage: Usage;
    aiService: AiService;
  }
}

export {};
