/**
 * Admin module of the conversation-tags example: a panel in the conversation sidebar
 * (`conversation.sidebar` slot) and a page to manage the account's tags.
 * Declared in package.json: "charla": { "admin": "./src/admin/index.ts" }.
 */
import { defineAdminPlugin } from '@charla/admin/plugin-api';

export default defineAdminPlugin({
  name: 'conversation-tags',
  routes: [{ path: 'conversation-tags', loadComponent: () => import('./tags-page').then((m) => m.TagsPage) }],
  nav: [{ id: 'conversation-tags/manage/v1', path: 'conversation-tags', label: 'conversation-tags.nav', icon: 'tag', order: 40 }],
  slots: [
    {
      id: 'conversation-tags/panel/v1',
      slot: 'conversation.sidebar',
      title: 'conversation-tags.title',
      order: 10,
      loadComponent: () => import('./tags-panel').then((m) => m.TagsPanel),
    },
  ],
  messages: {
    en: {
      'conversation-tags.nav': 'Tags',
      'conversation-tags.title': 'Tags',
      'conversation-tags.none': 'No tags yet.',
      'conversation-tags.toggle': 'Tag {name}',
      'conversation-tags.name': 'Name',
      'conversation-tags.color': 'Colour',
      'conversation-tags.keywords': 'Keywords (comma-separated)',
      'conversation-tags.create': 'Create tag',
      'conversation-tags.delete': 'Delete',
    },
    es: {
      'conversation-tags.nav': 'Etiquetas',
      'conversation-tags.title': 'Etiquetas',
      'conversation-tags.none': 'Aún no hay etiquetas.',
      'conversation-tags.toggle': 'Etiquetar {name}',
      'conversation-tags.name': 'Nombre',
      'conversation-tags.color': 'Color',
      'conversation-tags.keywords': 'Palabras clave (separadas por comas)',
      'conversation-tags.create': 'Crear etiqueta',
      'conversation-tags.delete': 'Eliminar',
    },
  },
});
