/**
 * The contacts plugin's admin module: the Contacts section (filter builder, quick filters,
 * saved segments, CSV), a contact's page (profile, live pages timeline, events,
 * conversations) and a panel beside each conversation with the same profile, live.
 * Keep this file free of component imports: everything visual is lazy-loaded.
 */
import { defineAdminPlugin } from '@charla/admin/plugin-api';
import { EN } from './i18n/en';
import { ES } from './i18n/es';

export default defineAdminPlugin({
  name: 'contacts',
  routes: [{ path: 'contacts', loadChildren: () => import('./contacts.routes').then((m) => m.CONTACTS_ROUTES) }],
  nav: [{ id: 'contacts/nav/v1', path: 'contacts', label: 'contacts.nav', icon: 'contacts', order: 20 }],
  slots: [
    {
      id: 'contacts/conversation-contact/v1',
      slot: 'conversation.sidebar',
      order: 20,
      title: 'contacts.panel.title',
      loadComponent: () => import('./contact-panel').then((m) => m.ContactPanel),
    },
  ],
  messages: { en: EN, es: ES },
});
