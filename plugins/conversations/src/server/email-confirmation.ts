import { timingSafeEqual } from 'node:crypto';
import type { Cradle, SiteAttrs } from '@charla/core';
import { modelsOf } from './models.js';

/**
 * Leave-your-e-mail confirmation. An address a visitor typed is contact data, never
 * e-mailed with replies (it could be anybody's); the visitor proves it by following a
 * signed link mailed to it. That mail carries nothing the visitor wrote: the site's name
 * and domain, a fixed text and the link. At most a few per address and hour.
 */
const TTL_SECONDS = 7 * 24 * 3600;
const PER_ADDRESS = { max: 3, windowSeconds: 3600 };
export const EMAIL_CONFIRMATION_PATH = '/api/v1/widget/email-confirmation';

interface Claim { v: string; a: string; e: string; x: number }

function mac(c: Cradle, body: string): string {
  return c.tokens.mac(`email-confirm:${body}`);
}

/** `<payload>.<HMAC>`: which visitor of which account proves which address, until when. */
export function confirmationToken(c: Cradle, visitor: { id: string; accountId: string; email: string }): string {
  const x = Math.floor(c.clock.now().getTime() / 1000) + TTL_SECONDS;
  const body = Buffer.from(JSON.stringify({ v: visitor.id, a: visitor.accountId, e: visitor.email, x } satisfies Claim)).toString('base64url');
  return `${body}.${mac(c, body)}`;
}

function readConfirmation(c: Cradle, token: unknown): Claim | null {
  if (typeof token !== 'string' || token.length > 1000) return null;
  const [body, sig, extra] = token.split('.');
  if (!body || !sig || extra !== undefined) return null;
  const want = Buffer.from(mac(c, body));
  const got = Buffer.from(sig);
  if (got.length !== want.length || !timingSafeEqual(got, want)) return null;
  try {
    const claim = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Claim;
    if (typeof claim.v !== 'string' || typeof claim.a !== 'string' || typeof claim.e !== 'string' || typeof claim.x !== 'number') return null;
    return claim.x * 1000 > c.clock.now().getTime() ? claim : null;
  } catch {
    return null;
  }
}

/** Queues the confirmation mail for a visitor's newly typed address (quietly skipped past the per-address limit). */
export async function requestEmailConfirmation(c: Cradle, site: SiteAttrs, visitor: { id: string; email: string }): Promise<void> {
  const r = await c.rateLimiter.hit(`email-confirm:${site.id}:${visitor.email}`, PER_ADDRESS);
  if (!r.allowed) return;
  await c.jobs.enqueue('conversations.confirm-email', { accountId: site.accountId, visitorId: visitor.id, email: visitor.email }, { accountId: site.accountId });
}

/** Job `conversations.confirm-email`. */
export async function sendConfirmationEmail(c: Cradle, payload: { accountId: string; visitorId: string; email: string }): Promise<void> {
  const visitor = await c.db.scope(payload.accountId).findById(modelsOf(c.db).Visitor, payload.visitorId);
  if (!visitor || visitor.email !== payload.email || visitor.emailVerified) return; // changed or proved meanwhile
  const site = await c.sites.byIdForAccount(payload.accountId, visitor.siteId);
  if (!site) return;
  const link = `${c.config.publicUrl}${EMAIL_CONFIRMATION_PATH}?token=${confirmationToken(c, { id: visitor.id, accountId: visitor.accountId, email: payload.email })}`;
  await c.mailer.send({
    to: payload.email,
    subject: `Confirm your e-mail address for ${site.name}`,
    text: `Hello,\n\nThis address was entered in the chat on ${site.name}${site.domain ? ` (${site.domain})` : ''} to receive replies by e-mail.\nTo get them, confirm it within 7 days:\n\n${link}\n\nIf it was not you, ignore this e-mail: nothing more will be sent to you.\n`,
  });
}

/** Proves the address of a valid link, if it is still the visitor's; the site's name on success. */
export async function confirmEmail(c: Cradle, token: unknown): Promise<string | null> {
  const claim = readConfirmation(c, token);
  if (!claim) return null;
  const scope = c.db.scope(claim.a);
  const n = await scope.update(modelsOf(c.db).Visitor, { emailVerified: true }, { id: claim.v, email: claim.e });
  if (n !== 1) return null;
  const visitor = await scope.findById(modelsOf(c.db).Visitor, claim.v);
  const site = visitor ? await c.sites.byIdForAccount(claim.a, visitor.siteId) : null;
  return site?.name ?? 'the site';
}
