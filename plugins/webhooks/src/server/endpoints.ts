import { Op, isId, newId, type PluginContext } from '@charla/core';
import { WebhookErrors } from './errors.js';
import { eventsOf, type EndpointRow } from './models.js';
import { newSecret } from './signature.js';
import { checkUrl } from './url-guard.js';
import type { WebhookOptions } from './options.js';

export interface EndpointView {
  id: string; url: string; description: string | null; events: string[]; enabled: boolean; includePrivate: boolean;
  disabledReason: string | null; createdAt: string; updatedAt: string;
}

export interface EndpointInput { url: string; events: string[]; description?: string | null; enabled?: boolean; includePrivate?: boolean }

/** Events that never leave the instance: they carry session ids, not customer data. */
const INTERNAL = /^sessions\./;
/** How long the secret replaced by a rotation keeps signing (both signatures are sent). */
export const PREVIOUS_SECRET_MS = 24 * 3600_000;
export const MAX_ENDPOINTS = 50;

const iso = (d: Date | string) => new Date(d).toISOString();

export function matches(patterns: string[], name: string): boolean {
  return patterns.some((p) => p === '*' || p === name || (p.endsWith('.*') && name.startsWith(p.slice(0, -1))));
}

/** Webhook endpoints per account: a URL checked against SSRF, the events it wants, its signing secret. */
export class EndpointService {
  constructor(private readonly ctx: PluginContext, private readonly opts: WebhookOptions) {}

  private get c() {
    return this.ctx.container.cradle;
  }

  /** The events an endpoint may subscribe to: the runtime catalogue, without internal ones. */
  deliverable(): string[] {
    return this.ctx.events.catalogue().map((e) => e.name).filter((n) => !INTERNAL.test(n));
  }

  /** Refuses names that are not in the catalogue (and families that match nothing), naming them. */
  checkEvents(events: string[]): string[] {
    const names = this.deliverable();
    const unique = [...new Set(events.map((e) => e.trim()))];
    const unknown = unique.filter((p) => p !== '*' && !names.some((n) => matches([p], n)));
    if (unknown.length) throw WebhookErrors.unknownEvent(`Unknown event${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => JSON.stringify(u)).join(', ')}. Use "*", a family such as "conversation.*", or names from GET /api/v1/events/catalogue.`);
    if (!unique.length) throw WebhookErrors.badRequest('events must name at least one event (or "*").');
    return unique;
  }

  view(r: EndpointRow): EndpointView {
    return { id: r.id, url: r.url, description: r.description, events: eventsOf(r), enabled: !!r.enabled, includePrivate: !!r.includePrivate, disabledReason: r.disabledReason, createdAt: iso(r.createdAt), updatedAt: iso(r.updatedAt) };
  }

  async list(accountId: string): Promise<EndpointRow[]> {
    const rows = await this.c.db.scope(accountId).findAll(this.c.webhookModels.Endpoint, { order: [['createdAt', 'ASC']], limit: MAX_ENDPOINTS });
    return rows.map((r) => r.get({ plain: true }));
  }

  /** The enabled endpoints of an account that want `name`. */
  async subscribed(accountId: string, name: string): Promise<EndpointRow[]> {
    const rows = await this.c.db.scope(accountId).findAll(this.c.webhookModels.Endpoint, { where: { enabled: true }, limit: MAX_ENDPOINTS });
    return rows.map((r) => r.get({ plain: true })).filter((r) => matches(eventsOf(r), name));
  }

  /**
   * The outbox filter: does an enabled endpoint of the event's account want it (a private
   * note: one that opted in)? Runs as the event is emitted, so an event nobody wants
   * costs one indexed query and no job.
   */
  async wants(payload: Record<string, unknown>, name: string): Promise<boolean> {
    const accountId = typeof payload.accountId === 'string' ? payload.accountId : null;
    if (!accountId || INTERNAL.test(name)) return false;
    return (await this.subscribed(accountId, name)).some((e) => payload.private !== true || e.includePrivate);
  }

  async get(accountId: string, id: string): Promise<EndpointRow> {
    const row = isId(id) ? await this.c.db.scope(accountId).findById(this.c.webhookModels.Endpoint, id) : null;
    if (!row) throw WebhookErrors.notFound('No webhook with this id.');
    return row.get({ plain: true });
  }

  async create(accountId: string, input: EndpointInput): Promise<EndpointView & { secret: string }> {
    const events = this.checkEvents(input.events);
    const { url } = await checkUrl(input.url, this.opts);
    const scope = this.c.db.scope(accountId);
    if ((await scope.count(this.c.webhookModels.Endpoint, {})) >= MAX_ENDPOINTS) throw WebhookErrors.badRequest(`An account has at most ${MAX_ENDPOINTS} webhooks.`);
    const secret = newSecret();
    const row = await scope.create(this.c.webhookModels.Endpoint, {
      id: newId(), url: url.href, description: input.description?.trim() || null, events, enabled: input.enabled ?? true, includePrivate: input.includePrivate ?? false,
      secret, previousSecret: null, previousSecretUntil: null, disabledReason: null,
    });
    return { ...this.view(row.get({ plain: true })), secret };
  }

  async update(accountId: string, id: string, patch: Partial<EndpointInput>): Promise<EndpointView> {
    const row = await this.get(accountId, id);
    const changes: Partial<EndpointRow> = {};
    if (patch.url !== undefined) changes.url = (await checkUrl(patch.url, this.opts)).url.href;
    if (patch.events !== undefined) changes.events = this.checkEvents(patch.events);
    if (patch.description !== undefined) changes.description = patch.description?.trim() || null;
    if (patch.includePrivate !== undefined) changes.includePrivate = patch.includePrivate;
    if (patch.enabled !== undefined) {
      changes.enabled = patch.enabled;
      if (patch.enabled) changes.disabledReason = null;
    }
    if (Object.keys(changes).length) await this.c.db.scope(accountId).update(this.c.webhookModels.Endpoint, changes, { id: row.id });
    return this.view(await this.get(accountId, row.id));
  }

  /** A new secret; the old one keeps signing for 24 hours so receivers can switch without losing deliveries. */
  async rotate(accountId: string, id: string): Promise<EndpointView & { secret: string }> {
    const row = await this.get(accountId, id);
    const secret = newSecret();
    await this.c.db.scope(accountId).update(this.c.webhookModels.Endpoint, { secret, previousSecret: row.secret, previousSecretUntil: new Date(this.c.clock.now().getTime() + PREVIOUS_SECRET_MS) }, { id: row.id });
    return { ...this.view(await this.get(accountId, row.id)), secret };
  }

  /** The secrets that sign now: the current one, and the previous one during its grace period. */
  signingSecrets(row: EndpointRow): string[] {
    const until = row.previousSecretUntil ? new Date(row.previousSecretUntil).getTime() : 0;
    return row.previousSecret && until > this.c.clock.now().getTime() ? [row.secret, row.previousSecret] : [row.secret];
  }

  async remove(accountId: string, id: string): Promise<void> {
    const row = await this.get(accountId, id);
    await this.c.db.scope(accountId).destroy(this.c.webhookModels.Endpoint, { id: row.id });
  }

  /** Turns an endpoint off (410 Gone, or retries exhausted) and tells the account's owners and admins by e-mail. */
  async disable(accountId: string, id: string, reason: string): Promise<void> {
    const { db, jobs, models, config } = this.c;
    await db.transaction(async () => {
      const changed = await db.scope(accountId).update(this.c.webhookModels.Endpoint, { enabled: false, disabledReason: reason.slice(0, 300) }, { id, enabled: true });
      if (!changed) return; // already off: one e-mail
      const row = await this.get(accountId, id);
      const admins = await db.scope(accountId).findAll(models.User, { where: { role: { [Op.in]: ['owner', 'admin'] } } as never });
      const link = `${config.publicUrl.replace(/\/$/, '')}/admin/settings/webhooks`;
      for (const a of admins) {
        await jobs.enqueue('core.mail', {
          to: a.email,
          subject: 'Charla: a webhook was disabled',
          text: `Hello ${a.name},\n\nThe webhook ${row.url} was disabled: ${reason}\n\nFix the receiver, then turn it back on:\n${link}\n`,
        }, { accountId });
      }
    });
  }
}
