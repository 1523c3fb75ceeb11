import { Op, isId, newId, type DomainEvent, type PluginContext } from '@charla/core';
import { WebhookErrors } from './errors.js';
import type { EndpointRow, DeliveryRow } from './models.js';
import type { EndpointService } from './endpoints.js';
import { retryDelayMs, type WebhookOptions } from './options.js';
import { send, type SendResult } from './sender.js';
import { sign } from './signature.js';
import { checkUrl } from './url-guard.js';
import { objectsOf, visibleObjects } from './objects.js';

export interface DeliveryView {
  id: string; eventId: string; type: string; status: DeliveryRow['status']; attempts: number; lastStatus: number | null; lastError: string | null;
  durationMs: number | null; nextAttemptAt: string | null; createdAt: string; deliveredAt: string | null;
}

export const DELIVER_JOB = 'webhooks.deliver';
/** The payload format's version (`version` in every body): a breaking change to its shape gets a new one. */
export const PAYLOAD_VERSION = 1;
const isoOrNull = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);
const jobKey = (deliveryId: string) => `webhook:${deliveryId}`;

/**
 * The delivery log and its sending. A delivery row and its first job are written in one
 * transaction, from the durable `'*'` subscription (itself run from the outbox), so an
 * event that committed reaches every endpoint that wanted it even across crashes; each
 * try is a job of its own, enqueued with the schedule's delay by the try before.
 */
export class DeliveryService {
  /** Tries in flight per endpoint on this instance. */
  private readonly sending = new Map<string, number>();

  constructor(private readonly ctx: PluginContext, private readonly endpoints: EndpointService, private readonly opts: WebhookOptions) {}

  private get c() {
    return this.ctx.container.cradle;
  }

  view(d: DeliveryRow): DeliveryView {
    return {
      id: d.id, eventId: d.eventId, type: d.type, status: d.status, attempts: d.attempts, lastStatus: d.lastStatus, lastError: d.lastError, durationMs: d.durationMs,
      nextAttemptAt: isoOrNull(d.nextAttemptAt), createdAt: new Date(d.createdAt).toISOString(), deliveredAt: isoOrNull(d.deliveredAt),
    };
  }

  /**
   * One delivery per enabled endpoint that wants the event (private messages only to those
   * that opted in), its `data` the payload plus the full objects it names. Idempotent per event id.
   */
  async fanOut(payload: Record<string, unknown>, event: DomainEvent): Promise<void> {
    const accountId = typeof payload.accountId === 'string' ? payload.accountId : null;
    if (!accountId || !this.endpoints.deliverable().includes(event.name)) return;
    const targets = (await this.endpoints.subscribed(accountId, event.name)).filter((e) => payload.private !== true || e.includePrivate);
    if (!targets.length) return;
    const objects = await objectsOf(this.ctx, accountId, payload);
    const bodyFor = (includePrivate: boolean) => JSON.stringify({ id: event.id, type: event.name, version: PAYLOAD_VERSION, createdAt: event.emittedAt, accountId, data: { ...payload, ...visibleObjects(objects, includePrivate) } });
    const bodies = { true: bodyFor(true), false: bodyFor(false) };
    const { db, webhookModels: m } = this.c;
    await db.transaction(async () => {
      const scope = db.scope(accountId);
      const done = new Set((await scope.findAll(m.Delivery, { where: { eventId: event.id, endpointId: { [Op.in]: targets.map((t) => t.id) } } as never })).map((d) => d.endpointId));
      for (const ep of targets.filter((t) => !done.has(t.id))) await this.queue(accountId, ep.id, event.id, event.name, bodies[`${!!ep.includePrivate}`]);
    });
  }

  private async queue(accountId: string, endpointId: string, eventId: string, type: string, body: string): Promise<DeliveryRow> {
    const row = await this.c.db.scope(accountId).create(this.c.webhookModels.Delivery, {
      id: newId(), endpointId, eventId, type, body, status: 'pending', attempts: 0, lastStatus: null, lastError: null, durationMs: null, nextAttemptAt: this.c.clock.now(), deliveredAt: null,
    });
    await this.c.jobs.enqueue(DELIVER_JOB, { accountId, deliveryId: row.id, n: 0 }, { accountId, dedupeKey: jobKey(row.id) });
    return row.get({ plain: true });
  }

  /** A `webhook.test` delivery to one endpoint, whatever events it selected. */
  async test(accountId: string, endpointId: string): Promise<DeliveryView> {
    const ep = await this.endpoints.get(accountId, endpointId);
    if (!ep.enabled) throw WebhookErrors.disabled('This webhook is disabled; enable it to send a test event.');
    const id = newId();
    const body = JSON.stringify({ id, type: 'webhook.test', version: PAYLOAD_VERSION, createdAt: this.c.clock.now().toISOString(), accountId, data: { webhookId: ep.id, message: 'A test event from Charla.' } });
    return this.view(await this.c.db.transaction(() => this.queue(accountId, ep.id, id, 'webhook.test', body)));
  }

  async list(accountId: string, endpointId: string, q: { limit?: number; cursor?: string }): Promise<{ deliveries: DeliveryView[]; nextCursor: string | null }> {
    const ep = await this.endpoints.get(accountId, endpointId);
    if (q.cursor !== undefined && !isId(q.cursor)) throw WebhookErrors.badRequest('cursor is not one this endpoint returned.');
    const limit = q.limit ?? 50;
    const rows = await this.c.db.scope(accountId).findAll(this.c.webhookModels.Delivery, {
      where: { endpointId: ep.id, ...(q.cursor ? { id: { [Op.lt]: q.cursor } } : {}) } as never,
      order: [['id', 'DESC']], limit: limit + 1,
    });
    const page = rows.slice(0, limit).map((r) => this.view(r.get({ plain: true })));
    return { deliveries: page, nextCursor: rows.length > limit ? page[page.length - 1].id : null };
  }

  /** Sends a delivery again now, with the same webhook-id, and a fresh retry schedule. */
  async redeliver(accountId: string, endpointId: string, deliveryId: string): Promise<DeliveryView> {
    const ep = await this.endpoints.get(accountId, endpointId);
    const d = isId(deliveryId) ? await this.c.db.scope(accountId).findOne(this.c.webhookModels.Delivery, { where: { id: deliveryId, endpointId: ep.id } }) : null;
    if (!d) throw WebhookErrors.deliveryNotFound('No delivery with this id for this webhook.');
    if (!ep.enabled) throw WebhookErrors.disabled('This webhook is disabled; enable it to redeliver.');
    const { db, jobs, clock, webhookModels: m } = this.c;
    await db.transaction(async () => {
      await jobs.cancel({ dedupeKey: jobKey(d.id) });
      await db.scope(accountId).update(m.Delivery, { status: 'pending', nextAttemptAt: clock.now() }, { id: d.id });
      await jobs.enqueue(DELIVER_JOB, { accountId, deliveryId: d.id, n: 0 }, { accountId, dedupeKey: jobKey(d.id) });
    });
    return this.view((await db.scope(accountId).findById(m.Delivery, d.id))!.get({ plain: true }));
  }

  /** Try `n` (0 = first) of a delivery: sign, POST, record, and schedule the next try or give up. */
  async attempt(accountId: string, deliveryId: string, n: number, signal: AbortSignal): Promise<void> {
    const { db, clock, webhookModels: m } = this.c;
    const scope = db.scope(accountId);
    const d = (await scope.findById(m.Delivery, deliveryId))?.get({ plain: true });
    if (!d || d.status !== 'pending') return; // delivered meanwhile (a redelivery), or its endpoint was deleted
    const ep = (await scope.findById(m.Endpoint, d.endpointId))?.get({ plain: true });
    if (!ep || !ep.enabled) {
      await scope.update(m.Delivery, { status: 'failed', lastError: 'The webhook is disabled.', nextAttemptAt: null }, { id: d.id });
      return;
    }
    const busy = this.sending.get(ep.id) ?? 0;
    if (busy >= this.opts.endpointConcurrency) {
      // The endpoint's slots are taken (a slow receiver): this try waits its turn as a
      // job of its own, and the worker slot goes to other endpoints' deliveries meanwhile.
      const delayMs = Math.round(Math.min(1000, this.opts.timeoutMs / 2) * (0.5 + Math.random()));
      await this.c.jobs.enqueue(DELIVER_JOB, { accountId, deliveryId: d.id, n }, { accountId, delayMs, dedupeKey: jobKey(d.id) });
      return;
    }
    this.sending.set(ep.id, busy + 1);
    let result: SendResult;
    try {
      result = await this.post(ep, d, signal);
    } finally {
      const left = (this.sending.get(ep.id) ?? 1) - 1;
      if (left > 0) this.sending.set(ep.id, left);
      else this.sending.delete(ep.id);
    }
    if (signal.aborted) throw new Error(`delivery interrupted (${String(signal.reason)})`); // back to the queue; the same try runs again
    const ok = result.status !== null && result.status >= 200 && result.status < 300;
    const base = { attempts: d.attempts + 1, lastStatus: result.status, lastError: result.error?.slice(0, 500) ?? null, durationMs: result.durationMs };
    if (ok) {
      await scope.update(m.Delivery, { ...base, status: 'delivered', deliveredAt: clock.now(), nextAttemptAt: null }, { id: d.id });
      return;
    }
    const gone = result.status === 410;
    if (gone || n >= this.opts.retrySchedule.length) {
      await scope.update(m.Delivery, { ...base, status: 'failed', nextAttemptAt: null }, { id: d.id });
      await this.endpoints.disable(accountId, ep.id, gone ? 'the receiver answered 410 Gone.' : `a delivery still failed after ${base.attempts} attempts (last: ${base.lastError ?? 'no response'}).`);
      return;
    }
    const delayMs = retryDelayMs(this.opts.retrySchedule, n, result.retryAfterSeconds);
    await db.transaction(async () => {
      await scope.update(m.Delivery, { ...base, nextAttemptAt: new Date(clock.now().getTime() + delayMs) }, { id: d.id });
      await this.c.jobs.enqueue(DELIVER_JOB, { accountId, deliveryId: d.id, n: n + 1 }, { accountId, delayMs, dedupeKey: jobKey(d.id) });
    });
  }

  /** Deletes delivered and failed deliveries older than the retention (pending ones stay until they end). Run by the hourly `webhooks.prune` schedule. */
  async prune(): Promise<number> {
    const { db, clock, webhookModels: m } = this.c;
    const before = new Date(clock.now().getTime() - this.opts.retentionDays * 86_400_000);
    return db.withoutTenant('webhooks: prune old deliveries of every account', () =>
      m.Delivery.destroy({ where: { status: { [Op.in]: ['delivered', 'failed'] }, createdAt: { [Op.lt]: before } } as never }));
  }

  /** Checks the URL again (DNS may have changed since it was saved) and sends to the address it approved. */
  private async post(ep: EndpointRow, d: DeliveryRow, signal: AbortSignal): Promise<SendResult> {
    let target;
    try {
      target = await checkUrl(ep.url, this.opts);
    } catch (err) {
      return { status: null, error: (err as Error).message, durationMs: 0, retryAfterSeconds: null };
    }
    const timestamp = Math.floor(this.c.clock.now().getTime() / 1000);
    const signature = this.endpoints.signingSecrets(ep).map((s) => sign(s, d.eventId, timestamp, d.body)).join(' ');
    return send(target, { 'webhook-id': d.eventId, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature }, d.body, this.opts.timeoutMs, signal);
  }
}
