/**
 * The conversations plugin's admin module: the inbox (lists, conversation view) and the
 * visitor panel, contributed to the admin shell through the build-time plugin registry.
 * Declared in plugins/conversations/package.json as `"charla": { "admin": "./src/admin/index.ts" }`.
 *
 * Keep this file free of component imports: everything visual is lazy-loaded.
 */
import { defineAdminPlugin } from '@charla/admin/plugin-api';
import type { Conversation, Visitor } from '@charla/admin/sdk';
import { EN } from './i18n/en';
import { ES } from './i18n/es';

// The slot this plugin opens for others (docs/plugins-admin.md "Slots of your own"): typed here.
declare module '@charla/admin/plugin-api' {
  interface SlotInputs {
    'conversations.visitor-profile': { visitor: Visitor; conversation: Conversation };
    /** Controls beside the inbox's filters; `tag` is the current `?tag=` of the inbox URL ('' = none). */
    'conversations.inbox-filters': { tag: string };
  }
}

export default defineAdminPlugin({
  name: 'conversations',
  home: 'inbox',
  routes: [{ path: 'inbox', loadChildren: () => import('./inbox.routes').then((m) => m.INBOX_ROUTES) }],
  nav: [{ id: 'conversations/inbox/v1', path: 'inbox', label: 'conversations.nav.inbox', icon: 'inbox', order: 0 }],
  slots: [
    {
      id: 'conversations/visitor-profile/v1',
      slot: 'conversation.sidebar',
      order: 0,
      loadComponent: () => import('./visitor-profile').then((m) => m.VisitorProfile),
    },
    {
      id: 'conversations/open-count/v1',
      slot: 'dashboard.cards',
      title: 'conversations.card.title',
      loadComponent: () => import('./open-conversations-card').then((m) => m.OpenConversationsCard),
    },
  ],
  declares: [
    { name: 'conversations.visitor-profile', description: 'Sections under the visitor panel beside a conversation (what other plugins know about this visitor)' },
    { name: 'conversations.inbox-filters', description: 'Filter controls beside the inbox\'s own; they filter by navigating to /admin/inbox?tag=<name>' },
  ],
  messages: { en: EN, es: ES },
});
