/**
 * @charla/core — the public plugin API. Plugins (built-in ones included) import only
 * from here (and `@charla/core/testing` in tests); the lint rule
 * `no-restricted-imports` forbids reaching into core's internals.
 */
export { createServer, CORE_VERSION, type CreateServerOptions, type CharlaHandle } from './server.js';
export { loadConfig, ConfigError, ConfigSchema, BUILT_IN_PLUGINS, type CharlaConfig, type ConfigOverrides } from './config.js';
export { definePlugin } from './plugins/define-plugin.js';
export { PluginLoadError } from './plugins/loader.js';
export { isEntitled, includesPlugin, entitlementRequired, EntitlementErrors, type AccountEntitlements, type PlanDefinition, type EntitlementValue, type EntitlementService } from './accounts/entitlements.js';
export { defineService, type ServiceRef, type PluginServices } from './plugins/services.js';
export { MAX_MESSAGE_BLOCKS, type MessageBlock, type MessageBlockCatalogue } from './plugins/message-blocks.js';
export { RESPONDER_ORDER, type ResponderDefinition, type ResponderTurn, type ResponderApi, type ResponderHandOff, type ResponderRegistry, type RegisteredResponder } from './plugins/responders.js';
export type { CharlaPlugin, PluginContext, ChannelAuthorizer, PluginEventHandlers, PluginEventHandler, PluginEventSubscription, PluginHookHandlers, AdminContribution, WidgetContribution, WidgetVisitor } from './plugins/types.js';
export type { WidgetContributionService, WidgetModuleRef } from './plugins/widget-contributions.js';
export type { WidgetPluginApi, WidgetPluginModule, WidgetPluginSetup, WidgetPluginCleanup, WidgetPluginEvent, WidgetPluginEventPayloads, WidgetPluginMessage, WidgetNotice, WidgetPage, WidgetProblem, WidgetPanel, WidgetPanelContext, WidgetPanelHandle, WidgetPanelElement, WidgetSuggestion, WidgetBlockContext, HTMLElementLike } from './plugins/widget-plugin-api.js';
export type { HookMap, EventMap, HookName, EventName } from './extension-points.js';
export type { Cradle, VisitorAuthenticator } from './container.js';
export { CharlaError, defineError, CoreErrors } from './errors.js';
export { API_KEY_SCOPES, type Actor, type AgentActor, type VisitorActor, type ApiKeyActor, type ApiKeyScope, type Role } from './auth/actor.js';
export type { TokenClaims, TokenService } from './auth/tokens.js';
export type { PluginDatabase, Dialect, JsonCondition } from './db/database.js';
export type { TenantScope } from './db/tenancy.js';
export type { MigrationContext } from './db/migrator.js';
export { newId, randomToken, isId } from './db/ids.js';
export type { EventBus, Audience, DomainEvent, DurableEventHandler, EventFilter, SubscribeOptions, EventPattern, EventsMatching, EventDefinition } from './events/event-bus.js';
export type { HookRunner } from './hooks/hook-runner.js';
export type { JobQueue, JobContext, JobHandler, EnqueueOptions, JobAbortReason } from './jobs/job-queue.js';
export type { ScheduleSpec } from './jobs/schedule.js';
export type { Mailer, MailMessage } from './mail/mailer.js';
export type { RateLimiter, Limit } from './http/rate-limiter.js';
export { tooMany } from './http/rate-limiter.js';
export { agentOf, agentOrKeyOf, visitorOf, type AuthKind } from './http/request-auth.js';
export { operatorOf, type OperatorScope, type OperatorAccountFigures, type AccountActivity } from './auth/operator.js';
export { problems, Email, Id, Name } from './http/schemas.js';
export { sendProblem } from './http/problem.js';
export type { SiteService, WidgetConfig, PublicSite } from './sites/site-service.js';
export { originMatchesDomain } from './sites/site-service.js';
export { isWithinOfficeHours, type OfficeHours } from './sites/office-hours.js';
export type { SiteAttrs, UserAttrs, AccountAttrs, CoreModels } from './db/core-models.js';
export type { Presence, PresenceKind, RoomMember } from './realtime/presence.js';
export type { RealtimeGateway, RealtimeSocket, OpHandler, ChannelAuthorize } from './realtime/gateway.js';
export { CLOSE } from './realtime/gateway.js';
export { ManualClock, systemClock, type Clock } from './clock.js';
export { Type, type Static, type TSchema, type TObject } from '@sinclair/typebox';
// fn/col: aggregates in model queries (`attributes: [[fn('COUNT', col('id')), 'n']]`); no `literal`, no Sequelize instance.
export { DataTypes, Op, fn, col, type Model, type ModelStatic } from 'sequelize';
export { asClass, asFunction, asValue } from 'awilix';
