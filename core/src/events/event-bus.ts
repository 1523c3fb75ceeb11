import type { Logger } from 'pino';
import type { Transaction } from 'sequelize';
import type { TSchema } from '@sinclair/typebox';
import type { Database } from '../db/database.js';
import { newId } from '../db/ids.js';
import type { EventMap, EventName } from '../extension-points.js';
import type { JobQueue } from '../jobs/job-queue.js';
import type { Clock } from '../clock.js';
import type { Broker } from './broker.js';
import { accountOf, type AccountGate } from '../plugins/gate.js';

export type EventHandler<K extends EventName> = (payload: EventMap[K]) => void | Promise<void>;

type PrefixOf<K> = K extends `${infer P}.${string}` ? P : never;
/** What a durable subscription listens to: one event, every event (`'*'`) or a family (`'conversation.*'`). */
export type EventPattern = EventName | '*' | `${PrefixOf<EventName>}.*`;
/** The event names a pattern matches. */
export type EventsMatching<P extends EventPattern> = P extends '*' ? EventName : P extends `${infer Pre}.*` ? Extract<EventName, `${Pre}.${string}`> : Extract<P, EventName>;

/** One delivery of a domain event to a durable handler. */
export interface DomainEvent<K extends EventName = EventName> {
  /** The event's id, the same on every delivery and for every handler: the idempotency key. */
  id: string;
  name: K;
  /** 1 on the first delivery; more when an earlier one failed or its instance crashed. */
  attempt: number;
  /** When it was emitted (ISO 8601). */
  emittedAt: string;
}
export type DurableEventHandler<K extends EventName> = (payload: EventMap[K], event: DomainEvent<K>) => void | Promise<void>;
/**
 * Decides, when an event is emitted (in its transaction, just before the commit), whether
 * a delivery to this subscription is written at all: false writes no job. Use it to skip
 * events nobody wants (webhooks: no enabled endpoint of the account selected the event).
 */
export type EventFilter<K extends EventName> = (name: K, payload: EventMap[K]) => boolean | Promise<boolean>;
export interface SubscribeOptions<K extends EventName> {
  when?: EventFilter<K>;
}

/** An entry of the event catalogue: the name, who emits it, and the TypeBox schema of its payload. */
export interface EventDefinition {
  name: string;
  owner: string;
  schema: TSchema;
}

type OutboxRow = Parameters<JobQueue['enqueueMany']>[0][number];

/** The job type that carries one event to one durable handler. */
export const EVENT_DELIVERY_JOB = 'core.event';

interface Delivery {
  id: string;
  name: EventName;
  payload: Record<string, unknown>;
  subscriber: string;
  emittedAt: string;
}

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
 * Domain events, their catalogue, and realtime broadcast.
 *
 * `emit` writes one delivery job per matching durable subscription (`subscribe`, what
 * plugins' `events` use) that wants it (owner on for the account, its `when` filter) in
 * the emitting transaction — the transactional outbox: the
 * deliveries exist exactly when the change committed, a crash after the commit loses
 * none, and each handler runs at least once (retried with backoff) on some instance,
 * with the event's id as idempotency key. In-process listeners (`on`) run after the
 * commit, here, once and best-effort. `publish` queues a realtime event for a channel
 * the same way and hands it to the broker, which carries it to sockets on every instance.
 */
export class EventBus {
  private readonly handlers = new Map<string, Array<{ owner: string; fn: EventHandler<never> }>>();
  private readonly subscriptions = new Map<string, { owner: string; pattern: EventPattern; fn: DurableEventHandler<never>; when?: EventFilter<never> }>();
  private readonly definitions = new Map<string, EventDefinition>();
  private readonly outbox = new WeakMap<Transaction, OutboxRow[]>();
  private readonly pending = new Set<Promise<unknown>>();
  private gate?: AccountGate;

  constructor(private readonly db: Database, private readonly broker: Broker, private readonly logger: Logger, private readonly jobs: JobQueue, private readonly clock: Clock) {
    jobs.register<Delivery>(EVENT_DELIVERY_JOB, (delivery, job) => this.deliver(delivery, job.attempt));
  }

  /** Adds an event to the catalogue (`owner`: core or the plugin that emits it). Refused when the name is taken. */
  define(name: string, schema: TSchema, owner: string): void {
    const taken = this.definitions.get(name);
    if (taken) throw new Error(`event "${name}" is defined twice (by ${taken.owner} and ${owner})`);
    this.definitions.set(name, { name, owner, schema });
  }

  /** Every defined event with its payload schema, by name: what webhooks and the admin can offer. */
  catalogue(): EventDefinition[] {
    return [...this.definitions.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * A durable handler (at least once, from the outbox) for an event, a family
   * (`'conversation.*'`) or every event (`'*'`). `owner` is gated per account and, with
   * the pattern, names the subscription, so the deliveries already written survive a
   * restart. Handlers must be idempotent: use `event.id`. No delivery is written for an
   * account where `owner` is off when the event is emitted, nor when `options.when`
   * answers false (the gate is checked again at delivery).
   */
  subscribe<P extends EventPattern>(pattern: P, owner: string, fn: DurableEventHandler<EventsMatching<P>>, options: SubscribeOptions<EventsMatching<P>> = {}): void {
    const key = `${owner}:${pattern}`;
    if (this.subscriptions.has(key)) throw new Error(`${owner} subscribes to "${pattern}" twice`);
    this.subscriptions.set(key, { owner, pattern, fn: fn as unknown as DurableEventHandler<never>, when: options.when as unknown as EventFilter<never> | undefined });
  }

  /** The deliveries worth writing: the subscriber's owner is on for the account, and its filter (if any) wants the event. */
  private async wanted(rows: OutboxRow[]): Promise<OutboxRow[]> {
    const keep = await Promise.all(rows.map(async (row) => {
      const d = row.payload as unknown as Delivery;
      const sub = this.subscriptions.get(d.subscriber);
      if (!sub) return false;
      const accountId = accountOf(d.payload);
      if (accountId && this.gate && !(await this.gate(sub.owner, accountId))) return false;
      return sub.when ? (sub.when as unknown as EventFilter<EventName>)(d.name, d.payload as never) : true;
    }));
    return rows.filter((_, i) => keep[i]);
  }

  private matching(name: string): string[] {
    const keys: string[] = [];
    for (const [key, { pattern }] of this.subscriptions) {
      if (pattern === name || pattern === '*' || (pattern.endsWith('.*') && name.startsWith(pattern.slice(0, -1)))) keys.push(key);
    }
    return keys;
  }

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
    if (this.handlers.has(name)) this.db.afterCommit(() => this.dispatch(name, payload));
    const subscribers = this.matching(name);
    if (!subscribers.length) return;
    const id = newId();
    const emittedAt = this.clock.now().toISOString();
    const accountId = accountOf(payload);
    const rows = subscribers.map((subscriber) => ({
      type: EVENT_DELIVERY_JOB,
      payload: { id, name, payload: payload as Record<string, unknown>, subscriber, emittedAt } satisfies Delivery as unknown as Record<string, unknown>,
      options: { accountId },
    }));
    const tx = this.db.currentTransaction();
    const buffered = tx && this.outbox.get(tx);
    if (buffered) {
      buffered.push(...rows);
      return;
    }
    // One insert for all the events of a transaction, written just before it commits.
    if (tx && this.db.beforeCommit(() => this.flush(tx))) {
      this.outbox.set(tx, rows);
      return;
    }
    this.track(this.wanted(rows).then((r) => this.jobs.enqueueMany(r)).catch((err: unknown) => this.logger.error({ err, event: name }, 'event could not be written to the outbox')));
  }

  private async flush(tx: Transaction): Promise<void> {
    const rows = this.outbox.get(tx) ?? [];
    // An event emitted after this point (by a later before-commit step) starts a new batch.
    this.outbox.delete(tx);
    await this.jobs.enqueueMany(await this.wanted(rows));
  }

  private async deliver(d: Delivery, attempt: number): Promise<void> {
    const sub = this.subscriptions.get(d.subscriber);
    // Its plugin is no longer installed: nobody to deliver to.
    if (!sub) return void this.logger.warn({ event: d.name, subscriber: d.subscriber }, 'event delivery without a subscriber dropped');
    const accountId = accountOf(d.payload);
    if (accountId && this.gate && !(await this.gate(sub.owner, accountId))) return;
    await (sub.fn as unknown as DurableEventHandler<EventName>)(d.payload as never, { id: d.id, name: d.name, attempt, emittedAt: d.emittedAt });
  }

  private track(p: Promise<unknown>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
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
      this.track(p);
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

  /** Resolves when the in-process listeners and outbox writes started here have finished (graceful shutdown). */
  async settle(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  /**
   * Resolves when every event emitted so far has been handled: in-process listeners, and
   * the durable deliveries that are due (run here now if no worker took them). A failed
   * delivery waiting for its retry does not hold it up (tests, tooling). Refused inside a
   * transaction: its own events are delivered only after it commits.
   */
  async drain(): Promise<void> {
    this.db.assertNoTransaction('events.drain()');
    for (;;) {
      await this.settle();
      await this.jobs.idle();
      const ran = this.subscriptions.size ? await this.jobs.runDue([EVENT_DELIVERY_JOB]) : 0;
      // The worker may have claimed a delivery while we looked: wait for it too.
      if (!ran && !this.pending.size && !this.jobs.busy) return;
    }
  }
}
