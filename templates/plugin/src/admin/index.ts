/**
 * The admin side of __NAME__: a page (route `/admin/__NAME__`) and a card on the
 * dashboard (`dashboard.cards` slot). Compiled into the admin by its build-time plugin
 * registry because package.json says "charla": { "admin": "./src/admin/index.ts" }.
 * Keep this file free of component imports: everything visual is lazy-loaded.
 */
import { defineAdminPlugin } from '@charla/admin/plugin-api';

export default defineAdminPlugin({
  name: '__NAME__',
  routes: [{ path: '__NAME__', loadComponent: () => import('./notes-page').then((m) => m.NotesPage) }],
  nav: [{ id: '__NAME__/notes/v1', path: '__NAME__', label: '__NAME__.nav', icon: 'book', order: 50 }],
  slots: [
    {
      id: '__NAME__/notes-card/v1',
      slot: 'dashboard.cards',
      title: '__NAME__.card',
      loadComponent: () => import('./notes-card').then((m) => m.NotesCard),
    },
  ],
  messages: {
    en: { '__NAME__.nav': '__Name__', '__NAME__.card': '__Name__ notes', '__NAME__.add': 'Add note', '__NAME__.text': 'Note', '__NAME__.count': '{n} notes' },
    es: { '__NAME__.nav': '__Name__', '__NAME__.card': 'Notas de __Name__', '__NAME__.add': 'Añadir nota', '__NAME__.text': 'Nota', '__NAME__.count': '{n} notas' },
  },
});
