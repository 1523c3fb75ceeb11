/**
 * The bot plugin's admin module: the Bot screen (rules, flows, test console, stats; owners and admins).
 * Declared in plugins/bot/package.json as `"charla": { "admin": "./src/admin/index.ts" }`.
 * Keep this file free of component imports: everything visual is lazy-loaded.
 */
import { defineAdminPlugin } from '@charla/admin/plugin-api';
import { EN } from './i18n/en';
import { ES } from './i18n/es';

export default defineAdminPlugin({
  name: 'bot',
  routes: [{ path: 'bot', loadComponent: () => import('./bot-page').then((m) => m.BotPage) }],
  nav: [{ id: 'bot/nav/v1', path: 'bot', label: 'bot.nav', icon: 'bot', order: 40 }],
  messages: { en: EN, es: ES },
});
