import { hostname } from 'node:os';
import { DataTypes, Op, Transaction, type Model, type ModelStatic } from 'sequelize';
import type { Logger } from 'pino';
import type { Database } from '../db/database.js';
import { newId } from '../db/ids.js';
import type { Clock } from '../clock.js';
import { parseSchedule, type Schedule, type ScheduleSpec } from './schedule.js';
import type { AccountGate } from '../plugins/gate.js';

export interface JobContext {
  id: string;
  type: string;
  accountId: string | null;
  attempt: number;
  /**
   * Aborted when the job should stop: the instance shuts down (the job goes back to the
   * queue without spending an attempt), the job was cancelled, or its lease ran out or
   * was lost. Hand it to long calls (`fetch(url, { signal })`).
   */
  signal: AbortSignal;
  /**
   * Pushes this job's lease out by `ms` (default: the configured lease) from now, so a
   * long job is not claimed again by another instance. Throws (and aborts `signal`)
   * when the lease is no longer this worker's (it expired and another claimed it, or
   * the job was cancelled).
   */
  extendLease(ms?: number): Promise<void>;
}
export type JobHandler<P = Record<string, unknown>> = (payload: P, ctx: JobContext) => Promise<void>;

export interface EnqueueOptions {
  accountId?: string | null;
  /** Run no earlier than this. */
  runAt?: Date;
  delayMs?: number;
  maxAttempts?: number;
  /**
   * At most one waiting job per key: enqueueing again while a job with this key waits
   * returns the waiting job's id instead of adding one. The key is released when the
   * job is claimed, so a change made while it runs gets a run of its own.
   */
  dedupeKey?: string;
}

/** Why a job's signal was aborted. */
export type JobAbortReason = 'shutdown' | 'cancelled' | 'lease-lost';

interface JobRow {
  id: string;
  accountId: string | null;
  type: string;
  payload: Record<string, unknown>;
  status: 'pending' | 'running' | 'done' | 'dead' | 'cancelled' | 'skipped';
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
 * another claims the job. Scheduled jobs fire once per slot across instances: the
 * instance that wins the compare-and-set on `job_schedules` enqueues the slot's job.
 * A job with an `accountId` whose owner is off for that account is `skipped`.
 */
export class JobQueue {
  readonly model: ModelStatic<Model>;
  readonly scheduleModel: ModelStatic<Model>;
  private readonly handlers = new Map<string, { owner: string; fn: JobHandler<never> }>();
  private readonly schedules = new Map<string, { schedule: Schedule; payload: Record<string, unknown>; nextAt: number }>();
  private readonly executing = new Map<string, AbortController>();
  private gate?: AccountGate;
  private timer?: NodeJS.Timeout;
  private running = false;
  private stopped = true;
  private kicked = false;
  private readonly inflight = new Set<Promise<void>>();
  private readonly workerId = `${hostname()}:${process.pid}:${newId().slice(-6)}`;
  readonly stats = { completed: 0, failed: 0, dead: 0 };

  constructor(private readonly db: Database, private readonly clock: Clock, private readonly logger: Logger, private readonly opts: { pollIntervalMs: number; leaseSeconds: number; maxAttempts: number; concurrency: number }) {
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
      dedupeKey: { type: DataTypes.STRING(200), allowNull: true },
    } as never, { tableName: 'jobs', tenant: false });
    this.scheduleModel = db.define('JobSchedule', {
      name: { type: DataTypes.STRING(100), primaryKey: true },
      spec: { type: DataTypes.STRING(200), allowNull: false },
      nextRunAt: { type: DataTypes.DATE, allowNull: false },
      fired: { type: DataTypes.INTEGER, allowNull: false },
    } as never, { tableName: 'job_schedules', tenant: false });
  }

  /** `owner` (default `core`) is the plugin the job belongs to: its jobs for an account where it is off are skipped. */
  register<P>(type: string, handler: JobHandler<P>, owner = 'core'): void {
    if (this.handlers.has(type)) throw new Error(`job type "${type}" is registered twice`);
    this.handlers.set(type, { owner, fn: handler as JobHandler<never> });
  }

  /** Installs the per-account gate (the plugin registry); set once at boot. */
  setGate(gate: AccountGate): void {
    this.gate = gate;
  }

  /**
   * Runs the registered job `type` on a schedule, once per slot across every instance
   * sharing the database (instance-wide: `accountId` null). The first slot is the first
   * one after boot; a slot missed while no instance ran is fired once, late.
   */
  schedule(type: string, spec: ScheduleSpec, payload: Record<string, unknown> = {}): void {
    if (!this.handlers.has(type)) throw new Error(`scheduled job "${type}" has no handler: register it first`);
    if (this.schedules.has(type)) throw new Error(`job "${type}" is scheduled twice`);
    this.schedules.set(type, { schedule: parseSchedule(spec), payload, nextAt: 0 });
  }

  /**
   * Cancels a waiting job (by id or dedupe key) or a running one (by id: its signal is
   * aborted where it runs, at the latest at its next `extendLease`). True when a job was
   * cancelled.
   */
  async cancel(which: { id: string } | { dedupeKey: string }): Promise<boolean> {
    const where = 'id' in which
      ? { id: which.id, status: { [Op.in]: ['pending', 'running'] } }
      : { dedupeKey: which.dedupeKey, status: 'pending' };
    const [n] = await this.db.withoutTenant('jobs: cancel', () =>
      this.model.update({ status: 'cancelled', dedupeKey: null, lockedUntil: null } as never, { where, transaction: this.db.currentTransaction() }));
    if ('id' in which && n) this.db.afterCommit(() => this.executing.get(which.id)?.abort('cancelled' satisfies JobAbortReason));
    return n > 0;
  }

  /** Adds a job in the current transaction (if any); workers pick it up after commit. */
  async enqueue(type: string, payload: Record<string, unknown>, options: EnqueueOptions = {}): Promise<string> {
    return (await this.enqueueMany([{ type, payload, options }]))[0];
  }

  /**
   * `enqueue` with a dedupe key that also says whether a job was added: `inserted: false`
   * means a job with that key was still waiting (not yet claimed) and `id` is that job's.
   * A caller that coalesces work into one waiting job (a throttle) needs the difference:
   * the waiting job will see the change, but it may run sooner than the one it asked for.
   */
  async enqueueOnce(type: string, payload: Record<string, unknown>, options: EnqueueOptions & { dedupeKey: string }): Promise<{ id: string; inserted: boolean }> {
    return (await this.insert([{ type, payload, options }]))[0];
  }

  /** Adds several jobs in one statement (same rules as `enqueue`; dedupe keys are honoured). */
  async enqueueMany(jobs: Array<{ type: string; payload: Record<string, unknown>; options?: EnqueueOptions }>): Promise<string[]> {
    return (await this.insert(jobs)).map((r) => r.id);
  }

  private async insert(jobs: Array<{ type: string; payload: Record<string, unknown>; options?: EnqueueOptions }>): Promise<Array<{ id: string; inserted: boolean }>> {
    if (!jobs.length) return [];
    const transaction = this.db.currentTransaction();
    // Insert and read back (dedupe) belong together; on SQLite this also takes the write
    // queue. It follows a change that already committed, so the request's admission limit
    // does not refuse it.
    if (!transaction) return this.db.unlimitedWrites(() => this.db.transaction(() => this.insert(jobs)));
    const now = this.clock.now();
    const ids = jobs.map(() => newId());
    const rows = jobs.map(({ type, payload, options = {} }, i) => ({
      id: ids[i], accountId: options.accountId ?? null, type, payload, status: 'pending', attempts: 0,
      maxAttempts: options.maxAttempts ?? this.opts.maxAttempts,
      runAt: options.runAt ?? new Date(now.getTime() + (options.delayMs ?? 0)),
      lockedUntil: null, lockedBy: null, lastError: null, dedupeKey: options.dedupeKey ?? null,
    }));
    const keys = rows.flatMap((r) => (r.dedupeKey ? [r.dedupeKey] : []));
    // A duplicate key is skipped (ON CONFLICT DO NOTHING / INSERT OR IGNORE); the waiting job's id is returned for it.
    await this.model.bulkCreate(rows as never[], { transaction, ...(keys.length ? { ignoreDuplicates: true } : {}) });
    if (keys.length) {
      const existing = await this.model.findAll({ attributes: ['id', 'dedupeKey'], where: { dedupeKey: { [Op.in]: keys } }, transaction });
      const byKey = new Map(existing.map((r) => [r.get('dedupeKey') as string, r.get('id') as string]));
      for (const r of rows) if (r.dedupeKey && byKey.has(r.dedupeKey)) r.id = byKey.get(r.dedupeKey)!;
    }
    this.db.afterCommit(() => this.kick());
    return rows.map((r, i) => ({ id: r.id, inserted: r.id === ids[i] }));
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.wakeIn(0);
  }

  /** Stops claiming, aborts the signals of the jobs in progress and waits for them (they go back to the queue). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const c of this.executing.values()) c.abort('shutdown' satisfies JobAbortReason);
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
    this.wakeIn(0);
  }

  private wakeIn(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref();
  }

  /**
   * One poll: fires due schedules, then claims as many due jobs as there are free worker
   * slots (`JOBS_CONCURRENCY`) and starts them without waiting — a slow job holds its own
   * slot only, and each job that ends frees its slot and asks for the next poll.
   */
  private async tick(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    let more = false;
    try {
      await this.fireSchedules();
      const free = this.opts.concurrency - this.inflight.size;
      if (free > 0) {
        const jobs = await this.claim(free);
        for (const j of jobs) void this.track(this.execute(j)).finally(() => this.kick());
        // A full batch: more may be due, if slots are left.
        more = jobs.length === free;
      }
    } catch (err) {
      this.logger.warn({ err }, 'job poll failed');
    } finally {
      this.running = false;
      const again = (more && this.inflight.size < this.opts.concurrency) || this.kicked;
      this.kicked = false;
      this.wakeIn(again ? 0 : this.opts.pollIntervalMs);
    }
  }

  private track(p: Promise<void>): Promise<void> {
    this.inflight.add(p);
    return p.finally(() => this.inflight.delete(p));
  }

  /** This worker is claiming or running jobs. */
  get busy(): boolean {
    return this.running || this.inflight.size > 0;
  }

  /** Resolves when this worker is between polls (nothing claimed or running). */
  async idle(): Promise<void> {
    this.db.assertNoTransaction('jobs.idle()');
    while (this.running || this.inflight.size) {
      await Promise.allSettled([...this.inflight]);
      if (this.running) await new Promise((r) => setTimeout(r, 2));
    }
  }

  /** Fires due schedules, then runs every due job (of `types`, default all) now and waits for them (tests and `charla` tooling). */
  async runDue(types?: string[]): Promise<number> {
    this.db.assertNoTransaction('jobs.runDue()');
    let total = 0;
    if (!types) await this.fireSchedules();
    for (;;) {
      const jobs = await this.claim(50, types);
      if (!jobs.length) return total;
      total += jobs.length;
      await Promise.all(jobs.map((j) => this.execute(j)));
    }
  }

  /**
   * For each due schedule: the instance whose compare-and-set on `fired` succeeds
   * enqueues the slot's job (dedupe key `schedule:<type>`, so slots do not pile up
   * behind a job that has not started) and moves `next_run_at` to the next slot.
   */
  private async fireSchedules(): Promise<void> {
    const now = this.clock.now();
    for (const [type, s] of this.schedules) {
      if (s.nextAt > now.getTime()) continue;
      await this.db.withoutTenant('jobs: schedules', () => this.db.unlimitedWrites(() => this.db.transaction(async (transaction) => {
        const row = await this.scheduleModel.findByPk(type, { transaction });
        if (!row || row.get('spec') !== s.schedule.text) {
          const next = s.schedule.next(now);
          if (row) await this.scheduleModel.update({ spec: s.schedule.text, nextRunAt: next } as never, { where: { name: type, fired: row.get('fired') as number }, transaction });
          else await this.scheduleModel.bulkCreate([{ name: type, spec: s.schedule.text, nextRunAt: next, fired: 0 }] as never[], { transaction, ignoreDuplicates: true });
          s.nextAt = next.getTime();
          return;
        }
        const due = new Date(row.get('nextRunAt') as Date);
        if (due > now) {
          s.nextAt = due.getTime();
          return;
        }
        const next = s.schedule.next(now);
        const fired = row.get('fired') as number;
        const [won] = await this.scheduleModel.update({ nextRunAt: next, fired: fired + 1 } as never, { where: { name: type, fired }, transaction });
        s.nextAt = next.getTime();
        if (won) await this.enqueue(type, { ...s.payload, slot: due.toISOString() }, { dedupeKey: `schedule:${type}` });
      })));
    }
  }

  private async claim(limit: number, only?: string[]): Promise<JobRow[]> {
    const now = this.clock.now();
    const lease = new Date(now.getTime() + this.opts.leaseSeconds * 1000);
    const types = only ?? [...this.handlers.keys()];
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
        await this.model.update({ status: 'running', lockedUntil: lease, lockedBy: this.workerId, dedupeKey: null, attempts: this.db.sequelize.literal('attempts + 1') } as never, { where: { id: { [Op.in]: ids } }, transaction });
        return rows.map((r) => ({ ...(r.get({ plain: true }) as JobRow), attempts: (r.get('attempts') as number) + 1 }));
      }),
    );
  }

  /** The row is still this worker's running job (not re-claimed after a lost lease, not cancelled). */
  private mine(id: string) {
    return { id, status: 'running', lockedBy: this.workerId };
  }

  private async execute(job: JobRow): Promise<void> {
    const registered = this.handlers.get(job.type) as { owner: string; fn: JobHandler<Record<string, unknown>> } | undefined;
    const payload = typeof job.payload === 'string' ? (JSON.parse(job.payload) as Record<string, unknown>) : job.payload;
    const controller = new AbortController();
    const leaseMs = this.opts.leaseSeconds * 1000;
    // Once the lease runs out another instance may claim the job: stop before that happens.
    let leaseTimer = setTimeout(() => controller.abort('lease-lost' satisfies JobAbortReason), leaseMs);
    leaseTimer.unref();
    const extendLease = async (ms = leaseMs): Promise<void> => {
      const [n] = await this.db.withoutTenant('jobs: extend lease', () =>
        this.model.update({ lockedUntil: new Date(this.clock.now().getTime() + ms) } as never, { where: this.mine(job.id) }));
      if (!n) {
        controller.abort('lease-lost' satisfies JobAbortReason);
        throw new Error(`job ${job.id} is no longer leased to this worker`);
      }
      clearTimeout(leaseTimer);
      leaseTimer = setTimeout(() => controller.abort('lease-lost' satisfies JobAbortReason), ms);
      leaseTimer.unref();
    };
    this.executing.set(job.id, controller);
    try {
      if (!registered) throw new Error(`no handler for job type ${job.type}`);
      if (job.accountId && this.gate && !(await this.gate(registered.owner, job.accountId))) {
        await this.db.withoutTenant('jobs: skip', () => this.model.update({ status: 'skipped', lockedUntil: null } as never, { where: this.mine(job.id) }));
        return;
      }
      await registered.fn(payload, { id: job.id, type: job.type, accountId: job.accountId, attempt: job.attempts, signal: controller.signal, extendLease });
      await this.db.withoutTenant('jobs: complete', () => this.model.update({ status: 'done', lockedUntil: null, lastError: null } as never, { where: this.mine(job.id) }));
      this.stats.completed++;
    } catch (err) {
      await this.failed(job, err, controller.signal.aborted ? (controller.signal.reason as JobAbortReason) : null);
    } finally {
      clearTimeout(leaseTimer);
      this.executing.delete(job.id);
    }
  }

  private async failed(job: JobRow, err: unknown, aborted: JobAbortReason | null): Promise<void> {
    // Cancelled, or leased to another worker now: that row is not ours to write.
    if (aborted === 'cancelled' || aborted === 'lease-lost') return;
    const message = err instanceof Error ? err.message : String(err);
    // Stopped by our shutdown: back to the queue, the attempt not spent.
    const released = aborted === 'shutdown';
    const dead = !released && job.attempts >= job.maxAttempts;
    const backoffMs = released ? 0 : Math.min(3_600_000, 1000 * 2 ** (job.attempts - 1)) * (0.5 + Math.random() / 2);
    await this.db
      .withoutTenant('jobs: fail', () =>
        this.model.update(
          { status: dead ? 'dead' : 'pending', lockedUntil: null, lastError: message.slice(0, 2000), runAt: new Date(this.clock.now().getTime() + backoffMs), ...(released ? { attempts: job.attempts - 1 } : {}) } as never,
          { where: this.mine(job.id) },
        ),
      )
      .catch((e: unknown) => this.logger.error({ err: e, jobId: job.id }, 'could not record job failure'));
    if (released) return;
    if (dead) this.stats.dead++;
    else this.stats.failed++;
    this.logger[dead ? 'error' : 'warn']({ jobId: job.id, type: job.type, attempt: job.attempts, err: message }, dead ? 'job dead-lettered' : 'job failed; will retry');
  }

  /**
   * Deletes finished jobs (done, skipped, cancelled) older than `olderThanMs`; dead
   * ones stay for an operator to look at. Run by the `core.jobs-cleanup` schedule.
   */
  async prune(olderThanMs: number): Promise<number> {
    const before = new Date(this.clock.now().getTime() - olderThanMs);
    return this.db.withoutTenant('jobs: prune', () => this.db.unlimitedWrites(() => this.db.transaction((transaction) =>
      this.model.destroy({ where: { status: { [Op.in]: ['done', 'skipped', 'cancelled'] }, updatedAt: { [Op.lt]: before } }, transaction }))));
  }

  async counts(): Promise<Record<string, number>> {
    const rows = (await this.db.withoutTenant('jobs: metrics', () =>
      this.model.findAll({ attributes: ['status', [this.db.sequelize.fn('COUNT', this.db.sequelize.col('id')), 'n']], group: ['status'], raw: true }),
    )) as unknown as Array<{ status: string; n: number }>;
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }
}
