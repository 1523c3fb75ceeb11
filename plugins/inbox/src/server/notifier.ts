import { Op, newId, type PluginContext } from '@charla/core';
import { ConversationsData } from '@charla/plugin-conversations';
import { preferencesOf, type ConversationRow } from './models.js';
import type { InboxSettings } from './settings.js';

/**
 * E-mail notifications for agents who are not online: new conversations (to everyone
 * who wants them) and new visitor messages (to the assignee). Each notification is a
 * row in `inbox_notifications`; the first one for an agent schedules a digest job
 * after the account's batch window, which sends everything pending in one e-mail
 * (through `core.mail`, retried) — or nothing, if the agent came back online meanwhile.
 */
export class Notifier {
  constructor(private readonly ctx: PluginContext) {}

  private get c() {
    return this.ctx.container.cradle;
  }

  private get data() {
    return this.ctx.services.get(ConversationsData);
  }

  async conversationCreated(accountId: string, conversationId: string): Promise<void> {
    const { db, models } = this.c;
    const conv = await this.data.conversations.get(accountId, conversationId);
    if (!conv) return;
    const users = await db.scope(accountId).findAll(models.User);
    await this.notify(accountId, users.map((u) => u.id), 'conversation', conv, null, 'newConversation');
  }

  /**
   * A visitor wrote: e-mail the assignee when they are offline. `assigneeId` comes with
   * `message.created`, so the common cases (nobody assigned, assignee online) read nothing.
   */
  async visitorMessage(accountId: string, conversationId: string, messageId: string, content: string, assigneeId?: string | null): Promise<void> {
    const { presence } = this.c;
    if (assigneeId === null) return;
    if (assigneeId && (await presence.isOnline('agent', assigneeId))) return;
    const conv = await this.data.conversations.get(accountId, conversationId);
    if (!conv?.assigneeId) return;
    await this.notify(accountId, [conv.assigneeId], 'message', conv, { id: messageId, content }, 'newMessage');
  }

  private async notify(accountId: string, userIds: string[], kind: 'conversation' | 'message', conv: ConversationRow, message: { id: string; content: string } | null, pref: 'newConversation' | 'newMessage'): Promise<void> {
    const { db, presence, inboxAgents, inboxModels: m } = this.c;
    const offline: string[] = [];
    for (const id of userIds) if (!(await presence.isOnline('agent', id))) offline.push(id);
    if (!offline.length) return;
    await inboxAgents.ensure(accountId, offline);
    const states = await inboxAgents.states(accountId, offline);
    const targets = offline.filter((id) => preferencesOf(states.get(id)).email[pref]);
    if (!targets.length) return;
    const visitor = await this.data.visitors.get(accountId, conv.visitorId);
    const who = visitor?.name || visitor?.email || 'A visitor';
    const last = (typeof conv.lastMessage === 'string' ? JSON.parse(conv.lastMessage) : conv.lastMessage) as { content?: string; senderType?: string } | null;
    const text = message?.content ?? (last?.senderType === 'visitor' ? last.content : null);
    const summary = `${who}${kind === 'conversation' ? ' started a conversation' : ' wrote'}${text ? `: ${text.replace(/\s+/g, ' ').slice(0, 160)}` : ''}`.slice(0, 300);
    const batchMs = ((await this.ctx.settingsFor(accountId)) as InboxSettings).emailBatchSeconds * 1000;
    for (const userId of targets) {
      await db.transaction(async () => {
        const scope = db.scope(accountId);
        await scope.create(m.Notification, { id: newId(), userId, kind, conversationId: conv.id, messageId: message?.id ?? null, summary, sentAt: null });
        const first = await scope.update(m.AgentState, { digestScheduledAt: this.c.clock.now() }, { userId, digestScheduledAt: null });
        if (first === 1) await this.c.jobs.enqueue('inbox.email-digest', { accountId, userId }, { accountId, delayMs: batchMs });
      });
    }
  }

  /** Job `inbox.email-digest`: one e-mail with everything pending for an agent. */
  async digest(accountId: string, userId: string): Promise<void> {
    const { db, models, presence, config, clock, jobs, inboxModels: m } = this.c;
    const scope = db.scope(accountId);
    await scope.update(m.AgentState, { digestScheduledAt: null }, { userId });
    const user = await scope.findById(models.User, userId);
    const pending = (await scope.findAll(m.Notification, { where: { userId, sentAt: null }, order: [['createdAt', 'ASC']], limit: 200 })).map((r) => r.get({ plain: true }));
    if (!pending.length) return;
    const online = await presence.isOnline('agent', userId);
    await db.transaction(async () => {
      const claimed = await scope.update(m.Notification, { sentAt: clock.now() }, { id: { [Op.in]: pending.map((p) => p.id) }, sentAt: null } as never);
      if (claimed !== pending.length || online || !user) return; // another run took them, or the agent is back and has seen them
      const base = `${config.publicUrl.replace(/\/$/, '')}/admin/inbox`;
      const convs = pending.filter((p) => p.kind === 'conversation').length;
      const msgs = pending.length - convs;
      const subject = [convs ? `${convs} new conversation${convs > 1 ? 's' : ''}` : '', msgs ? `${msgs} new message${msgs > 1 ? 's' : ''}` : ''].filter(Boolean).join(' and ');
      const lines = pending.map((p) => `- ${p.summary}\n  ${base}/${p.conversationId}`);
      await jobs.enqueue('core.mail', {
        to: user.email,
        subject: `Charla: ${subject}`,
        text: `Hello ${user.name},\n\nWhile you were away:\n\n${lines.join('\n')}\n\nChange which e-mails you get in your notification preferences.\n`,
      }, { accountId });
    });
  }
}
