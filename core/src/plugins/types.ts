import type { AwilixContainer } from 'awilix';
import type { FastifyInstance } from 'fastify';
import type { TObject, TSchema } from '@sinclair/typebox';
import type { Logger } from 'pino';
import type { CharlaConfig } from '../config.js';
import type { Cradle } from '../container.js';
import type { PluginDatabase } from '../db/database.js';
import type { DomainEvent, EventBus, EventPattern, EventsMatching } from '../events/event-bus.js';
import type { EventMap, HookMap, HookName } from '../extension-points.js';
import type { HookRunner } from '../hooks/hook-runner.js';
import type { JobContext, JobQueue } from '../jobs/job-queue.js';
import type { ScheduleSpec } from '../jobs/schedule.js';
import type { Actor } from '../auth/actor.js';
import type { PluginServices, ServiceRef } from './services.js';
import type { ResponderDefinition } from './responders.js';
import type { AccountEntitlements } from '../accounts/entitlements.js';

/** What a plugin receives at every lifecycle step. */
export interface PluginContext {
  /** The plugin's name. */
  name: string;
  config: CharlaConfig;
  /** A pino child logger tagged with the plugin name. */
  logger: Logger;
  /**
   * The root DI container. Register with `asClass(...).singleton()` etc.; never capture
   * request-scoped values. Registering a key that core or another plugin already
   * registered is refused at boot (PluginLoadError).
   */
  container: AwilixContainer<Cradle>;
  /** Typed services between plugins: provide what `provides` declares, get what `uses`/`optionalUses` declare. */
  services: PluginServices;
  /** Models, `scope(accountId)` (with the tenant-bound `query`), transactions, `withoutTenant`. */
  db: PluginDatabase;
  events: EventBus;
  hooks: HookRunner;
  jobs: JobQueue;
  /**
   * What an account's plan (with its overrides) grants: `plan`, `plugins`, `limits`,
   * `entitlements`. Test one with `isEntitled(e, 'name')`; routes can declare
   * `config: { entitlement: 'name' }` instead.
   */
  entitlements: { for(accountId: string): Promise<AccountEntitlements> };
  /** Whether this plugin is on for an account (its plan includes it and nobody turned it off). */
  enabledFor(accountId: string): Promise<boolean>;
  /** This plugin's settings for an account, defaults filled in from `settings`. */
  settingsFor(accountId: string): Promise<Record<string, unknown>>;
}

/** Decides whether `actor` may subscribe to `<kind>:<id>`. */
export type ChannelAuthorizer = (actor: Actor, id: string, ctx: PluginContext) => boolean | Promise<boolean>;

export type PluginHookHandlers = {
  [K in HookName]?: (payload: HookMap[K], ctx: PluginContext) => void | HookMap[K] | Promise<void | HookMap[K]>;
};
/**
 * Durable domain-event handlers, by event name, family (`'conversation.*'`) or `'*'`:
 * each runs from the outbox at least once per event (retried with backoff, also after a
 * crash), so it must be idempotent — `event.id` is the key to use.
 */
export type PluginEventHandler<P extends EventPattern> = (payload: EventMap[EventsMatching<P>], ctx: PluginContext, event: DomainEvent<EventsMatching<P>>) => void | Promise<void>;
/**
 * A durable handler with a filter: `when` runs as the event is emitted (in its
 * transaction, before the commit) and, answering false, writes no delivery at all — so
 * a handler interested in few of many events costs no job per event.
 */
export interface PluginEventSubscription<P extends EventPattern> {
  when: (payload: EventMap[EventsMatching<P>], ctx: PluginContext, name: EventsMatching<P>) => boolean | Promise<boolean>;
  handle: PluginEventHandler<P>;
}
export type PluginEventHandlers = {
  [P in EventPattern]?: PluginEventHandler<P> | PluginEventSubscription<P>;
};

/** An admin UI contribution (compiled into the admin at build time). */
export interface AdminContribution {
  /** Module path (relative to the package) that exports the plugin's routes, nav items and slot contributions. */
  entry: string;
}

/** Who a widget module is being delivered to (input of `WidgetContribution.data`). */
export interface WidgetVisitor {
  accountId: string;
  siteId: string;
  visitorId: string;
}

/**
 * A browser module the plugin adds to the chat widget, for the accounts where the plugin
 * is on (docs/plugins.md "Widget contributions"). Served by core at
 * `/widget/plugins/<name>/<content-hash>.js`; the widget imports it after boot and calls
 * its default export with a `WidgetPluginApi`.
 */
export interface WidgetContribution {
  /**
   * The built module: an absolute file path or a `file:` URL (string or URL) of a
   * self-contained browser ES module (no bare imports). Checked at boot; e.g.
   * `new URL('../../dist/widget/index.js', import.meta.url)`.
   */
  script: string | URL;
  /**
   * Per-visitor data handed to the module at boot (`api.data`), computed during
   * `POST /api/v1/widget/init`. It is sent to the visitor's browser: public values only,
   * never secrets. Must be a JSON object (at most 16 KB) and answer within 2 s; when it
   * throws, times out or returns something else, the plugin is left out of that boot
   * (logged) and the widget starts anyway.
   */
  data?(ctx: PluginContext, visitor: WidgetVisitor): Record<string, unknown> | Promise<Record<string, unknown>>;
  /**
   * Load the module before the visitor interacts (right after the widget boots), for
   * notices and triggers. By default (`false`) a module loads when the messenger first
   * opens, so it adds nothing to a page where nobody opens the chat.
   */
  eager?: boolean;
}

export interface CharlaPlugin {
  /** Unique, kebab-case. Other plugins name it in `dependsOn`. */
  name: string;
  version: string;
  /** Semver range of @charla/core this plugin works with (e.g. "^0.1.0"). */
  core?: string;
  dependsOn?: string[];
  /** Services this plugin provides (`ctx.services.provide(ref, impl)` in `register`); one provider per ref per instance. */
  provides?: ReadonlyArray<ServiceRef<unknown>>;
  /** Services this plugin needs: the boot is refused when no enabled plugin provides one; providers are ordered first. */
  uses?: ReadonlyArray<ServiceRef<unknown>>;
  /** Services this plugin uses when present (`ctx.services.optional(ref)` is undefined otherwise). */
  optionalUses?: ReadonlyArray<ServiceRef<unknown>>;
  /** Part of the core product: always on, cannot be turned off per account. */
  required?: boolean;
  description?: string;
  /** Folder of umzug migration files (`<timestamp>-<name>.js`), run after core's and after those of the plugins it depends on. */
  migrations?: string | URL;
  /** Define Sequelize models with `ctx.db.define(...)` (tenant tables by default). */
  models?(ctx: PluginContext): void;
  /** DI registrations. */
  register?(ctx: PluginContext): void;
  /** HTTP routes, mounted in their own Fastify encapsulation context. */
  routes?(app: FastifyInstance, ctx: PluginContext): void | Promise<void>;
  hooks?: PluginHookHandlers;
  events?: PluginEventHandlers;
  /**
   * The domain events this plugin emits, with the TypeBox schema of each payload: added
   * to the runtime catalogue (`ctx.events.catalogue()`, `GET /api/v1/events/catalogue`)
   * that webhooks and the admin offer. Declare the payload type in `EventMap` too.
   */
  emits?: Record<string, TSchema>;
  /** Job handlers, registered as `<plugin name>.<key>` (enqueue with `ctx.jobs.enqueue('<name>.<key>', …)`). */
  jobs?: Record<string, (payload: Record<string, unknown>, job: JobContext, ctx: PluginContext) => Promise<void>>;
  /**
   * Runs some of `jobs` on a schedule, once per slot across all instances:
   * `{ sweep: { every: '15s' } }` or `{ digest: { cron: '0 8 * * *' } }` (UTC). Each key
   * names a job in `jobs`. Use instead of `setInterval`, which would run on every instance
   * and outlive a closed server.
   */
  schedules?: Record<string, ScheduleSpec>;
  /** Realtime channel kinds this plugin adds (e.g. `{ queue: (actor, id) => … }` for `queue:<id>`). */
  channels?: Record<string, ChannelAuthorizer>;
  /**
   * An automated responder: asked, in `order`, after each visitor message is stored, and
   * may answer as sender `bot`, claim the conversation or hand it off (docs/plugins.md
   * "Automated responders").
   */
  responder?: ResponderDefinition;
  /**
   * Message block types this plugin owns, by type name (unique across plugins), each
   * with the TypeBox schema a block of `metadata.blocks` is checked against when a
   * message is stored (docs/plugins.md "Message blocks").
   */
  blocks?: Record<string, TSchema>;
  /** Per-account settings schema; the admin renders a form from it. */
  settings?: TObject;
  admin?: AdminContribution;
  /** A browser module that runs in the chat widget (on customers' pages) for accounts where the plugin is on. */
  widget?: WidgetContribution;
  /** After every plugin is registered and the server is ready to listen. */
  onReady?(ctx: PluginContext): void | Promise<void>;
  /** On shutdown, in reverse order. */
  onClose?(ctx: PluginContext): void | Promise<void>;
}
