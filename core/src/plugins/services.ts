import type { AwilixContainer, Resolver } from 'awilix';
import type { Cradle } from '../container.js';
import { PluginLoadError } from './loader.js';

/**
 * A typed key under which one plugin provides a service to others (Backstage's
 * `createServiceRef`). The type parameter travels with the ref, so
 * `ctx.services.get(ref)` is typed without a cast or a Cradle merge.
 */
export interface ServiceRef<T> {
  /** `<plugin>.<service>`, e.g. `conversations.data`. */
  readonly id: string;
  /** Type carrier only (never set). */
  readonly __type?: T;
}

const REF_ID = /^[a-z][a-z0-9-]*\.[a-zA-Z][a-zA-Z0-9-]*$/;

/** Declares a service reference; export it from the providing plugin's package. */
export function defineService<T>(id: string): ServiceRef<T> {
  if (!REF_ID.test(id)) throw new Error(`service id "${id}" is invalid: use "<plugin>.<service>", e.g. "conversations.data"`);
  return Object.freeze({ id }) as ServiceRef<T>;
}

/** What a plugin gets as `ctx.services`: provide what it declared in `provides`, get what it declared in `uses`/`optionalUses`. */
export interface PluginServices {
  /** Provides a service declared in this plugin's `provides` (in `register`). */
  provide<T>(ref: ServiceRef<T>, implementation: T): void;
  /** A service declared in `uses` (the boot refused to start without its provider). */
  get<T>(ref: ServiceRef<T>): T;
  /** A service declared in `optionalUses` (or `uses`): undefined when no enabled plugin provides it. */
  optional<T>(ref: ServiceRef<T>): T | undefined;
}

interface Declares {
  name: string;
  provides?: ReadonlyArray<ServiceRef<unknown>>;
  uses?: ReadonlyArray<ServiceRef<unknown>>;
  optionalUses?: ReadonlyArray<ServiceRef<unknown>>;
}

/**
 * The instance's service registry: who provides which ref (checked at boot, before any
 * plugin code runs) and the implementations, once provided.
 */
export class ServiceRegistry {
  private readonly providers = new Map<string, string>();
  private readonly impls = new Map<string, unknown>();

  /** Refuses two providers of one ref and a `uses` no enabled plugin provides. */
  constructor(plugins: ReadonlyArray<Declares>) {
    for (const p of plugins) {
      for (const ref of p.provides ?? []) {
        const other = this.providers.get(ref.id);
        if (other) throw new PluginLoadError(`plugin "${p.name}" provides service "${ref.id}", which plugin "${other}" already provides`);
        this.providers.set(ref.id, p.name);
      }
    }
    for (const p of plugins) {
      for (const ref of p.uses ?? []) {
        if (!this.providers.has(ref.id)) throw new PluginLoadError(`plugin "${p.name}" uses service "${ref.id}", which no enabled plugin provides`);
      }
    }
  }

  /** The plugin that provides `id`, if any (dependency order: providers before users). */
  providerOf(id: string): string | undefined {
    return this.providers.get(id);
  }

  /** Each plugin provided everything it declared (called once every plugin registered). */
  checkProvided(plugins: ReadonlyArray<Declares>): void {
    for (const p of plugins) {
      for (const ref of p.provides ?? []) {
        if (!this.impls.has(ref.id)) throw new PluginLoadError(`plugin "${p.name}" declares that it provides service "${ref.id}" but did not call ctx.services.provide() for it in register()`);
      }
    }
  }

  /** The `ctx.services` of one plugin. */
  forPlugin(p: Declares): PluginServices {
    const declared = (list: ReadonlyArray<ServiceRef<unknown>> | undefined, ref: ServiceRef<unknown>) => (list ?? []).some((r) => r.id === ref.id);
    const lookup = <T>(ref: ServiceRef<T>): T | undefined => {
      if (!this.impls.has(ref.id) && this.providers.has(ref.id)) {
        throw new Error(`plugin "${p.name}": service "${ref.id}" is not provided yet (plugin "${this.providers.get(ref.id)}" provides it in register(); use it from register() on, after its provider)`);
      }
      return this.impls.get(ref.id) as T | undefined;
    };
    return {
      provide: (ref, implementation) => {
        if (!declared(p.provides, ref)) throw new PluginLoadError(`plugin "${p.name}" provides service "${ref.id}" without declaring it in "provides"`);
        if (this.impls.has(ref.id)) throw new PluginLoadError(`plugin "${p.name}" provides service "${ref.id}" twice`);
        if (implementation === undefined || implementation === null) throw new PluginLoadError(`plugin "${p.name}" provides service "${ref.id}" as ${String(implementation)}`);
        this.impls.set(ref.id, implementation);
      },
      get: (ref) => {
        if (!declared(p.uses, ref)) throw new Error(`plugin "${p.name}" gets service "${ref.id}" without declaring it in "uses"`);
        return lookup(ref) as never;
      },
      optional: (ref) => {
        if (!declared(p.uses, ref) && !declared(p.optionalUses, ref)) throw new Error(`plugin "${p.name}" gets service "${ref.id}" without declaring it in "optionalUses"`);
        return lookup(ref);
      },
    };
  }
}

/** Keys core registers empty for exactly one plugin to fill (e.g. the conversations plugin's visitor authenticator). */
const FILLABLE = new Set<string>(['visitorAuthenticator', 'operatorAccountFigures']);

/**
 * The container a plugin gets: the root container, except that `register` refuses a
 * key that core or another plugin already registered (a plugin cannot replace the
 * mailer, the database or another plugin's service), naming both owners.
 */
export function guardedContainer(container: AwilixContainer<Cradle>, plugin: string, owners: Map<string, string>): AwilixContainer<Cradle> {
  const claim = (key: string) => {
    const owner = owners.get(key) ?? (key in container.registrations ? 'core' : undefined);
    if (owner === 'core' && FILLABLE.has(key)) {
      owners.set(key, plugin);
      return;
    }
    if (owner) throw new PluginLoadError(`plugin "${plugin}" registers "${key}" in the container, which ${owner === 'core' ? 'core' : `plugin "${owner}"`} already registered; choose another name (or provide a typed service: docs/plugins.md "Services between plugins")`);
    owners.set(key, plugin);
  };
  const register = (nameOrMap: string | symbol | Record<string, Resolver<unknown>>, resolver?: Resolver<unknown>) => {
    const keys = typeof nameOrMap === 'object' ? Object.keys(nameOrMap) : [String(nameOrMap)];
    for (const key of keys) claim(key);
    container.register(nameOrMap as never, resolver as never);
    return guarded;
  };
  const guarded: AwilixContainer<Cradle> = new Proxy(container, {
    get(target, prop, receiver) {
      if (prop === 'register') return register;
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return guarded;
}
