import type { Cradle } from '@charla/core';
import type { ConversationRow, MessageRow } from './models.js';
import { conversationView, messageView, visitorConversationView } from './views.js';

/**
 * Realtime fan-out of conversation changes, on exactly the channels of API.md's table.
 * Agents get the full conversation; visitors get their view (no private notes, no
 * internal fields). Everything is released after the transaction commits.
 */
export class Publisher {
  constructor(private readonly c: Cradle) {}

  message(conv: ConversationRow, msg: MessageRow, assigneeName: string | null): void {
    const { events } = this.c;
    const m = messageView(msg);
    const agentData = { message: m, conversation: conversationView(conv) };
    events.publish(`account:${conv.accountId}`, 'message:new', agentData, 'agents');
    events.publish(`conversation:${conv.id}`, 'message:new', agentData, 'agents');
    if (!msg.private) {
      const visitorData = { message: m, conversation: visitorConversationView(conv, assigneeName) };
      events.publish(`conversation:${conv.id}`, 'message:new', visitorData, 'visitors');
      events.publish(`visitor:${conv.visitorId}`, 'message:new', visitorData, 'visitors');
      events.publish(`visitor:${conv.visitorId}`, 'message:new', agentData, 'agents');
    }
  }

  conversation(conv: ConversationRow, changes: Record<string, unknown>, assigneeName: string | null): void {
    const { events } = this.c;
    const agentData = { conversation: conversationView(conv), changes };
    const visitorChanges = Object.fromEntries(Object.entries(changes).filter(([k]) => ['status', 'assigneeId'].includes(k)));
    events.publish(`account:${conv.accountId}`, 'conversation:updated', agentData, 'agents');
    events.publish(`conversation:${conv.id}`, 'conversation:updated', agentData, 'agents');
    events.publish(`visitor:${conv.visitorId}`, 'conversation:updated', agentData, 'agents');
    if (Object.keys(visitorChanges).length || 'unreadCount' in changes) {
      const visitorData = { conversation: visitorConversationView(conv, assigneeName), changes: visitorChanges };
      events.publish(`conversation:${conv.id}`, 'conversation:updated', visitorData, 'visitors');
      events.publish(`visitor:${conv.visitorId}`, 'conversation:updated', visitorData, 'visitors');
    }
  }
}
