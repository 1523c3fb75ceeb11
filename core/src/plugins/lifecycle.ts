import type { AwilixContainer } from 'awilix';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { CharlaConfig } from '../config.js';
import type { Cradle } from '../container.js';
import type { Database } from '../db/database.js';
import type { MigrationSource } from '../db/migrator.js';
import type { DomainEvent, EventBus, EventPattern } from '../events/event-bus.js';
import type { HookName } from '../extension-points.js';
import type { JobQueue } from '../jobs/job-queue.js';
import type { RealtimeGateway } from '../realtime/gateway.js';
import { PluginErrors, type PluginRegistry } from './plugin-registry.js';
import { guardedContainer, type ServiceRegistry } from './services.js';
import type { CharlaPlugin, PluginContext } from './types.js';

export interface LifecycleDeps {
  config: CharlaConfig;
  logger: Logger;
  container: AwilixContainer<Cradle>;
  db: Database;
  events: EventBus;
  jobs: JobQueue;
  registry: PluginRegistry;
  /** Made (and so checked) before anything was opened: a plugin set it refuses leaks nothing. */
  services: ServiceRegistry;
  /**
   * Closes what the server opened so far; called when a plugin is refused while it
   * defines models or registers (e.g. a container key already taken), so the caller can
   * exit or try again.
   */
  abort(): Promise<void>;
}

/**
 * The plugin lifecycle, in its order (docs/plugins.md "Lifecycle"): one context per
 * plugin; `emits` into the event catalogue; `models`; migration sources; `register`,
 * then hooks, durable event subscriptions, jobs, schedules and channels; routes (each
 * plugin in its own encapsulation context, behind the per-account gate); `onReady`;
 * `onClose` in reverse order. `createServer` only composes: it calls these steps
 * between its own.
 */
export class PluginLifecycle {
  private readonly contexts = new Map<string, PluginContext>();
  /** Which plugin registered each container key (a second registration is refused). */
  private readonly containerOwners = new Map<string, string>();
  private readonly services: ServiceRegistry;

  constructor(readonly plugins: CharlaPlugin[], private readonly d: LifecycleDeps) {
    this.services = d.services;
  }

  /** The context a plugin receives at every step (one per plugin, made on first use). */
  contextFor(p: CharlaPlugin): PluginContext {
    let ctx = this.contexts.get(p.name);
    if (!ctx) {
      const { config, logger, container, db, events, jobs, registry } = this.d;
      ctx = {
        name: p.name, config, logger: logger.child({ plugin: p.name }), container: guardedContainer(container, p.name, this.containerOwners),
        services: this.services.forPlugin(p), db: db.forPlugins(), events, hooks: container.cradle.hooks, jobs,
        entitlements: { for: (accountId) => container.cradle.entitlements.for(accountId) },
        enabledFor: (accountId) => registry.isEnabled(accountId, p.name),
        settingsFor: (accountId) => registry.settings(accountId, p.name),
      };
      this.contexts.set(p.name, ctx);
    }
    return ctx;
  }

  /** Adds what each plugin `emits` to the event catalogue (names were checked before anything connected). */
  defineEvents(): void {
    for (const p of this.plugins) for (const [name, schema] of Object.entries(p.emits ?? {})) this.d.events.define(name, schema, p.name);
  }

  /** Step 1: every plugin's models, in dependency order. */
  async models(): Promise<void> {
    for (const p of this.plugins) await this.step(() => p.models?.(this.contextFor(p)));
  }

  /** Step 2: the plugins' migration folders, in dependency order (after core's). */
  migrationSources(): MigrationSource[] {
    return this.plugins.flatMap((p) => (p.migrations ? [{ owner: p.name, dir: p.migrations }] : []));
  }

  /** Step 3: DI registrations, then hooks, durable event subscriptions, jobs, schedules and channels. */
  async register(gateway: RealtimeGateway): Promise<void> {
    const { container, events, jobs } = this.d;
    for (const p of this.plugins) {
      const ctx = this.contextFor(p);
      await this.step(() => {
        p.register?.(ctx);
        this.services.checkProvided([p]);
      });
      for (const [name, fn] of Object.entries(p.hooks ?? {})) container.cradle.hooks.on(name as HookName, p.name, ((payload: never) => (fn as (a: unknown, c: PluginContext) => unknown)(payload, ctx)) as never);
      // Durable: each handler runs from the outbox, at least once, gated per account.
      for (const [pattern, entry] of Object.entries(p.events ?? {})) {
        const { handle, when } = (typeof entry === 'function' ? { handle: entry } : entry) as { handle: (a: unknown, c: PluginContext, e: DomainEvent) => unknown; when?: (a: unknown, c: PluginContext, n: string) => boolean | Promise<boolean> };
        events.subscribe(pattern as EventPattern, p.name, ((payload: never, event: DomainEvent) => handle(payload, ctx, event)) as never, when ? { when: ((name: string, payload: unknown) => when(payload, ctx, name)) as never } : {});
      }
      for (const [type, fn] of Object.entries(p.jobs ?? {})) jobs.register<Record<string, unknown>>(`${p.name}.${type}`, (payload, job) => fn(payload, job, ctx), p.name);
      for (const [type, spec] of Object.entries(p.schedules ?? {})) jobs.schedule(`${p.name}.${type}`, spec);
      for (const [kind, authorize] of Object.entries(p.channels ?? {})) gateway.registerChannel(kind, (actor, id) => authorize(actor, id, ctx));
      if (p.responder) container.cradle.responders.add(p.name, p.responder, ctx);
    }
  }

  /** Step 4: each plugin's routes in its own encapsulation context; an account without the plugin gets a 404. */
  async routes(app: FastifyInstance): Promise<void> {
    const { registry } = this.d;
    for (const p of this.plugins) {
      if (!p.routes) continue;
      const ctx = this.contextFor(p);
      await app.register(async (child) => {
        if (!p.required) {
          // Runs after authentication.
          child.addHook('onRequest', async (request) => {
            if (request.actor && !(await registry.isEnabled(request.actor.accountId, p.name))) {
              throw PluginErrors.disabled(`The "${p.name}" feature is not enabled for this account (Settings → Plugins).`);
            }
          });
        }
        await p.routes!(child, ctx);
      });
    }
  }

  /** Step 5: the server is ready. */
  async ready(): Promise<void> {
    for (const p of this.plugins) await p.onReady?.(this.contextFor(p));
  }

  /** Runs a boot step of a plugin; when it is refused, closes what was opened and rethrows. */
  private async step(fn: () => void): Promise<void> {
    try {
      fn();
    } catch (err) {
      await this.d.abort();
      throw err;
    }
  }

  /** Shutdown: `onClose` in reverse order. */
  async close(): Promise<void> {
    for (const p of [...this.plugins].reverse()) await p.onClose?.(this.contextFor(p));
  }
}
