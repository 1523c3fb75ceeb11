import { createRequire } from 'node:module';
import mqemitter from 'mqemitter';
import type { Logger } from 'pino';

// mqemitter-redis (with ioredis and msgpack) is loaded only when REDIS_URL is set.
const require = createRequire(import.meta.url);

export interface BrokerMessage {
  topic: string;
  [key: string]: unknown;
}
type Listener = (msg: BrokerMessage) => void;

interface MQ {
  on(topic: string, fn: (msg: BrokerMessage, done: () => void) => void, cb?: () => void): void;
  removeListener(topic: string, fn: (msg: BrokerMessage, done: () => void) => void, cb?: () => void): void;
  emit(msg: BrokerMessage, cb?: (err?: Error) => void): void;
  close(cb: () => void): void;
}

/**
 * Cross-instance fan-out: mqemitter in one process, mqemitter-redis (Redis pub/sub)
 * when REDIS_URL is set, so a message published on one instance reaches listeners on
 * every instance. Listeners are reference-counted per topic so Redis holds one
 * subscription per topic per instance.
 */
export class Broker {
  private readonly mq: MQ;
  private readonly topics = new Map<string, { listeners: Set<Listener>; relay: (msg: BrokerMessage, done: () => void) => void }>();
  readonly distributed: boolean;

  constructor(opts: { redisUrl?: string; logger: Logger }) {
    if (opts.redisUrl) {
      const url = new URL(opts.redisUrl);
      this.mq = (require('mqemitter-redis') as (o: object) => MQ)({
        host: url.hostname, port: Number(url.port || 6379),
        password: url.password ? decodeURIComponent(url.password) : undefined,
        db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
        tls: url.protocol === 'rediss:' ? {} : undefined,
        maxRetriesPerRequest: null,
        enableOfflineQueue: true,
      });
      // mqemitter-redis re-emits connection errors on `state`; unhandled, a Redis outage
      // would crash the process. ioredis reconnects by itself: log and carry on.
      (this.mq as unknown as { state: { on(e: 'error', fn: (err: Error) => void): void } }).state.on('error', (err) => opts.logger.warn({ err: err.message }, 'redis broker connection error'));
      this.distributed = true;
    } else {
      this.mq = (mqemitter as unknown as (o: object) => MQ)({ concurrency: 0 });
      this.distributed = false;
    }
    void opts.logger;
  }

  subscribe(topic: string, listener: Listener): Promise<void> {
    let entry = this.topics.get(topic);
    if (entry) {
      entry.listeners.add(listener);
      return Promise.resolve();
    }
    const listeners = new Set<Listener>([listener]);
    const relay = (msg: BrokerMessage, done: () => void) => {
      for (const l of listeners) l(msg);
      done();
    };
    entry = { listeners, relay };
    this.topics.set(topic, entry);
    return new Promise((resolve) => this.mq.on(topic, relay, () => resolve()));
  }

  unsubscribe(topic: string, listener: Listener): void {
    const entry = this.topics.get(topic);
    if (!entry) return;
    entry.listeners.delete(listener);
    if (entry.listeners.size === 0) {
      this.topics.delete(topic);
      this.mq.removeListener(topic, entry.relay);
    }
  }

  publish(msg: BrokerMessage): Promise<void> {
    return new Promise((resolve, reject) => this.mq.emit(msg, (err) => (err ? reject(err) : resolve())));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.mq.close(() => resolve()));
  }
}
