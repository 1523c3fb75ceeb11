/**
 * The knowledge base's admin module: the Articles section (list with search and filters,
 * the editor with its live preview, publishing). Declared in
 * plugins/knowledge-base/package.json as `"charla": { "admin": "./src/admin/index.ts" }`.
 *
 * Keep this file free of component imports: everything visual is lazy-loaded.
 */
import { defineAdminPlugin } from '@charla/admin/plugin-api';
import { EN } from './i18n/en';
import { ES } from './i18n/es';

export default defineAdminPlugin({
  name: 'knowledge-base',
  routes: [{ path: 'articles', loadChildren: () => import('./articles.routes').then((m) => m.ROUTES) }],
  nav: [{ id: 'knowledge-base/articles/v1', path: 'articles', label: 'kb.nav', icon: 'book', order: 20 }],
  messages: { en: EN, es: ES },
});
