/**
 * The tags plugin's admin module: the tags of a conversation (sidebar) and a tag filter
 * beside the inbox's own (the conversations plugin's `conversations.inbox-filters` slot).
 * Declared in plugins/tags/package.json as `"charla": { "admin": "./src/admin/index.ts" }`.
 *
 * Keep this file free of component imports: everything visual is lazy-loaded.
 */
import { defineAdminPlugin } from '@charla/admin/plugin-api';
import { EN } from './i18n/en';
import { ES } from './i18n/es';

export default defineAdminPlugin({
  name: 'tags',
  slots: [
    {
      id: 'tags/conversation-tags/v1',
      slot: 'conversation.sidebar',
      title: 'tags.panel.title',
      order: 5,
      loadComponent: () => import('./conversation-tags').then((m) => m.ConversationTags),
    },
    {
      id: 'tags/inbox-filter/v1',
      slot: 'conversations.inbox-filters',
      loadComponent: () => import('./tag-filter').then((m) => m.TagFilter),
    },
  ],
  messages: { en: EN, es: ES },
});
