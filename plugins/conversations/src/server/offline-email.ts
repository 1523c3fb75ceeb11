import { Op, originMatchesDomain, type Cradle } from '@charla/core';
import { modelsOf } from './models.js';

/**
 * Job `conversations.offline-email`: e-mails a visitor the agent replies they have not
 * seen (seq above both what they read and what was already e-mailed), in one message,
 * with a link back to the page they were on. Nothing is sent if they came back online
 * and read them meanwhile.
 *
 * The mail comes from the company's sender, so nothing in it is the visitor's: only a
 * proved address gets it (hashed by the site, or confirmed by link — a typed one could
 * be anybody's), the greeting names nobody, and the link is the visitor's page only when
 * it is on the site's domain (else the site's home page, or none without a domain).
 */
export async function sendOfflineEmail(c: Cradle, payload: { accountId: string; conversationId: string }): Promise<void> {
  const { db } = c;
  const m = modelsOf(db);
  const scope = db.scope(payload.accountId);
  const conv = await scope.findById(m.Conversation, payload.conversationId);
  if (!conv) return;
  const visitor = await scope.findById(m.Visitor, conv.visitorId);
  if (!visitor?.email || !visitor.emailVerified) return;
  if (await c.presence.isOnline('visitor', visitor.id)) return;
  const floor = Math.max(Number(conv.visitorReadSeq), Number(conv.emailedSeq));
  const unseen = await scope.findAll(m.Message, { where: { conversationId: conv.id, seq: { [Op.gt]: floor }, private: false, senderType: { [Op.ne]: 'visitor' } }, order: [['seq', 'ASC']], limit: 50 });
  if (!unseen.length) return;
  const maxSeq = Number(unseen[unseen.length - 1].seq);
  // Claim the batch first so a concurrent job for the same conversation sends nothing twice.
  const claimed = await scope.update(m.Conversation, { emailedSeq: maxSeq }, { id: conv.id, emailedSeq: conv.emailedSeq });
  if (claimed !== 1) return;
  const site = await c.sites.byIdForAccount(payload.accountId, conv.siteId);
  const link = onSiteDomain(visitor.currentUrl, site?.domain ?? null) ?? (site?.domain ? `https://${site.domain}/` : null);
  const lines = unseen.map((msg) => {
    const who = (msg.metadata as { authorName?: string } | null)?.authorName ?? (msg.senderType === 'bot' ? 'Bot' : 'Support');
    return `${who}:\n${msg.content}\n`;
  });
  await c.mailer.send({
    to: visitor.email,
    subject: `New reply from ${site?.name ?? 'support'}`,
    text: `Hello,\n\nYou have ${unseen.length === 1 ? 'a new reply' : `${unseen.length} new replies`} to your conversation with ${site?.name ?? 'us'}:\n\n${lines.join('\n')}\n${link ? `Continue the conversation: ${link}\n` : 'Reply on our website to continue the conversation.\n'}`,
  });
}

/** `url` when it is an http(s) page on `domain` or a subdomain; null otherwise (and without a domain). */
function onSiteDomain(url: string | null, domain: string | null): string | null {
  if (!url || !domain || !/^https?:\/\//i.test(url)) return null;
  return originMatchesDomain(url, domain) ? url : null;
}
