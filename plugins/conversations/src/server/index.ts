import { asFunction, asValue, definePlugin, type Cradle } from '@charla/core';
import './extension.js';
import { defineModels } from './models.js';
import { VisitorService } from './visitor-service.js';
import { ConversationService } from './conversation-service.js';
import { MessageService } from './message-service.js';
import { installRealtime } from './realtime.js';
import { installAvailability } from './availability.js';
import { sendOfflineEmail } from './offline-email.js';
import { widgetRoutes } from './routes/widget-routes.js';
import { inboxRoutes } from './routes/inbox-routes.js';

export { userHashFor } from './visitor-service.js';
export type { VisitorService } from './visitor-service.js';
export type { ConversationService } from './conversation-service.js';
export type { MessageService } from './message-service.js';
export type * from './views.js';

/**
 * Conversations: visitors, conversations and messages; the widget and inbox APIs;
 * the `conversation:` and `visitor:` realtime channels, typing, read receipts and
 * visitor presence. Every other feature hangs on its events.
 */
export default definePlugin({
  name: 'conversations',
  version: '0.1.0',
  core: '^0.1.0',
  plan: 'basic',
  required: true,
  description: 'Visitors, conversations, messages, widget and inbox APIs, realtime channels',
  migrations: new URL('./migrations/', import.meta.url),
  models(ctx) {
    ctx.container.register({ conversationModels: asValue(defineModels(ctx.db)) });
  },
  register(ctx) {
    ctx.container.register({
      visitors: asFunction((c: Cradle) => new VisitorService(c)).singleton(),
      conversations: asFunction((c: Cradle) => new ConversationService(c)).singleton(),
      messages: asFunction((c: Cradle) => new MessageService(c)).singleton(),
    });
    ctx.container.register({ visitorAuthenticator: asValue(ctx.container.cradle.visitors.authenticate) });
    installRealtime(ctx.container.cradle);
    installAvailability(ctx.container.cradle);
  },
  jobs: {
    'offline-email': (payload, _job, ctx) => sendOfflineEmail(ctx.container.cradle, payload as { accountId: string; conversationId: string }),
  },
  async routes(app, ctx) {
    await widgetRoutes(app, ctx.container.cradle);
    await inboxRoutes(app, ctx.container.cradle);
  },
  admin: { entry: './src/admin/index.ts' },
});
