import type { Logger } from 'pino';
import type { Database } from '../db/database.js';
import type { EventMap, EventName } from '../extension-points.js';
import type { Broker } from './broker.js';
import { accountOf, type AccountGate } from '../plugins/gate.js';

export type EventHandler<K extends EventName> = (payload: EventMap[K]) => void | Promise<void>;

/** Who on a channel may receive a realtime event. */
export type Audience = 'all' | 'agents' | 'visitors';

export interface RealtimeEnvelope {
  topic: string;
  channel: string;
  event: string;
  data: unknown;
  audience: Audience;
}

/**
 * Domain events and realtime broadcast.
 *
 * `emit` queues a domain event until the current transaction commits (dropped on
 * rollback); its handlers then run once, here, each isolated from the others' errors.
 * `publish` queues a realtime event for a channel the same way and hands it to the
 * broker, which carries it to sockets on every instance.
 */
export class EventBus {
  private readonly handlers = new Map<string, Array<{ owner: string; fn: EventHandler<never> }>>();
  private readonly pending = new Set<Promise<unknown>>();
  private gate?: AccountGate;

  constructor(private readonly db: Database, private readonly broker: Broker, private readonly logger: Logger) {}

  /** Installs the per-account gate (the plugin registry): a handler whose owner is off for the event's account does not run. */
  setGate(gate: AccountGate): void {
    this.gate = gate;
  }

  on<K extends EventName>(name: K, owner: string, fn: EventHandler<K>): void {
    const list = this.handlers.get(name) ?? [];
    list.push({ owner, fn: fn as unknown as EventHandler<never> });
    this.handlers.set(name, list);
  }

  emit<K extends EventName>(name: K, payload: EventMap[K]): void {
    this.db.afterCommit(() => this.dispatch(name, payload));
  }

  private dispatch<K extends EventName>(name: K, payload: EventMap[K]): void {
    for (const { owner, fn } of this.handlers.get(name) ?? []) {
      // Handlers are background work: their writes are never refused by the request
      // admission limit, even though they start from the request's commit.
      const accountId = accountOf(payload);
      const p = this.db.unlimitedWrites(() => Promise.resolve()
        .then(async () => {
          if (accountId && this.gate && !(await this.gate(owner, accountId))) return;
          await (fn as unknown as EventHandler<K>)(payload);
        }))
        .catch((err: unknown) => this.logger.error({ err, event: name, plugin: owner }, 'event handler failed'));
      this.pending.add(p);
      void p.finally(() => this.pending.delete(p));
    }
  }

  /** Sends `event` to the subscribers of `channel` (e.g. `conversation:<id>`) on every instance, after commit. */
  publish(channel: string, event: string, data: unknown, audience: Audience = 'all'): void {
    const msg: RealtimeEnvelope = { topic: `rt/${channel}`, channel, event, data, audience };
    this.db.afterCommit(() => {
      this.broker.publish(msg as never).catch((err: unknown) => this.logger.warn({ err, channel, event }, 'realtime publish failed'));
    });
  }

  /** Sends a system message to every instance (not to sockets). */
  system(topic: string, data: Record<string, unknown>): void {
    this.db.afterCommit(() => {
      this.broker.publish({ topic: `sys/${topic}`, ...data }).catch((err: unknown) => this.logger.warn({ err, topic }, 'system publish failed'));
    });
  }

  /** Resolves when every running handler has finished (tests, graceful shutdown). */
  async drain(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }
}
