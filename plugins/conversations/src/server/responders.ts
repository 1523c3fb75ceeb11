import type { Cradle, JobContext, ResponderApi, ResponderTurn } from '@charla/core';
import { modelsOf, type ConversationRow } from './models.js';

/** The job that runs a visitor message's responder turn (one per message: its dedupe key). */
export const RESPOND_JOB = 'conversations.respond';

/** A hand-off note longer than this is cut (ResponderHandOff.note). */
const MAX_NOTE_CHARS = 4000;

export interface RespondPayload { accountId: string; conversationId: string; messageId: string }

/** Responders stay silent once a human agent answered publicly or the conversation was handed off. */
function silenced(conv: ConversationRow): boolean {
  return !!conv.firstResponseAt || !!conv.handedOffAt;
}

/**
 * One responder turn for a stored visitor message (docs/plugins.md "Automated
 * responders"). Queued with the message (dedupe key `respond:<messageId>`); the turn's
 * row in `responder_turns`, keyed by the message id, makes it run at most once however
 * often the job is delivered or however many instances take it. The responders are
 * asked in order — only the claiming one, once a responder answered — until one replies
 * or hands off.
 */
export async function runResponderTurn(c: Cradle, p: RespondPayload, job: JobContext): Promise<void> {
  const m = modelsOf(c.db);
  const scope = c.db.scope(p.accountId);
  const message = await scope.findOne(m.Message, { where: { id: p.messageId, conversationId: p.conversationId } });
  // Never answer a bot (or anyone but the visitor).
  if (!message || message.senderType !== 'visitor') return;
  const conv = await scope.findById(m.Conversation, p.conversationId);
  if (!conv || silenced(conv)) return;
  const claimed = await c.db.transaction(() => scope.create(m.ResponderTurn, { id: p.messageId, conversationId: p.conversationId }))
    .then(() => true, (err: unknown) => {
      if ((err as Error).name === 'SequelizeUniqueConstraintError') return false;
      throw err;
    });
  if (!claimed) return;
  const all = await c.responders.forAccount(p.accountId);
  const chain = conv.responder ? all.filter((r) => r.name === conv.responder) : all;
  const turn: ResponderTurn = {
    accountId: p.accountId, siteId: conv.siteId, conversationId: conv.id, visitorId: conv.visitorId,
    messageId: message.id, content: message.content, claimedBy: conv.responder,
  };
  for (const r of chain) {
    let acted = false;
    const api: ResponderApi = {
      signal: job.signal,
      reply: async (content, options) => {
        acted = true;
        return c.db.transaction(async () => {
          const now = await scope.findById(m.Conversation, conv.id);
          if (!now || silenced(now)) return false;
          if (now.responder !== r.name) await scope.update(m.Conversation, { responder: r.name }, { id: conv.id });
          await c.messages.post({
            accountId: p.accountId, conversationId: conv.id, senderType: 'bot', senderId: null, content,
            metadata: { ...options?.metadata, responder: r.name },
          });
          return true;
        });
      },
      handOff: async (options = {}) => {
        acted = true;
        await c.db.transaction(async () => {
          const handed = await c.conversations.handOff(p.accountId, conv.id, r.name, { status: options.status });
          const note = options.note?.trim().slice(0, MAX_NOTE_CHARS);
          if (!handed || !note) return;
          await c.messages.post({
            accountId: p.accountId, conversationId: conv.id, senderType: 'bot', senderId: null, content: note, private: true,
            metadata: { responder: r.name, handOff: true },
          });
        });
      },
    };
    await r.respond(turn, api);
    if (acted) return;
  }
}
