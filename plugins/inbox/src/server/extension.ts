import type { InboxModels } from './models.js';
import type { AgentService } from './agent-service.js';
import type { Router } from './router.js';
import type { SlaService } from './sla-service.js';
import type { Notifier } from './notifier.js';
import type { Dashboard } from './dashboard.js';
import type { PriorityService } from './priority.js';
import type { QuickReplyService } from './quick-replies.js';

/** What the inbox plugin adds to the kernel's typed extension points. */
declare module '@charla/core' {
  interface EventMap {
    /** A conversation was assigned by routing (manual assignment is `conversation.updated` with an actor). */
    'conversation.routed': { accountId: string; conversationId: string; assigneeId: string; reason: 'new' | 'queue' };
    /** A conversation waits in the queue: nobody available has capacity. */
    'conversation.queued': { accountId: string; conversationId: string; position: number };
    /** A priority rule made a conversation high priority. */
    'conversation.prioritized': { accountId: string; conversationId: string; rule: string };
    /** An agent set themselves available or away. */
    'agent.status_changed': { accountId: string; userId: string; status: 'available' | 'away' };
    /** A conversation's first-response target is about to expire. */
    'sla.warned': { accountId: string; conversationId: string; dueAt: string; assigneeId: string | null };
    /** A conversation's first-response target expired without a reply (stored; reports count these). */
    'sla.breached': { accountId: string; conversationId: string; dueAt: string; assigneeId: string | null };
  }
  interface Cradle {
    inboxModels: InboxModels;
    inboxAgents: AgentService;
    inboxRouter: Router;
    inboxSla: SlaService;
    inboxNotifier: Notifier;
    inboxDashboard: Dashboard;
    inboxPriority: PriorityService;
    quickReplies: QuickReplyService;
  }
}

export {};
