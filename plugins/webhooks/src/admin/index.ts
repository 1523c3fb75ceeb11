/**
 * The webhooks plugin's admin module: the Webhooks screen (owners and admins).
 * Declared in plugins/webhooks/package.json as `"charla": { "admin": "./src/admin/index.ts" }`.
 * Keep this file free of component imports: everything visual is lazy-loaded.
 */
import { defineAdminPlugin } from '@charla/admin/plugin-api';
import { EN } from './i18n/en';
import { ES } from './i18n/es';

export default defineAdminPlugin({
  name: 'webhooks',
  routes: [{ path: 'webhooks', loadComponent: () => import('./webhooks-page').then((m) => m.WebhooksPage) }],
  nav: [{ id: 'webhooks/nav/v1', path: 'webhooks', label: 'webhooks.nav', icon: 'link', order: 60 }],
  messages: { en: EN, es: ES },
});
