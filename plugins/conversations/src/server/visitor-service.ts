import { createHmac, timingSafeEqual } from 'node:crypto';
import { CoreErrors, Op, newId, originMatchesDomain, type Cradle, type SiteAttrs, type TokenClaims, type VisitorActor, type WidgetModuleRef } from '@charla/core';
import { availabilityOf, type Availability } from './availability.js';
import { ConversationErrors } from './errors.js';
import { requestEmailConfirmation } from './email-confirmation.js';
import { modelsOf, type VisitorRow } from './models.js';
import { selfVisitorView, visitorConversationView, visitorView, type VisitorConversationView } from './views.js';

const VISITOR_TOKEN_TTL = 365 * 24 * 3600;
const NEW_VISIT_AFTER_MS = 30 * 60 * 1000;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export interface UserInput {
  email?: string;
  name?: string;
  externalId?: string;
  userHash?: string;
  attributes?: Record<string, unknown>;
}

export interface InitInput {
  appId: string;
  visitorToken?: string;
  user?: UserInput;
  page?: { url: string; title?: string; referrer?: string };
  locale?: string;
  /** `web` (default: the widget) or `app` (a mobile SDK). */
  channel?: 'web' | 'app';
}

export interface RequestInfo {
  ip: string;
  origin?: string;
  userAgent?: string;
  acceptLanguage?: string;
  /** ISO 3166-1 alpha-2 country from the trusted proxy's header (VISITOR_COUNTRY_HEADER, only behind TRUST_PROXY). */
  country?: string;
}

/** HMAC-SHA256(site secret, value) in hex — what a site's backend computes for `userHash`. */
export function userHashFor(secret: string, value: string): string {
  return createHmac('sha256', secret).update(value).digest('hex');
}

function hashMatches(secret: string, value: string, given: string | undefined): boolean {
  if (typeof given !== 'string' || !given) return false;
  const expected = Buffer.from(userHashFor(secret, value), 'utf8');
  const actual = Buffer.from(given.toLowerCase(), 'utf8');
  // Equal lengths first: timingSafeEqual throws on a length mismatch.
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Checks custom attributes: plain values, sane keys, no prototype keys. */
export function cleanAttributes(input: unknown): Record<string, unknown> {
  if (input === undefined || input === null) return {};
  if (typeof input !== 'object' || Array.isArray(input)) throw ConversationErrors.badAttributes('attributes must be an object of name → value.');
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const entries = Object.entries(input as Record<string, unknown>);
  if (entries.length > 100) throw ConversationErrors.badAttributes('attributes may have at most 100 keys.');
  for (const [k, v] of entries) {
    if (FORBIDDEN_KEYS.has(k) || !/^[A-Za-z0-9_.-]{1,64}$/.test(k)) throw ConversationErrors.badAttributes(`attribute name "${k.slice(0, 64)}" is not allowed: use letters, digits, _ . - (max 64).`);
    if (v !== null && !['string', 'number', 'boolean'].includes(typeof v)) throw ConversationErrors.badAttributes(`attribute "${k}" must be a string, number, boolean or null.`);
    if (typeof v === 'string' && v.length > 2000) throw ConversationErrors.badAttributes(`attribute "${k}" is longer than 2000 characters.`);
    if (typeof v === 'number' && !Number.isFinite(v)) throw ConversationErrors.badAttributes(`attribute "${k}" must be a finite number.`);
    out[k] = v;
  }
  return { ...out };
}

export function safeUrl(raw: string | undefined | null): string | null {
  if (!raw) return null;
  try {
    const u = new URL(raw);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    return u.href.slice(0, 2000);
  } catch {
    return null;
  }
}

function localeParts(locale: string | undefined): { language: string | null; country: string | null } {
  if (!locale) return { language: null, country: null };
  const m = /^([a-zA-Z]{2,3})(?:[-_]([a-zA-Z]{2}))?/.exec(locale.trim());
  if (!m) return { language: null, country: null };
  return { language: m[1].toLowerCase() + (m[2] ? `-${m[2].toUpperCase()}` : ''), country: m[2] ? m[2].toUpperCase() : null };
}

export interface InitResult {
  visitorToken: string;
  visitor: { id: string; name?: string; email?: string };
  site: { id: string; name: string; widget: Record<string, unknown> } & Availability;
  conversations: VisitorConversationView[];
  extensions: Record<string, unknown>;
  /** The widget modules of the plugins on for this account, with their per-visitor data. */
  plugins: WidgetModuleRef[];
}

/** Visitors: widget boot, identity (with HMAC verification), page views, tracked events, tokens. */
export class VisitorService {
  constructor(private readonly c: Cradle) {}

  issueToken(v: Pick<VisitorRow, 'id' | 'accountId' | 'siteId' | 'tokenVersion'>): string {
    return this.c.tokens.sign({ typ: 'visitor', sub: v.id, acc: v.accountId, site: v.siteId, ver: v.tokenVersion }, VISITOR_TOKEN_TTL);
  }

  /** Registered as the kernel's visitor authenticator: the token's version must be current. */
  authenticate = async (claims: TokenClaims): Promise<VisitorActor | null> => {
    if (typeof claims.site !== 'string' || typeof claims.ver !== 'number') return null;
    const v = await this.c.db.scope(claims.acc).findById(modelsOf(this.c.db).Visitor, claims.sub);
    if (!v || v.siteId !== claims.site || v.tokenVersion !== claims.ver) return null;
    return { kind: 'visitor', accountId: v.accountId, siteId: v.siteId, visitorId: v.id, tokenVersion: v.tokenVersion };
  };

  private async tokenVisitor(token: string | undefined, site: SiteAttrs): Promise<VisitorRow | null> {
    if (!token) return null;
    const claims = this.c.tokens.verify(token, 'visitor');
    if (!claims || claims.acc !== site.accountId || claims.site !== site.id) return null;
    const v = await this.c.db.scope(site.accountId).findById(modelsOf(this.c.db).Visitor, claims.sub);
    return v && v.tokenVersion === claims.ver ? v.get({ plain: true }) : null;
  }

  async siteForWidget(appId: string, origin: string | undefined): Promise<SiteAttrs> {
    const site = await this.c.sites.byAppId(appId);
    if (!site) throw ConversationErrors.siteNotFound('No site has this appId. Check the data-app-id of your snippet.');
    if (await this.c.entitlements.suspended(site.accountId)) throw CoreErrors.accountSuspended('This account is suspended by the instance operator; the widget is off until it is resumed.');
    if (origin && !originMatchesDomain(origin, site.domain)) throw ConversationErrors.originForbidden(`This site only allows the widget on ${site.domain} and its subdomains.`);
    return site;
  }

  async init(input: InitInput, req: RequestInfo): Promise<InitResult> {
    await this.c.rateLimiter.consume(`widget-init:${req.ip}`, this.c.config.rateLimits.widgetInitPerIp, 'widget starts from this address');
    const site = await this.siteForWidget(input.appId, req.origin);
    const { db, events, hooks, clock } = this.c;
    const { Visitor, Conversation, PageView } = modelsOf(this.c.db);
    const scope = db.scope(site.accountId);
    const now = clock.now();
    const locale = localeParts(input.locale ?? req.acceptLanguage?.split(',')[0]);

    let visitor = await this.tokenVisitor(input.visitorToken, site);
    if (input.user && (input.user.email || input.user.externalId || input.user.name || input.user.attributes)) {
      visitor = await this.applyIdentity(site, visitor, input.user, req);
    }
    const result = await db.transaction(async () => {
      if (!visitor) {
        const created = await scope.create(Visitor, {
          id: newId(), siteId: site.id, externalId: null, email: null, emailVerified: false, name: null, verified: false, attributes: {},
          country: req.country ?? locale.country, language: locale.language, firstSeenAt: now, lastSeenAt: now, visitCount: 1, pageViewCount: 0,
          currentUrl: null, currentTitle: null, userAgent: req.userAgent?.slice(0, 300) ?? null, channel: input.channel ?? 'web', tokenVersion: 1,
        });
        visitor = created.get({ plain: true });
        events.emit('visitor.created', { accountId: site.accountId, siteId: site.id, visitorId: visitor.id });
      } else {
        const newVisit = now.getTime() - new Date(visitor.lastSeenAt).getTime() > NEW_VISIT_AFTER_MS;
        const changes: Partial<VisitorRow> = { lastSeenAt: now, channel: input.channel ?? 'web' };
        if (newVisit) changes.visitCount = Number(visitor.visitCount) + 1;
        if (locale.language) changes.language = locale.language;
        if (req.country) changes.country = req.country;
        else if (locale.country && !visitor.country) changes.country = locale.country;
        if (req.userAgent) changes.userAgent = req.userAgent.slice(0, 300);
        await scope.update(Visitor, changes, { id: visitor.id });
        visitor = { ...visitor, ...changes };
      }
      const v = visitor;
      const pageUrl = safeUrl(input.page?.url);
      if (pageUrl) {
        const title = input.page?.title?.slice(0, 300) ?? null;
        await scope.create(PageView, { id: newId(), siteId: site.id, visitorId: v.id, url: pageUrl, title, referrer: safeUrl(input.page?.referrer), createdAt: now } as never);
        await scope.update(Visitor, { currentUrl: pageUrl, currentTitle: title, pageViewCount: Number(v.pageViewCount ?? 0) + 1 }, { id: v.id });
        v.pageViewCount = Number(v.pageViewCount ?? 0) + 1;
        events.emit('visitor.page_viewed', { accountId: site.accountId, siteId: site.id, visitorId: v.id, url: pageUrl, title, at: now.toISOString() });
      }
      return v;
    });
    const convRows = await scope.findAll(Conversation, { where: { visitorId: result.id }, order: [['lastActivityAt', 'DESC']], limit: 50 });
    const availability = await availabilityOf(this.c, site, now);
    const ext = await hooks.run('widget:init', { accountId: site.accountId, siteId: site.id, visitorId: result.id, extra: {} });
    const [names, plugins] = await Promise.all([
      this.c.conversations.assigneeNames(site.accountId, convRows.map((c) => c.assigneeId)),
      this.c.widgetContributions.forVisitor({ accountId: site.accountId, siteId: site.id, visitorId: result.id }),
    ]);
    return {
      visitorToken: this.issueToken(result),
      visitor: selfVisitorView(result),
      site: { id: site.id, name: site.name, widget: this.c.sites.view(site, null).widget as unknown as Record<string, unknown>, ...availability },
      conversations: convRows.map((c) => visitorConversationView(c, c.assigneeId ? names.get(c.assigneeId) : null)),
      extensions: ext.extra,
      plugins,
    };
  }

  /**
   * Applies identity data. `userHash` proves one value only: the externalId when one is
   * sent, else the e-mail. With it the visitor becomes (or joins) the verified contact of
   * that value, across devices; every other field beside it is contact data the browser
   * typed, never matched or merged on (and an unproved e-mail is never e-mailed). Without
   * a valid hash the data only labels the current anonymous visitor — and on a site that
   * requires verification it is refused whole (401).
   */
  private async applyIdentity(site: SiteAttrs, current: VisitorRow | null, user: UserInput, req: RequestInfo): Promise<VisitorRow | null> {
    const keyField = user.externalId ? 'externalId' : user.email ? 'email' : null;
    const key = keyField ? user[keyField] : undefined;
    const verified = !!key && hashMatches(site.identitySecret, key, user.userHash);
    if (site.identityRequired && !verified) {
      throw ConversationErrors.identityRejected(!key
        ? 'This site requires identity verification: name and attributes are only accepted with externalId or email and userHash = HMAC-SHA256(site secret, externalId or email).'
        : user.userHash ? 'userHash does not match this user: compute HMAC-SHA256(site secret, externalId or email) on your server.' : 'This site requires identity verification: send userHash = HMAC-SHA256(site secret, externalId or email).');
    }
    const attributes = cleanAttributes(user.attributes);
    const { db, events, hooks, clock } = this.c;
    const { Visitor, Conversation } = modelsOf(this.c.db);
    const scope = db.scope(site.accountId);
    const payload = await hooks.run('visitor:beforeIdentify', { accountId: site.accountId, siteId: site.id, visitorId: current?.id ?? '', user: { email: user.email, name: user.name, externalId: user.externalId, attributes }, verified });
    const u = payload.user;
    const now = clock.now();
    const email = u.email ? u.email.toLowerCase().slice(0, 320) : undefined;
    const emailProved = verified && keyField === 'email';
    return db.transaction(async () => {
      let target: VisitorRow | null = current;
      let mergedFrom: string | undefined;
      if (verified) {
        // Only the hashed value finds the contact: an e-mail contact is one whose address was proved.
        const where = keyField === 'externalId' ? { externalId: key } : { email: key!.toLowerCase(), emailVerified: true, externalId: null };
        const existing = await scope.findOne(Visitor, { where: { siteId: site.id, verified: true, ...where }, order: [['createdAt', 'ASC']] });
        if (existing && existing.id !== current?.id) {
          if (current) {
            // The anonymous visitor just proved to be this contact: its conversations follow.
            await scope.update(Conversation, { visitorId: existing.id }, { visitorId: current.id });
            await scope.update(Visitor, { tokenVersion: Number(current.tokenVersion) + 1 }, { id: current.id });
            mergedFrom = current.id;
            this.c.events.system('visitor-token', { visitorId: current.id, version: Number(current.tokenVersion) + 1 });
          }
          target = existing.get({ plain: true });
        }
      } else if (current?.verified && key && key !== (current.externalId ?? current.email)) {
        target = null; // an unverified identity never rewrites a verified contact
      }
      // A proved address is never replaced by a typed one; a typed one is never "proved".
      const keepEmail = !!target?.emailVerified && !emailProved && email !== target.email;
      const changes: Partial<VisitorRow> = {
        ...(email && !keepEmail ? { email, emailVerified: emailProved || (!!target?.emailVerified && email === target.email) } : {}),
        ...(u.name ? { name: u.name.slice(0, 200) } : {}),
        ...(u.externalId && (keyField === 'externalId' || !target?.verified) ? { externalId: u.externalId.slice(0, 200) } : {}),
        // A contact proved by e-mail carries no unproved externalId another login could match on.
        ...(emailProved ? { externalId: null } : {}),
        ...(verified ? { verified: true } : {}),
        lastSeenAt: now,
      };
      const previousEmail = target?.email ?? null;
      if (target) {
        changes.attributes = { ...((target.attributes as Record<string, unknown>) ?? {}), ...(u.attributes ?? {}) };
        await scope.update(Visitor, changes, { id: target.id });
        target = { ...target, ...changes };
      } else {
        const created = await scope.create(Visitor, {
          id: newId(), siteId: site.id, externalId: null, email: null, emailVerified: false, name: null, verified: false, attributes: u.attributes ?? {},
          country: req.country ?? null, language: null, firstSeenAt: now, lastSeenAt: now, visitCount: 1, pageViewCount: 0, currentUrl: null, currentTitle: null,
          userAgent: req.userAgent?.slice(0, 300) ?? null, channel: 'web', tokenVersion: 1, ...changes,
        });
        target = created.get({ plain: true });
        events.emit('visitor.created', { accountId: site.accountId, siteId: site.id, visitorId: target.id });
      }
      // A newly typed address gets a confirmation link; replies are e-mailed only once it is proved.
      if (target.email && !target.emailVerified && target.email !== previousEmail) await requestEmailConfirmation(this.c, site, { id: target.id, email: target.email });
      events.emit('visitor.identified', { accountId: site.accountId, siteId: site.id, visitorId: target.id, verified, ...(mergedFrom ? { mergedFrom } : {}) });
      events.publish(`account:${site.accountId}`, 'visitor:updated', { visitor: visitorView(target) }, 'agents');
      return target;
    });
  }

  /** `POST /widget/identify`: returns a new token; the old one stops working (REST and sockets). */
  async identify(actor: VisitorActor, user: UserInput, req: RequestInfo): Promise<{ visitorToken: string; visitor: { id: string; name?: string; email?: string } }> {
    const site = await this.c.sites.byIdForAccount(actor.accountId, actor.siteId);
    if (!site) throw ConversationErrors.siteNotFound('The site of this visitor no longer exists.');
    const scope = this.c.db.scope(actor.accountId);
    const { Visitor } = modelsOf(this.c.db);
    const currentRow = await scope.findById(Visitor, actor.visitorId);
    if (!currentRow) throw ConversationErrors.siteNotFound('Visitor not found.');
    const target = (await this.applyIdentity(site, currentRow.get({ plain: true }), user, req))!;
    if (target.id !== actor.visitorId) {
      // Joined another (verified) contact: the old visitor's token was already retired; the contact's other devices keep theirs.
      return { visitorToken: this.issueToken(target), visitor: selfVisitorView(target) };
    }
    const version = Number(target.tokenVersion) + 1;
    await this.c.db.transaction(async () => {
      await scope.update(Visitor, { tokenVersion: version }, { id: target.id });
      this.c.events.system('visitor-token', { visitorId: target.id, version });
    });
    const fresh = { ...target, tokenVersion: version };
    return { visitorToken: this.issueToken(fresh), visitor: selfVisitorView(fresh) };
  }

  async page(actor: VisitorActor, input: { url: string; title?: string; referrer?: string }): Promise<void> {
    const url = safeUrl(input.url);
    if (!url) throw ConversationErrors.badUrl('url must be an absolute http(s) URL.');
    const title = input.title?.slice(0, 300) ?? null;
    const { db, events } = this.c;
    const { Visitor, PageView } = modelsOf(this.c.db);
    const scope = db.scope(actor.accountId);
    const now = this.c.clock.now();
    await db.transaction(async () => {
      const before = await scope.findById(Visitor, actor.visitorId);
      if (!before) return;
      await scope.create(PageView, { id: newId(), siteId: actor.siteId, visitorId: actor.visitorId, url, title, referrer: safeUrl(input.referrer), createdAt: now } as never);
      await scope.update(Visitor, { currentUrl: url, currentTitle: title, ...this.activity(before, now), pageViewCount: Number(before.pageViewCount ?? 0) + 1 }, { id: actor.visitorId });
      events.emit('visitor.page_viewed', { accountId: actor.accountId, siteId: actor.siteId, visitorId: actor.visitorId, url, title, at: now.toISOString() });
      const v = await scope.findById(Visitor, actor.visitorId);
      if (v) events.publish(`account:${actor.accountId}`, 'visitor:updated', { visitor: visitorView(v) }, 'agents');
    });
    await this.c.presence.setMeta('visitor', actor.visitorId, { siteId: actor.siteId, currentUrl: url, currentTitle: title });
  }

  /** `lastSeenAt` now, and a new visit (session) after 30 minutes without activity. */
  private activity(v: Pick<VisitorRow, 'lastSeenAt' | 'visitCount'>, now: Date): Partial<VisitorRow> {
    const newVisit = now.getTime() - new Date(v.lastSeenAt).getTime() > NEW_VISIT_AFTER_MS;
    return { lastSeenAt: now, ...(newVisit ? { visitCount: Number(v.visitCount) + 1 } : {}) };
  }

  async track(actor: VisitorActor, input: { name: string; properties?: Record<string, unknown> }): Promise<void> {
    const properties = cleanAttributes(input.properties);
    const { db, events } = this.c;
    const { Visitor } = modelsOf(this.c.db);
    await db.transaction(async () => {
      const v = await db.scope(actor.accountId).findById(Visitor, actor.visitorId);
      if (v) await db.scope(actor.accountId).update(Visitor, this.activity(v, this.c.clock.now()), { id: actor.visitorId });
      await db.scope(actor.accountId).create(modelsOf(this.c.db).TrackedEvent, { id: newId(), siteId: actor.siteId, visitorId: actor.visitorId, name: input.name, properties });
      events.emit('event.tracked', { accountId: actor.accountId, siteId: actor.siteId, visitorId: actor.visitorId, name: input.name, properties });
    });
  }

  /** A visitor with its recent pages and online state (agent view). */
  async forAgent(accountId: string, visitorId: string) {
    const scope = this.c.db.scope(accountId);
    const v = await scope.findById(modelsOf(this.c.db).Visitor, visitorId);
    if (!v) return null;
    const pages = await scope.findAll(modelsOf(this.c.db).PageView, { where: { visitorId }, order: [['createdAt', 'DESC']], limit: 20 });
    return visitorView(v, { online: await this.c.presence.isOnline('visitor', visitorId), pages });
  }

  /** Visitors online now (per site when given), with their current page. */
  async online(accountId: string, siteId?: string) {
    const list = await this.c.presence.online('visitor', accountId);
    const ids = list.map((e) => e.id).slice(0, 500);
    if (!ids.length) return [];
    const rows = await this.c.db.scope(accountId).findAll(modelsOf(this.c.db).Visitor, { where: { id: { [Op.in]: ids }, ...(siteId ? { siteId } : {}) } });
    return rows.map((v) => visitorView(v, { online: true }));
  }
}
