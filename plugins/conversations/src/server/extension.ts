import type { SenderType, ConversationStatus } from './models.js';
import type { VisitorService } from './visitor-service.js';
import type { ConversationService } from './conversation-service.js';
import type { MessageService } from './message-service.js';

/** What this plugin adds to the kernel's typed extension points. */
declare module '@charla/core' {
  interface EventMap {
    'visitor.created': { accountId: string; siteId: string; visitorId: string };
    'visitor.identified': { accountId: string; siteId: string; visitorId: string; verified: boolean; mergedFrom?: string };
    'visitor.online': { accountId: string; siteId: string; visitorId: string };
    'visitor.offline': { accountId: string; siteId: string; visitorId: string };
    /** `at`: when the page was viewed (absent in events stored before it was sent). */
    'visitor.page_viewed': { accountId: string; siteId: string; visitorId: string; url: string; title: string | null; at?: string };
    'event.tracked': { accountId: string; siteId: string; visitorId: string; name: string; properties: Record<string, unknown> };
    'conversation.created': { accountId: string; siteId: string; conversationId: string; visitorId: string };
    'conversation.updated': { accountId: string; conversationId: string; changes: Record<string, unknown>; actorId: string | null };
    'conversation.closed': { accountId: string; conversationId: string; actorId: string | null };
    /** The assignee changed (an agent, routing or the system; `assigneeId` null: unassigned). `conversation.updated` follows too. */
    'conversation.assigned': { accountId: string; conversationId: string; assigneeId: string | null; previousAssigneeId: string | null; actorId: string | null };
    /** `assigneeId`: the conversation's assignee when the message was stored. */
    'message.created': { accountId: string; siteId: string; conversationId: string; messageId: string; seq: number; senderType: SenderType; senderId: string | null; private: boolean; content: string; assigneeId: string | null };
    /** A visitor pressed a button of a message block: `messageId` is the visitor message it became, `owner` the plugin that owns the block type. */
    'message.postback': { accountId: string; conversationId: string; messageId: string; sourceMessageId: string; buttonId: string; blockType: string; owner: string };
    'message.read': { accountId: string; conversationId: string; messageId: string; seq: number; by: 'visitor' | 'agent'; userId: string | null };
  }
  interface HookMap {
    /** Before a message is stored: change `content`/`metadata`, or throw a CharlaError to refuse. */
    'message:beforeCreate': { accountId: string; conversationId: string; senderType: SenderType; senderId: string | null; content: string; private: boolean; metadata: Record<string, unknown> | null };
    /** Before a conversation's assignee changes: change `assigneeId`, or throw to refuse. */
    'conversation:beforeAssign': { accountId: string; conversationId: string; assigneeId: string | null; actorId: string | null };
    /** Before a visitor is identified: change the user data, or throw to refuse. */
    'visitor:beforeIdentify': { accountId: string; siteId: string; visitorId: string; user: { email?: string; name?: string; externalId?: string; attributes?: Record<string, unknown> }; verified: boolean };
    /** Before a site's availability is counted: `agentIds` are the account's connected agents; remove those who must not count as online (e.g. away). */
    'availability:beforeCount': { accountId: string; agentIds: string[] };
    /** Extend the widget's boot payload (`extra` is sent to the widget as `extensions`). */
    'widget:init': { accountId: string; siteId: string; visitorId: string; extra: Record<string, unknown> };
  }
  interface Cradle {
    visitors: VisitorService;
    conversations: ConversationService;
    messages: MessageService;
  }
}

export type { ConversationStatus };
