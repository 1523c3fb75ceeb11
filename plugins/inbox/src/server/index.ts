import { asFunction, asValue, definePlugin, type CharlaPlugin, type PluginContext } from '@charla/core';
import { ConversationsData } from '@charla/plugin-conversations';
import './extension.js';
import { defineModels } from './models.js';
import { InboxSettings } from './settings.js';
import { AgentService } from './agent-service.js';
import { Router } from './router.js';
import { SlaService } from './sla-service.js';
import { PriorityService } from './priority.js';
import { Notifier } from './notifier.js';
import { Dashboard } from './dashboard.js';
import { QuickReplyService } from './quick-replies.js';
import { agentRoutes } from './routes/agent-routes.js';
import { conversationRoutes } from './routes/conversation-routes.js';
import { quickReplyRoutes } from './routes/quick-reply-routes.js';
import { INBOX_EVENTS } from './events.js';

export { InboxSettings } from './settings.js';
export { matchRule } from './priority.js';
export { render as renderQuickReply, checkTemplate } from './quick-replies.js';
export { DASHBOARD_THROTTLE_MS } from './dashboard.js';
export type { AgentService, AgentView } from './agent-service.js';
export type { Router } from './router.js';
export type { SlaService, SlaView, SlaState } from './sla-service.js';
export type { Notifier } from './notifier.js';
export type { Dashboard, DashboardFigures } from './dashboard.js';
export type { QuickReplyService, QuickReplyView } from './quick-replies.js';
export type { NotificationPreferences, AgentStatus } from './models.js';

const settingsOf = async (ctx: PluginContext, accountId: string) => (await ctx.settingsFor(accountId)) as InboxSettings;

/**
 * Inbox operations: routing and assignment (least-loaded online agent, capacity, queue
 * with positions, reassignment after a disconnect), agent availability, the presence
 * board, the live load dashboard, priority rules, first-response SLA, e-mail
 * notifications for agents who are not online, and quick replies.
 */
const inbox: CharlaPlugin = definePlugin({
  name: 'inbox',
  version: '0.1.0',
  core: '^0.1.0',
  dependsOn: ['conversations'],
  uses: [ConversationsData],
  description: 'Routing and assignment, agent status, presence board, live dashboard, priority rules, SLA, notifications, quick replies',
  migrations: new URL('./migrations/', import.meta.url),
  emits: INBOX_EVENTS,
  settings: InboxSettings,
  // The visitor's place in the queue, in the messenger (src/widget, built by `npm run build`).
  widget: { script: new URL('../../dist/widget/index.js', import.meta.url) },

  models(ctx) {
    ctx.container.register({ inboxModels: asValue(defineModels(ctx.db)) });
  },

  register(ctx) {
    ctx.container.register({
      inboxAgents: asFunction(() => new AgentService(ctx)).singleton(),
      inboxRouter: asFunction(() => new Router(ctx)).singleton(),
      inboxSla: asFunction(() => new SlaService(ctx)).singleton(),
      inboxNotifier: asFunction(() => new Notifier(ctx)).singleton(),
      inboxDashboard: asFunction(() => new Dashboard(ctx)).singleton(),
      quickReplies: asFunction(() => new QuickReplyService(ctx)).singleton(),
      inboxPriority: asFunction(() => new PriorityService(ctx)).singleton(),
    });
  },

  hooks: {
    /** An agent set away is connected but not available: widgets must not say "online" for them. */
    'availability:beforeCount': async (p, ctx) => {
      const states = await ctx.container.cradle.inboxAgents.states(p.accountId, p.agentIds);
      return { ...p, agentIds: p.agentIds.filter((id) => states.get(id)?.status !== 'away') };
    },
  },

  events: {
    'conversation.created': async (p, ctx) => {
      const c = ctx.container.cradle;
      await c.inboxSla.createState(p.accountId, p.conversationId).catch((err: Error) => {
        if (err.name !== 'SequelizeUniqueConstraintError') throw err;
      });
      await c.inboxPriority.evaluate(p.accountId, p.conversationId);
      await c.inboxSla.schedule(p.accountId, await ctx.services.get(ConversationsData).conversations.mustGet(p.accountId, p.conversationId));
      await c.inboxRouter.route(p.accountId);
      await c.inboxDashboard.touch(p.accountId);
      await c.inboxNotifier.conversationCreated(p.accountId, p.conversationId);
    },

    'conversation.updated': async (p, ctx) => {
      const c = ctx.container.cradle;
      const ch = p.changes as { status?: string; assigneeId?: string | null; priority?: string };
      let route = false;
      if (ch.status === 'closed') {
        await c.inboxRouter.leftQueue(p.accountId, p.conversationId);
        route = true; // an agent freed a slot
      } else if (ch.status === 'open' || ch.status === 'pending') route = true; // reopened: waits again if unassigned
      if ('assigneeId' in ch) {
        if (ch.assigneeId) await c.inboxRouter.leftQueue(p.accountId, p.conversationId);
        else if (p.actorId) {
          // Unassigned by hand: back in the queue, not straight back to the agent who let it go.
          await c.inboxRouter.requeue(p.accountId, p.conversationId, { excludedUserId: p.actorId });
          route = true;
        }
        if (p.actorId) route = true; // a manual (re)assignment changes loads
      }
      if (ch.priority === 'high') {
        await c.inboxSla.schedule(p.accountId, await ctx.services.get(ConversationsData).conversations.mustGet(p.accountId, p.conversationId));
        route = true;
      }
      if (route) await c.inboxRouter.route(p.accountId);
      await c.inboxDashboard.touch(p.accountId);
    },

    'message.created': async (p, ctx) => {
      const c = ctx.container.cradle;
      if (p.senderType === 'agent' && !p.private) {
        await c.inboxSla.responded(p.accountId, p.conversationId);
        if (p.senderId) await c.inboxAgents.touch(p.accountId, p.senderId, c.clock.now());
      } else if (p.senderType === 'visitor') {
        // Routing takes conversations a visitor wrote in: one started empty waits for this
        // message. One already waiting in the queue is routed when capacity frees up instead.
        if (p.assigneeId === null && !(await c.inboxSla.stateOf(p.accountId, p.conversationId))?.queuePosition) await c.inboxRouter.route(p.accountId);
        await c.inboxNotifier.visitorMessage(p.accountId, p.conversationId, p.messageId, p.content, p.assigneeId);
      }
    },

    /** A removed member's open conversations go back to the queue (and to the others). */
    'user.removed': async (p, ctx) => {
      const c = ctx.container.cradle;
      if (await c.inboxRouter.memberRemoved(p.accountId, p.userId)) await c.inboxDashboard.touch(p.accountId);
    },

    'visitor.identified': async (p, ctx) => {
      if (await ctx.container.cradle.inboxPriority.visitorChanged(p.accountId, p.visitorId)) await ctx.container.cradle.inboxRouter.route(p.accountId);
    },

    'agent.online': async (p, ctx) => {
      const c = ctx.container.cradle;
      await c.inboxAgents.ensure(p.accountId, [p.userId]);
      await c.db.scope(p.accountId).update(c.inboxModels.AgentState, { offlineSince: null }, { userId: p.userId });
      await c.inboxRouter.route(p.accountId);
      await c.inboxDashboard.touch(p.accountId);
    },

    'agent.offline': async (p, ctx) => {
      const c = ctx.container.cradle;
      const settings = await settingsOf(ctx, p.accountId);
      await c.inboxAgents.ensure(p.accountId, [p.userId]);
      await c.db.transaction(async () => {
        await c.db.scope(p.accountId).update(c.inboxModels.AgentState, { offlineSince: c.clock.now() }, { userId: p.userId });
        if (settings.onAgentDisconnect !== 'keep') {
          await c.jobs.enqueue('inbox.agent-gone', { accountId: p.accountId, userId: p.userId }, { accountId: p.accountId, delayMs: settings.disconnectGraceSeconds * 1000 });
        }
      });
      await c.inboxDashboard.touch(p.accountId);
    },

    'agent.status_changed': async (p, ctx) => {
      await ctx.container.cradle.inboxDashboard.touch(p.accountId);
      // Away agents do not count as online for the widgets (the hook below): tell them.
      await ctx.services.get(ConversationsData).availabilityChanged(p.accountId);
    },
    'visitor.online': (p, ctx) => ctx.container.cradle.inboxDashboard.touch(p.accountId),
    'visitor.offline': (p, ctx) => ctx.container.cradle.inboxDashboard.touch(p.accountId),
    'sla.breached': (p, ctx) => ctx.container.cradle.inboxDashboard.touch(p.accountId),
    'sla.warned': (p, ctx) => ctx.container.cradle.inboxDashboard.touch(p.accountId),
  },

  // Jobs enqueued with an `accountId` are skipped by core where the inbox is off.
  jobs: {
    /** An agent's grace period after their last device disconnected is over. */
    'agent-gone': async (payload, _job, ctx) => {
      const { accountId, userId } = payload as { accountId: string; userId: string };
      if (await ctx.container.cradle.inboxRouter.agentGone(accountId, userId)) await ctx.container.cradle.inboxDashboard.touch(accountId);
    },
    'sla-check': async (payload, _job, ctx) => {
      const { accountId, conversationId } = payload as { accountId: string; conversationId: string };
      await ctx.container.cradle.inboxSla.check(accountId, conversationId);
    },
    /** Publishes an account's dashboard figures (enqueued, throttled, by `Dashboard.touch`). */
    dashboard: async (payload, _job, ctx) => ctx.container.cradle.inboxDashboard.publish((payload as { accountId: string }).accountId),
    /** Re-runs routing for accounts with waiting conversations: a safety net for missed events and settings changes. */
    sweep: async (_payload, _job, ctx) => ctx.container.cradle.inboxRouter.sweep(),
    'email-digest': async (payload, _job, ctx) => {
      const { accountId, userId } = payload as { accountId: string; userId: string };
      await ctx.container.cradle.inboxNotifier.digest(accountId, userId);
    },
  },

  async routes(app, ctx) {
    await agentRoutes(app, ctx);
    await conversationRoutes(app, ctx);
    await quickReplyRoutes(app, ctx);
  },

  schedules: { sweep: { every: '15s' } },

  onClose(ctx) {
    ctx.container.cradle.inboxDashboard.close();
  },
});

export default inbox;
