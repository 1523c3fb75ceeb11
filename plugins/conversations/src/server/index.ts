import { asFunction, asValue, definePlugin, type Cradle } from '@charla/core';
import './extension.js';
import { defineModels } from './models.js';
import { VisitorService } from './visitor-service.js';
import { ConversationService } from './conversation-service.js';
import { MessageService } from './message-service.js';
import { installRealtime } from './realtime.js';
import { installAvailability } from './availability.js';
import { sendOfflineEmail } from './offline-email.js';
import { sendConfirmationEmail } from './email-confirmation.js';
import { widgetRoutes } from './routes/widget-routes.js';
import { inboxRoutes } from './routes/inbox-routes.js';
import { ConversationsData, conversationsData } from './data.js';
import { ConversationsSettings } from './settings.js';
import { CONVERSATION_EVENTS } from './events.js';
import { runResponderTurn, type RespondPayload } from './responders.js';

export { userHashFor } from './visitor-service.js';
export type { VisitorService } from './visitor-service.js';
export type { ConversationService } from './conversation-service.js';
export type { MessageService } from './message-service.js';
export type * from './views.js';
export { ConversationsData } from './data.js';
export type * from './data.js';
export type * from './report-port.js';
export type { ConversationRow, ConversationStatus, MessageRow, VisitorRow, PageViewRow, TrackedEventRow, SenderType, MessageSnapshot } from './models.js';

/**
 * Conversations: visitors, conversations and messages; the widget and inbox APIs;
 * the `conversation:` and `visitor:` realtime channels, typing, read receipts and
 * visitor presence. Every other feature hangs on its events.
 */
export default definePlugin({
  name: 'conversations',
  version: '0.1.0',
  core: '^0.1.0',
  required: true,
  description: 'Visitors, conversations, messages, widget and inbox APIs, realtime channels',
  migrations: new URL('./migrations/', import.meta.url),
  provides: [ConversationsData],
  settings: ConversationsSettings,
  emits: CONVERSATION_EVENTS,
  models(ctx) {
    defineModels(ctx.db);
  },
  register(ctx) {
    ctx.container.register({
      visitors: asFunction((c: Cradle) => new VisitorService(c)).singleton(),
      conversations: asFunction((c: Cradle) => new ConversationService(c)).singleton(),
      messages: asFunction((c: Cradle) => new MessageService(c)).singleton(),
    });
    ctx.container.register({ visitorAuthenticator: asValue(ctx.container.cradle.visitors.authenticate) });
    installRealtime(ctx.container.cradle);
    ctx.services.provide(ConversationsData, conversationsData(ctx.container.cradle, installAvailability(ctx.container.cradle)));
  },
  jobs: {
    'offline-email': (payload, _job, ctx) => sendOfflineEmail(ctx.container.cradle, payload as { accountId: string; conversationId: string }),
    respond: (payload, job, ctx) => runResponderTurn(ctx.container.cradle, payload as unknown as RespondPayload, job),
    'confirm-email': (payload, _job, ctx) => sendConfirmationEmail(ctx.container.cradle, payload as { accountId: string; visitorId: string; email: string }),
  },
  async routes(app, ctx) {
    await widgetRoutes(app, ctx.container.cradle);
    await inboxRoutes(app, ctx.container.cradle);
  },
  admin: { entry: './src/admin/index.ts' },
});
