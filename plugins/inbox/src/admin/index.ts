/**
 * The inbox plugin's admin module: the live load card, the conversation header (SLA
 * countdown, priority, soft lock, quick-reply picker in the reply box), why a visitor is
 * high priority (in the conversations plugin's visitor-profile slot), the presence
 * board with the agent's own status, quick replies, and notification preferences.
 * Declared in plugins/inbox/package.json as `"charla": { "admin": "./src/admin/index.ts" }`.
 *
 * Keep this file free of component imports: everything visual is lazy-loaded.
 */
import { defineAdminPlugin } from '@charla/admin/plugin-api';
import { EN } from './i18n/en';
import { ES } from './i18n/es';

export default defineAdminPlugin({
  name: 'inbox',
  routes: [
    { path: 'team-status', loadComponent: () => import('./team-status-page').then((m) => m.InboxTeamStatusPage) },
    { path: 'quick-replies', loadComponent: () => import('./quick-replies-page').then((m) => m.InboxQuickRepliesPage) },
  ],
  nav: [
    { id: 'inbox/team-status/v1', path: 'team-status', label: 'inbox.nav.board', icon: 'users', order: 10 },
    { id: 'inbox/quick-replies/v1', path: 'quick-replies', label: 'inbox.nav.quickReplies', icon: 'bolt', order: 11 },
  ],
  slots: [
    {
      id: 'inbox/load/v1',
      slot: 'dashboard.cards',
      title: 'inbox.load.title',
      order: 10,
      loadComponent: () => import('./load-card').then((m) => m.InboxLoadCard),
    },
    {
      id: 'inbox/conversation-header/v1',
      slot: 'conversation.header',
      loadComponent: () => import('./conversation-header').then((m) => m.InboxConversationHeader),
    },
    {
      // A slot the conversations plugin declares for others (the inbox depends on it).
      id: 'inbox/visitor-priority/v1',
      slot: 'conversations.visitor-profile',
      title: 'inbox.profile.title',
      loadComponent: () => import('./visitor-priority').then((m) => m.InboxVisitorPriority),
    },
    {
      id: 'inbox/notifications/v1',
      slot: 'settings.sections',
      loadComponent: () => import('./notification-settings').then((m) => m.InboxNotificationSettings),
    },
  ],
  // App-wide: priority alerts (inbox:priority) and the browser-notification policy (my preferences, my conversations).
  background: () => import('./background').then((m) => m.InboxBackground),
  messages: { en: EN, es: ES },
});
