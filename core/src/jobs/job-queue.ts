import { hostname } from 'node:os';
import { DataTypes, Op, Transaction, type Model, type ModelStatic } from 'sequelize';
import type { Logger } from 'pino';
import type { Database } from '../db/database.js';
import { newId } from '../db/ids.js';
import type { Clock } from '../clock.js';

export interface JobContext {
  id: string;
  type: string;
  accountId: string | null;
  attempt: number;
}
export type JobHandler<P = Record<string, unknown>> = (payload: P, ctx: JobContext) => Promise<void>;

export interface EnqueueOptions {
  accountId?: string | null;
  /** Run no earlier than this. */
  runAt?: Date;
  delayMs?: number;
  maxAttempts?: number;
}

interface JobRow {
  id: string;
  accountId: string | null;
  type: string;
  payload: Record<string, unknown>;
  status: 'pending' | 'running' | 'done' | 'dead';
  attempts: number;
  maxAttempts: number;
  runAt: Date;
  lockedUntil: Date | null;
  lockedBy: string | null;
  lastError: string | null;
}

/**
 * Durable work through a jobs table (transactional outbox). `enqueue` writes in the
 * caller's transaction, so a job exists exactly when the change that caused it
 * committed. Workers on every instance claim due jobs with a lease (FOR UPDATE SKIP
 * LOCKED on PostgreSQL), retry failures with exponential backoff and jitter, and move a
 * job that failed `maxAttempts` times to `dead`. A crashed worker's lease expires and
 * another claims the job.
 */
export class JobQueue {
  readonly model: ModelStatic<Model>;
  private readonly handlers = new Map<string, JobHandler<never>>();
  private timer?: NodeJS.Timeout;
  private running = false;
  private stopped = true;
  private kicked = false;
  private readonly inflight = new Set<Promise<void>>();
  private readonly workerId = `${hostname()}:${process.pid}:${newId().slice(-6)}`;
  readonly stats = { completed: 0, failed: 0, dead: 0 };

  constructor(private readonly db: Database, private readonly clock: Clock, private readonly logger: Logger, private readonly opts: { pollIntervalMs: number; leaseSeconds: number; maxAttempts: number }) {
    this.model = db.define('Job', {
      id: { type: DataTypes.STRING(36), primaryKey: true },
      accountId: { type: DataTypes.STRING(36), allowNull: true },
      type: { type: DataTypes.STRING(100), allowNull: false },
      payload: { type: DataTypes.JSON, allowNull: false },
      status: { type: DataTypes.STRING(20), allowNull: false },
      attempts: { type: DataTypes.INTEGER, allowNull: false },
      maxAttempts: { type: DataTypes.INTEGER, allowNull: false },
      runAt: { type: DataTypes.DATE, allowNull: false },
      lockedUntil: { type: DataTypes.DATE, allowNull: true },
      lockedBy: { type: DataTypes.STRING(100), allowNull: true },
      lastError: { type: DataTypes.TEXT, allowNull: true },
    } as never, { tableName: 'jobs', tenant: false });
  }

  register<P>(type: string, handler: JobHandler<P>): void {
    if (this.handlers.has(type)) throw new Error(`job type "${type}" is registered twice`);
    this.handlers.set(type, handler as JobHandler<never>);
  }

  /** Adds a job in the current transaction (if any); workers pick it up after commit. */
  async enqueue(type: string, payload: Record<string, unknown>, options: EnqueueOptions = {}): Promise<string> {
    const id = newId();
    const now = this.clock.now();
    const runAt = options.runAt ?? new Date(now.getTime() + (options.delayMs ?? 0));
    await this.model.create(
      { id, accountId: options.accountId ?? null, type, payload, status: 'pending', attempts: 0, maxAttempts: options.maxAttempts ?? this.opts.maxAttempts, runAt, lockedUntil: null, lockedBy: null, lastError: null } as never,
      { transaction: this.db.currentTransaction() },
    );
    this.db.afterCommit(() => this.kick());
    return id;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops claiming and waits for the jobs in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    while (this.running || this.inflight.size) {
      await Promise.allSettled([...this.inflight]);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Asks the worker to look for due jobs now instead of at the next poll. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.kicked = true;
      return;
    }
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    let claimed = 0;
    try {
      const jobs = await this.claim(10);
      claimed = jobs.length;
      await Promise.all(jobs.map((j) => this.track(this.execute(j))));
    } catch (err) {
      this.logger.warn({ err }, 'job poll failed');
    } finally {
      this.running = false;
      const again = claimed > 0 || this.kicked;
      this.kicked = false;
      this.schedule(again ? 0 : this.opts.pollIntervalMs);
    }
  }

  private track(p: Promise<void>): Promise<void> {
    this.inflight.add(p);
    return p.finally(() => this.inflight.delete(p));
  }

  /** Runs every due job now and waits for them (tests and `charla` tooling). */
  async runDue(): Promise<number> {
    let total = 0;
    for (;;) {
      const jobs = await this.claim(50);
      if (!jobs.length) return total;
      total += jobs.length;
      await Promise.all(jobs.map((j) => this.execute(j)));
    }
  }

  private async claim(limit: number): Promise<JobRow[]> {
    const now = this.clock.now();
    const lease = new Date(now.getTime() + this.opts.leaseSeconds * 1000);
    const types = [...this.handlers.keys()];
    if (!types.length) return [];
    return this.db.withoutTenant('jobs: claim', () =>
      this.db.transaction(async (transaction) => {
        const rows = await this.model.findAll({
          where: {
            type: { [Op.in]: types },
            [Op.or]: [
              { status: 'pending', runAt: { [Op.lte]: now } },
              { status: 'running', lockedUntil: { [Op.lt]: now } },
            ],
          },
          order: [['runAt', 'ASC']],
          limit,
          transaction,
          ...(this.db.dialect === 'postgres' ? { lock: Transaction.LOCK.UPDATE, skipLocked: true } : {}),
        });
        if (!rows.length) return [];
        const ids = rows.map((r) => r.get('id') as string);
        await this.model.update({ status: 'running', lockedUntil: lease, lockedBy: this.workerId, attempts: this.db.sequelize.literal('attempts + 1') } as never, { where: { id: { [Op.in]: ids } }, transaction });
        return rows.map((r) => ({ ...(r.get({ plain: true }) as JobRow), attempts: (r.get('attempts') as number) + 1 }));
      }),
    );
  }

  private async execute(job: JobRow): Promise<void> {
    const handler = this.handlers.get(job.type) as JobHandler<Record<string, unknown>> | undefined;
    const payload = typeof job.payload === 'string' ? (JSON.parse(job.payload) as Record<string, unknown>) : job.payload;
    try {
      if (!handler) throw new Error(`no handler for job type ${job.type}`);
      await handler(payload, { id: job.id, type: job.type, accountId: job.accountId, attempt: job.attempts });
      await this.db.withoutTenant('jobs: complete', () => this.model.update({ status: 'done', lockedUntil: null, lastError: null } as never, { where: { id: job.id } }));
      this.stats.completed++;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const dead = job.attempts >= job.maxAttempts;
      const backoffMs = Math.min(3_600_000, 1000 * 2 ** (job.attempts - 1)) * (0.5 + Math.random() / 2);
      await this.db
        .withoutTenant('jobs: fail', () =>
          this.model.update(
            { status: dead ? 'dead' : 'pending', lockedUntil: null, lastError: message.slice(0, 2000), runAt: new Date(this.clock.now().getTime() + backoffMs) } as never,
            { where: { id: job.id } },
          ),
        )
        .catch((e: unknown) => this.logger.error({ err: e, jobId: job.id }, 'could not record job failure'));
      if (dead) this.stats.dead++;
      else this.stats.failed++;
      this.logger[dead ? 'error' : 'warn']({ jobId: job.id, type: job.type, attempt: job.attempts, err: message }, dead ? 'job dead-lettered' : 'job failed; will retry');
    }
  }

  async counts(): Promise<Record<string, number>> {
    const rows = (await this.db.withoutTenant('jobs: metrics', () =>
      this.model.findAll({ attributes: ['status', [this.db.sequelize.fn('COUNT', this.db.sequelize.col('id')), 'n']], group: ['status'], raw: true }),
    )) as unknown as Array<{ status: string; n: number }>;
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }
}
