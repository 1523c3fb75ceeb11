import { Op, newId, type Cradle, type VisitorActor, type AgentActor, type ApiKeyActor } from '@charla/core';
import { ConversationErrors, MAX_MESSAGE_LENGTH } from './errors.js';
import { modelsOf, type ConversationRow, type MessageRow, type SenderType } from './models.js';
import { snapshot } from './views.js';
import { RESPOND_JOB, type RespondPayload } from './responders.js';

/** A reply or private note from the team side (an agent or an integration's API key). */
type TeamReply = { content: string; clientId?: string; private?: boolean };

export interface PostInput {
  accountId: string;
  conversationId: string;
  senderType: SenderType;
  senderId: string | null;
  content: string;
  private?: boolean;
  clientId?: string | null;
  metadata?: Record<string, unknown> | null;
  /** The caller has just checked `clientId` for a repeat (it is not checked again). */
  checkedDuplicate?: boolean;
  /** Store only if the conversation belongs to this visitor (checked by the seq increment itself). */
  expectVisitorId?: string;
  /** The assignee's name as read before the transaction; used when the assignee is still the same. */
  assignee?: { id: string | null; name: string | null };
}

export interface PostResult {
  message: MessageRow;
  conversation: ConversationRow;
  /** True when `clientId` repeated an earlier send: nothing new was stored. */
  duplicate: boolean;
  /** The assignee's name as published with the message (absent for duplicates: callers look it up). */
  assigneeName?: string | null;
}

/** Normalizes message text: trimmed, not empty, at most 10,000 characters. */
export function checkContent(content: unknown): string {
  if (typeof content !== 'string') throw ConversationErrors.emptyMessage('content must be a string.');
  const text = content.replace(/\r\n/g, '\n').trim();
  if (!text) throw ConversationErrors.emptyMessage('content is empty: write something.');
  if (text.length > MAX_MESSAGE_LENGTH) throw ConversationErrors.messageTooLong(`content is ${text.length} characters; the limit is ${MAX_MESSAGE_LENGTH}.`);
  return text;
}

/** Storing messages (ordered by a per-conversation seq, idempotent by clientId) and read receipts. */
export class MessageService {
  constructor(private readonly c: Cradle) {}

  private get m() {
    return modelsOf(this.c.db);
  }

  async findByClientId(accountId: string, senderType: SenderType, senderId: string | null, clientId: string): Promise<MessageRow | null> {
    const row = await this.c.db.scope(accountId).findOne(this.m.Message, { where: { senderType, senderId, clientId } });
    return row ? row.get({ plain: true }) : null;
  }

  /**
   * Two sends of one clientId at the same moment both pass the duplicate check; the
   * unique index (account, sender, clientId) refuses the second insert. Called after
   * that transaction rolled back: the repeat gets the first message, as any repeat does.
   */
  async duplicateAfterConflict(err: unknown, accountId: string, senderType: SenderType, senderId: string | null, clientId: string | null | undefined): Promise<PostResult> {
    if (!clientId || (err as Error | null)?.name !== 'SequelizeUniqueConstraintError' || this.c.db.currentTransaction()) throw err;
    const dup = await this.findByClientId(accountId, senderType, senderId, clientId);
    if (!dup) throw err;
    const conv = await this.c.db.scope(accountId).findById(this.m.Conversation, dup.conversationId);
    return { message: dup, conversation: conv!.get({ plain: true }), duplicate: true };
  }

  /**
   * Stores a message in the current transaction (opening one if needed): takes the next
   * `seq` of its conversation with an atomic UPDATE … RETURNING (row lock), which also
   * returns the conversation, updates the conversation's counters, and queues the
   * domain event and the realtime fan-out for after commit.
   *
   * Only the writes run inside the transaction (on SQLite, inside the one write queue):
   * the duplicate check and the assignee's name are read before it when no transaction
   * is open yet, and `checkedDuplicate` skips the check for a caller that just made it.
   */
  async post(input: PostInput): Promise<PostResult> {
    const { db, hooks, events, clock } = this.c;
    const content = checkContent(input.content);
    const hooked = await hooks.run('message:beforeCreate', {
      accountId: input.accountId, conversationId: input.conversationId, senderType: input.senderType, senderId: input.senderId,
      content, private: !!input.private, metadata: input.metadata ?? null,
    });
    const finalContent = checkContent(hooked.content);
    if (hooked.metadata?.blocks !== undefined) {
      const bad = this.c.messageBlocks.problems(hooked.metadata.blocks);
      if (bad.length) throw ConversationErrors.badBlocks(`Invalid message blocks: ${bad.join('; ')}.`);
    }
    const isPrivate = input.senderType === 'visitor' ? false : hooked.private;
    const dupOf = async (dup: MessageRow): Promise<PostResult> => {
      const conv = await db.scope(input.accountId).findById(this.m.Conversation, dup.conversationId);
      return { message: dup, conversation: conv!.get({ plain: true }), duplicate: true };
    };
    const outside = !db.currentTransaction();
    let checked = !!input.checkedDuplicate || !input.clientId;
    if (!checked && outside) {
      // Before the transaction: a concurrent repeat that slips past is refused by the
      // unique index, and duplicateAfterConflict answers it with the first message.
      const dup = await this.findByClientId(input.accountId, input.senderType, input.senderId, input.clientId!);
      if (dup) return dupOf(dup);
      checked = true;
    }
    return db.transaction(async () => {
      const scope = db.scope(input.accountId);
      if (!checked) {
        const dup = await this.findByClientId(input.accountId, input.senderType, input.senderId, input.clientId!);
        if (dup) return dupOf(dup);
      }
      const conv = await scope.incrementAndGet(this.m.Conversation, input.conversationId, 'lastSeq', input.expectVisitorId ? { visitorId: input.expectVisitorId } : {});
      if (!conv) throw ConversationErrors.conversationNotFound('No conversation with this id.');
      const seq = Number(conv.lastSeq);
      const now = clock.now();
      const row = await scope.create(this.m.Message, {
        id: newId(), conversationId: input.conversationId, seq, senderType: input.senderType, senderId: input.senderId,
        content: finalContent, private: isPrivate, clientId: input.clientId ?? null, metadata: hooked.metadata, readAt: null, createdAt: now,
      });
      const message = row.get({ plain: true });
      const changes: Partial<ConversationRow> = { lastMessage: snapshot(message), lastActivityAt: now };
      if (!isPrivate) changes.lastPublicMessage = snapshot(message);
      if (input.senderType === 'visitor') {
        changes.unreadByAgents = Number(conv.unreadByAgents) + 1;
        if (!conv.firstVisitorMessageAt) changes.firstVisitorMessageAt = now;
        if (conv.status === 'closed') {
          changes.status = 'open';
          changes.resolvedAt = null;
        }
      } else if (!isPrivate) {
        changes.unreadByVisitor = Number(conv.unreadByVisitor) + 1;
        if (input.senderType === 'agent' && !conv.firstResponseAt) changes.firstResponseAt = now;
      }
      await scope.update(this.m.Conversation, changes, { id: conv.id });
      const next: ConversationRow = { ...conv, ...changes, updatedAt: now };
      events.emit('message.created', {
        accountId: input.accountId, siteId: conv.siteId, conversationId: conv.id, messageId: message.id, seq, senderType: input.senderType,
        senderId: input.senderId, private: isPrivate, content: finalContent, assigneeId: next.assigneeId ?? null,
      });
      // The responder turn runs from the job, after commit, never inside this request.
      if (input.senderType === 'visitor' && this.c.responders.any) {
        const payload: RespondPayload = { accountId: input.accountId, conversationId: conv.id, messageId: message.id };
        await this.c.jobs.enqueue(RESPOND_JOB, { ...payload }, { accountId: input.accountId, dedupeKey: `respond:${message.id}` });
      }
      // The name read before the transaction is used when the assignee is still the same.
      const assigneeName = input.assignee && input.assignee.id === next.assigneeId ? input.assignee.name : await this.c.conversations.assigneeName(input.accountId, next.assigneeId);
      this.c.conversations.publisher.message(next, message, assigneeName);
      if (changes.status) {
        events.emit('conversation.updated', { accountId: input.accountId, conversationId: conv.id, changes: { status: changes.status }, actorId: null });
        this.c.conversations.publisher.conversation(next, { status: changes.status }, assigneeName);
      }
      return { message, conversation: next, duplicate: false, assigneeName };
    });
  }

  /** The visitor sends: to the given conversation, or its latest open one (opened if none). */
  async postFromVisitor(actor: VisitorActor, input: { conversationId?: string; content: string; clientId?: string }): Promise<PostResult> {
    const { db } = this.c;
    const limit = this.c.config.rateLimits.messagesPerVisitor;
    await this.c.rateLimiter.consume(`messages:${actor.visitorId}`, limit, 'messages');
    checkContent(input.content);
    // Reads first, outside the write transaction: the duplicate check (the unique index
    // catches a concurrent repeat), the conversation (its visitor never changes; the
    // increment below checks it again) and its assignee's name.
    if (input.clientId) {
      const dup = await this.findByClientId(actor.accountId, 'visitor', actor.visitorId, input.clientId);
      if (dup) {
        const conv = await db.scope(actor.accountId).findById(this.m.Conversation, dup.conversationId);
        return { message: dup, conversation: conv!.get({ plain: true }), duplicate: true };
      }
    }
    const known = input.conversationId ? await this.c.conversations.getForVisitor(actor, input.conversationId) : null;
    const assignee = known ? { id: known.assigneeId, name: await this.c.conversations.assigneeName(actor.accountId, known.assigneeId) } : undefined;
    return db.transaction(async () => {
      const conv = known ?? (await this.c.conversations.openForVisitor(actor)).conversation;
      return this.post({
        accountId: actor.accountId, conversationId: conv.id, senderType: 'visitor', senderId: actor.visitorId, content: input.content, clientId: input.clientId ?? null,
        checkedDuplicate: true, expectVisitorId: actor.visitorId, assignee,
      });
    }).catch((err: unknown) => this.duplicateAfterConflict(err, actor.accountId, 'visitor', actor.visitorId, input.clientId));
  }

  /**
   * A visitor pressed a button of a message's blocks: the button's label is stored as
   * the visitor's message (`metadata.postback` says what was pressed; a second press of
   * the same button answers the first message) and `message.postback` tells the plugin
   * that owns the block type. The new message starts a responder turn like any other.
   */
  async postback(actor: VisitorActor, conversationId: string, input: { messageId: string; buttonId: string }): Promise<PostResult> {
    const { db, events } = this.c;
    await this.c.rateLimiter.consume(`messages:${actor.visitorId}`, this.c.config.rateLimits.messagesPerVisitor, 'messages');
    const conv = await this.c.conversations.getForVisitor(actor, conversationId);
    const source = await db.scope(actor.accountId).findOne(this.m.Message, { where: { id: input.messageId, conversationId: conv.id, private: false } });
    if (!source) throw ConversationErrors.messageNotFound('No such message in this conversation.');
    const pressed = this.c.messageBlocks.findButton(source.metadata?.blocks, input.buttonId);
    if (!pressed) throw ConversationErrors.badPostback(`Message ${input.messageId} has no button "${input.buttonId}".`);
    const clientId = `postback:${source.id}:${input.buttonId}`;
    const dup = await this.findByClientId(actor.accountId, 'visitor', actor.visitorId, clientId);
    if (dup) return { message: dup, conversation: conv, duplicate: true };
    return db.transaction(async () => {
      const r = await this.post({
        accountId: actor.accountId, conversationId: conv.id, senderType: 'visitor', senderId: actor.visitorId, content: pressed.label, clientId,
        metadata: { postback: { messageId: source.id, buttonId: input.buttonId, blockType: pressed.type } }, checkedDuplicate: true, expectVisitorId: actor.visitorId,
      });
      events.emit('message.postback', {
        accountId: actor.accountId, conversationId: conv.id, messageId: r.message.id, sourceMessageId: source.id, buttonId: input.buttonId, blockType: pressed.type, owner: pressed.owner,
      });
      return r;
    }).catch((err: unknown) => this.duplicateAfterConflict(err, actor.accountId, 'visitor', actor.visitorId, clientId));
  }

  async postFromAgent(actor: AgentActor, conversationId: string, input: TeamReply): Promise<PostResult> {
    return this.postAsTeam(actor.accountId, conversationId, actor.userId, { authorName: actor.name }, input);
  }

  /**
   * A reply by an integration (API key with `conversations:write`): an `agent` message
   * with no senderId, authored by the key's name (`metadata.authorName`, `metadata.apiKeyId`),
   * so the visitor sees a team reply and the conversation counts as answered by a human side.
   */
  async postFromApiKey(actor: ApiKeyActor, conversationId: string, input: TeamReply): Promise<PostResult> {
    return this.postAsTeam(actor.accountId, conversationId, null, { authorName: actor.name, apiKeyId: actor.keyId }, input);
  }

  private async postAsTeam(accountId: string, conversationId: string, senderId: string | null, metadata: Record<string, unknown>, input: TeamReply): Promise<PostResult> {
    const conv = await this.c.conversations.get(accountId, conversationId);
    const assignee = { id: conv.assigneeId, name: await this.c.conversations.assigneeName(accountId, conv.assigneeId) };
    const result = await this.post({ accountId, conversationId: conv.id, senderType: 'agent', senderId, content: input.content, clientId: input.clientId ?? null, private: !!input.private, metadata, assignee })
      .catch((err: unknown) => this.duplicateAfterConflict(err, accountId, 'agent', senderId, input.clientId));
    if (!result.duplicate && !result.message.private) await this.scheduleOfflineEmail(result.conversation);
    return result;
  }

  /**
   * Read receipt: marks the other side's messages up to `messageId` as read and resets
   * the reader's unread count. Returns null when nothing changed.
   */
  async markRead(who: { by: 'visitor'; actor: VisitorActor } | { by: 'agent'; actor: AgentActor }, conversationId: string, messageId: string): Promise<{ seq: number } | null> {
    const { db, events, clock } = this.c;
    const conv = who.by === 'visitor' ? await this.c.conversations.getForVisitor(who.actor, conversationId) : await this.c.conversations.get(who.actor.accountId, conversationId);
    const scope = db.scope(conv.accountId);
    const msg = await scope.findOne(this.m.Message, { where: { id: messageId, conversationId, ...(who.by === 'visitor' ? { private: false } : {}) } });
    if (!msg) throw ConversationErrors.messageNotFound('No such message in this conversation.');
    const seq = Number(msg.seq);
    return db.transaction(async () => {
      const readSeqField = who.by === 'visitor' ? 'visitorReadSeq' : 'agentReadSeq';
      const current = (await scope.findById(this.m.Conversation, conversationId))!.get({ plain: true });
      if (Number(current[readSeqField]) >= seq) return null;
      const otherSide = who.by === 'visitor' ? { senderType: { [Op.ne]: 'visitor' }, private: false } : { senderType: 'visitor' };
      await scope.update(this.m.Message, { readAt: clock.now() }, { conversationId, seq: { [Op.lte]: seq }, readAt: null, ...otherSide } as never);
      const unread = await scope.count(this.m.Message, { where: { conversationId, seq: { [Op.gt]: seq }, ...otherSide } as never });
      const changes = who.by === 'visitor' ? { visitorReadSeq: seq, unreadByVisitor: unread } : { agentReadSeq: seq, unreadByAgents: unread };
      await scope.update(this.m.Conversation, changes, { id: conversationId });
      const userId = who.by === 'agent' ? who.actor.userId : null;
      events.emit('message.read', { accountId: conv.accountId, conversationId, messageId, seq, by: who.by, userId });
      events.publish(`conversation:${conversationId}`, 'message:read', { conversationId, messageId, by: who.by, ...(userId ? { userId } : {}) });
      const next = { ...current, ...changes };
      this.c.conversations.publisher.conversation(next, { unreadCount: who.by === 'visitor' ? unread : next.unreadByAgents }, await this.c.conversations.assigneeName(conv.accountId, next.assigneeId));
      return { seq };
    });
  }

  /**
   * Offline continuity: when an agent answers a visitor who left an e-mail and is not
   * connected, the answers go out by e-mail, batched (one job per conversation, a few
   * minutes after the first unsent reply).
   */
  private async scheduleOfflineEmail(conv: ConversationRow): Promise<void> {
    const visitor = await this.c.db.scope(conv.accountId).findById(this.m.Visitor, conv.visitorId);
    if (!visitor?.email) return;
    if (await this.c.presence.isOnline('visitor', visitor.id)) return;
    await this.c.jobs.enqueue('conversations.offline-email', { accountId: conv.accountId, conversationId: conv.id }, { accountId: conv.accountId, delayMs: OFFLINE_EMAIL_DELAY_MS });
  }
}

export const OFFLINE_EMAIL_DELAY_MS = 2 * 60 * 1000;
