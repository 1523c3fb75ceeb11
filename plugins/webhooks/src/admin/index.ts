/**
 * The webhooks plugin's admin module: Settings → Webhooks (owners and admins).
 * Declared in plugins/webhooks/package.json as `"charla": { "admin": "./src/admin/index.ts" }`.
 * Keep this file free of component imports: everything visual is lazy-loaded.
 */
import { defineAdminPlugin } from '@charla/admin/plugin-api';
import { EN } from './i18n/en';
import { ES } from './i18n/es';

export default defineAdminPlugin({
  name: 'webhooks',
  // Settings → Webhooks (owners and admins); the old /admin/webhooks address still leads there.
  settings: [{ id: 'webhooks/settings/v1', path: 'webhooks', label: 'webhooks.nav', managersOnly: true, loadComponent: () => import('./webhooks-page').then((m) => m.WebhooksPage) }],
  routes: [{ path: 'webhooks', pathMatch: 'full', redirectTo: '/settings/webhooks' }],
  messages: { en: EN, es: ES },
});
