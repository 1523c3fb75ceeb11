import { createContainer, InjectionMode, type AwilixContainer } from 'awilix';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { CharlaConfig } from './config.js';
import type { PluginDatabase } from './db/database.js';
import type { CoreModels } from './db/core-models.js';
import type { EventBus } from './events/event-bus.js';
import type { Broker } from './events/broker.js';
import type { HookRunner } from './hooks/hook-runner.js';
import type { JobQueue } from './jobs/job-queue.js';
import type { Mailer } from './mail/mailer.js';
import type { TokenService } from './auth/tokens.js';
import type { RateLimiter } from './http/rate-limiter.js';
import type { Clock } from './clock.js';
import type { AuthService } from './auth/auth-service.js';
import type { ApiKeyService } from './auth/api-keys.js';
import type { TeamService } from './accounts/team-service.js';
import type { SiteService } from './sites/site-service.js';
import type { Presence } from './realtime/presence.js';
import type { RealtimeGateway } from './realtime/gateway.js';
import type { PluginRegistry } from './plugins/plugin-registry.js';
import type { ResponderRegistry } from './plugins/responders.js';
import type { MessageBlockCatalogue } from './plugins/message-blocks.js';
import type { EntitlementService } from './accounts/entitlements.js';
import type { WidgetContributionService } from './plugins/widget-contributions.js';
import type { Actor, VisitorActor } from './auth/actor.js';
import type { TokenClaims } from './auth/tokens.js';
import type { OperatorAccountFigures } from './auth/operator.js';

/** Checks a visitor token's claims against the store (registered by the conversations plugin). */
export type VisitorAuthenticator = (claims: TokenClaims) => Promise<VisitorActor | null>;

/**
 * The DI registry. Plugins add their services by declaration merging:
 *   declare module '@charla/core' { interface Cradle { conversations: ConversationService } }
 */
export interface Cradle {
  config: CharlaConfig;
  logger: Logger;
  clock: Clock;
  /** The plugin view of the database (no Sequelize instance, no unguarded raw SQL). */
  db: PluginDatabase;
  models: CoreModels;
  broker: Broker;
  redis: Redis | null;
  events: EventBus;
  hooks: HookRunner;
  jobs: JobQueue;
  mailer: Mailer;
  tokens: TokenService;
  rateLimiter: RateLimiter;
  auth: AuthService;
  /** The account's API keys; `authenticate` resolves a presented key to its actor. */
  apiKeys: ApiKeyService;
  team: TeamService;
  sites: SiteService;
  presence: Presence;
  realtime: RealtimeGateway;
  visitorAuthenticator: VisitorAuthenticator | null;
  /** Filled by one plugin (billing): the activity figures of the operator's account list. */
  operatorAccountFigures: OperatorAccountFigures | null;
  pluginRegistry: PluginRegistry;
  /** The plugins' automated responders, in order (run by the conversations plugin after a visitor message). */
  responders: ResponderRegistry;
  /** The plugins' message block types (`metadata.blocks`), checked when a message is stored. */
  messageBlocks: MessageBlockCatalogue;
  entitlements: EntitlementService;
  /** The plugins' widget modules: `forVisitor()` lists those a visitor's widget loads (widget boot). */
  widgetContributions: WidgetContributionService;
  /** Request scope only: the account the request acts in (null when anonymous). */
  tenant: string | null;
  /** Request scope only: who is calling. */
  actor: Actor | null;
}

export function createRootContainer(): AwilixContainer<Cradle> {
  return createContainer<Cradle>({ injectionMode: InjectionMode.PROXY, strict: true });
}
