import { randomBytes } from 'node:crypto';
import type { CharlaConfig } from '../config.js';
import type { PluginDatabase } from '../db/database.js';
import type { CoreModels, SiteAttrs } from '../db/core-models.js';
import { newId, randomToken } from '../db/ids.js';
import { CoreErrors, defineError } from '../errors.js';
import type { EventBus } from '../events/event-bus.js';
import type { HookRunner } from '../hooks/hook-runner.js';
import type { Role } from '../auth/actor.js';
import { isValidTimezone, type OfficeHours } from './office-hours.js';
import { widgetSnippet } from './snippet.js';

export const SiteErrors = {
  notFound: defineError('CHARLA_CORE_SITE_NOT_FOUND', 404),
  invalid: defineError('CHARLA_CORE_SITE_INVALID', 400),
};

export interface WidgetConfig {
  primaryColor: string;
  backgroundColor: string;
  textColor: string;
  logoUrl: string | null;
  greeting: string;
  position: 'right' | 'left';
  officeHours: OfficeHours | null;
}

export const DEFAULT_WIDGET: WidgetConfig = {
  primaryColor: '#4f46e5',
  backgroundColor: '#ffffff',
  textColor: '#111827',
  logoUrl: null,
  greeting: 'Hi! How can we help?',
  position: 'right',
  officeHours: null,
};

export interface PublicSite {
  id: string;
  name: string;
  appId: string;
  domain: string | null;
  widget: WidgetConfig;
  identityVerification: { required: boolean; secret?: string };
  snippet: string;
  createdAt: string;
  updatedAt: string;
}

/** Normalizes "https://Shop.Example.com:8443/path" or "shop.example.com" to "shop.example.com". */
export function normalizeDomain(raw: string): string {
  let host = raw.trim().toLowerCase();
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(host)) {
    try {
      host = new URL(host).hostname;
    } catch {
      throw SiteErrors.invalid(`domain "${raw}" is not a host name such as shop.example.com.`);
    }
  }
  host = host.replace(/\/.*$/, '').replace(/:\d+$/, '').replace(/\.$/, '');
  if (!/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(host)) {
    throw SiteErrors.invalid(`domain "${raw}" is not a host name such as shop.example.com.`);
  }
  return host;
}

/** Whether a browser Origin may use a site limited to `domain` (that host or a subdomain, any scheme or port). */
export function originMatchesDomain(origin: string, domain: string | null): boolean {
  if (!domain) return true;
  let host: string;
  try {
    host = new URL(origin).hostname.toLowerCase();
  } catch {
    return false;
  }
  return host === domain || host.endsWith(`.${domain}`);
}

const COLOR = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i;
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

export function validateWidgetPatch(patch: Partial<WidgetConfig>): Partial<WidgetConfig> {
  const out: Partial<WidgetConfig> = {};
  for (const key of ['primaryColor', 'backgroundColor', 'textColor'] as const) {
    const v = patch[key];
    if (v === undefined) continue;
    if (!COLOR.test(v)) throw SiteErrors.invalid(`widget.${key} must be a hex colour such as #4f46e5.`);
    out[key] = v.toLowerCase();
  }
  if (patch.logoUrl !== undefined) {
    if (patch.logoUrl === null || patch.logoUrl === '') out.logoUrl = null;
    else {
      let u: URL;
      try {
        u = new URL(patch.logoUrl);
      } catch {
        throw SiteErrors.invalid('widget.logoUrl must be an absolute https:// URL.');
      }
      // https only: an http: image on an https page is mixed content the browser blocks or flags.
      if (u.protocol !== 'https:') throw SiteErrors.invalid('widget.logoUrl must be an absolute https:// URL (http: is refused: browsers block it on https pages).');
      out.logoUrl = u.href;
    }
  }
  if (patch.greeting !== undefined) out.greeting = patch.greeting.trim();
  if (patch.position !== undefined) out.position = patch.position;
  if (patch.officeHours !== undefined) {
    const oh = patch.officeHours;
    if (oh === null) out.officeHours = null;
    else {
      if (!isValidTimezone(oh.timezone)) throw SiteErrors.invalid(`widget.officeHours.timezone "${oh.timezone}" is not an IANA time zone such as Europe/Madrid.`);
      for (const d of oh.days) {
        if (!HHMM.test(d.open) || !HHMM.test(d.close)) throw SiteErrors.invalid('widget.officeHours.days: open and close must be HH:MM (24 h).');
        if (d.open === d.close) throw SiteErrors.invalid('widget.officeHours.days: open and close must differ.');
      }
      out.officeHours = { timezone: oh.timezone, days: oh.days.map((d) => ({ day: d.day, open: d.open, close: d.close })) };
    }
  }
  return out;
}

/** Sites (several per account), their widget look, allowed domain and identity-verification secret. */
export class SiteService {
  private readonly cache = new Map<string, { at: number; site: SiteAttrs | null }>();
  private readonly d: { config: CharlaConfig; db: PluginDatabase; models: CoreModels; events: EventBus; hooks: HookRunner };
  constructor(deps: SiteService['d']) {
    this.d = deps;
  }

  view(site: SiteAttrs, role: Role | null): PublicSite {
    const mayManage = role === 'owner' || role === 'admin';
    return {
      id: site.id, name: site.name, appId: site.appId, domain: site.domain,
      widget: { ...DEFAULT_WIDGET, ...(site.widget as Partial<WidgetConfig>) },
      identityVerification: { required: site.identityRequired, ...(mayManage ? { secret: site.identitySecret } : {}) },
      snippet: widgetSnippet(this.d.config.publicUrl, site.appId),
      createdAt: new Date(site.createdAt ?? Date.now()).toISOString(),
      updatedAt: new Date(site.updatedAt ?? Date.now()).toISOString(),
    };
  }

  async create(accountId: string, input: { name: string; domain?: string | null }): Promise<SiteAttrs> {
    const domain = input.domain ? normalizeDomain(input.domain) : null;
    await this.d.hooks.run('site:beforeCreate', { accountId, name: input.name.trim(), domain });
    return this.d.db.transaction(async () => {
      const site = await this.d.db.scope(accountId).create(this.d.models.Site, {
        id: newId(), name: input.name.trim(), appId: randomToken(12), domain, widget: { ...DEFAULT_WIDGET }, identitySecret: randomBytes(32).toString('hex'), identityRequired: false,
      });
      this.d.events.emit('site.created', { accountId, siteId: site.id });
      return site.get({ plain: true });
    });
  }

  async list(accountId: string): Promise<SiteAttrs[]> {
    const rows = await this.d.db.scope(accountId).findAll(this.d.models.Site, { order: [['createdAt', 'ASC']] });
    return rows.map((r) => r.get({ plain: true }));
  }

  async get(accountId: string, id: string): Promise<SiteAttrs> {
    const site = await this.d.db.scope(accountId).findById(this.d.models.Site, id);
    if (!site) throw SiteErrors.notFound('No site with this id in your account.');
    return site.get({ plain: true });
  }

  async update(accountId: string, id: string, patch: { name?: string; domain?: string | null; widget?: Partial<WidgetConfig>; identityVerification?: { required?: boolean; rotateSecret?: boolean } }): Promise<SiteAttrs> {
    return this.d.db.transaction(async () => {
      const scope = this.d.db.scope(accountId);
      const site = await scope.findById(this.d.models.Site, id);
      if (!site) throw SiteErrors.notFound('No site with this id in your account.');
      const changes: Partial<SiteAttrs> = {};
      if (patch.name !== undefined) changes.name = patch.name.trim();
      if (patch.domain !== undefined) changes.domain = patch.domain ? normalizeDomain(patch.domain) : null;
      if (patch.widget) changes.widget = { ...DEFAULT_WIDGET, ...(site.widget as object), ...validateWidgetPatch(patch.widget) };
      if (patch.identityVerification?.required !== undefined) changes.identityRequired = patch.identityVerification.required;
      if (patch.identityVerification?.rotateSecret) changes.identitySecret = randomBytes(32).toString('hex');
      if (Object.keys(changes).length) await scope.update(this.d.models.Site, changes, { id });
      this.cache.delete(`app:${site.appId}`);
      this.cache.delete(`site:${accountId}:${site.id}`);
      const { identitySecret: _s, ...safe } = changes;
      this.d.events.emit('site.updated', { accountId, siteId: id, changes: safe });
      return { ...site.get({ plain: true }), ...changes };
    });
  }

  async remove(accountId: string, id: string): Promise<void> {
    await this.d.db.transaction(async () => {
      const site = await this.d.db.scope(accountId).findById(this.d.models.Site, id);
      if (!site) throw SiteErrors.notFound('No site with this id in your account.');
      await this.d.db.scope(accountId).destroy(this.d.models.Site, { id });
      this.cache.delete(`app:${site.appId}`);
      this.cache.delete(`site:${accountId}:${site.id}`);
      this.d.events.emit('site.deleted', { accountId, siteId: id });
    });
  }

  /**
   * Finds a site by its public appId (widget boot) — a lookup across tenants by design;
   * the result carries its accountId, which scopes everything after. Cached briefly.
   */
  async byAppId(appId: string): Promise<SiteAttrs | null> {
    if (typeof appId !== 'string' || appId.length > 64) return null;
    return this.cached(`app:${appId}`, () => this.d.db.withoutTenant('widget: site by public appId', () => this.d.models.Site.findOne({ where: { appId } })));
  }

  /** The site of an authenticated visitor (cached briefly, for the per-request Origin check). */
  async byIdForAccount(accountId: string, siteId: string): Promise<SiteAttrs | null> {
    // Keyed by account too: a cached site must never answer for another account (or for an appId lookup).
    return this.cached(`site:${accountId}:${siteId}`, () => this.d.db.scope(accountId).findById(this.d.models.Site, siteId));
  }

  private async cached(key: string, load: () => Promise<{ get(o: { plain: true }): SiteAttrs } | null>): Promise<SiteAttrs | null> {
    const hit = this.cache.get(key);
    if (hit && Date.now() - hit.at < 5000) return hit.site;
    const row = await load();
    const site = row ? row.get({ plain: true }) : null;
    this.cache.set(key, { at: Date.now(), site });
    if (this.cache.size > 5000) this.cache.delete(this.cache.keys().next().value as string);
    return site;
  }
}

export { CoreErrors };
