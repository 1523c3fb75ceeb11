/**
 * The billing plugin's admin module: Settings → Account → Plan and usage (a section of
 * `settings.sections`), and the Operator console (only for instance operators).
 * Declared in plugins/billing/package.json as `"charla": { "admin": "./src/admin/index.ts" }`.
 * Keep this file free of component imports: everything visual is lazy-loaded.
 */
import { defineAdminPlugin } from '@charla/admin/plugin-api';
import { EN } from './i18n/en';
import { ES } from './i18n/es';

export default defineAdminPlugin({
  name: 'billing',
  routes: [{ path: 'operator', loadComponent: () => import('./operator-page').then((m) => m.OperatorPage) }],
  nav: [{ id: 'billing/operator/v1', path: 'operator', label: 'billing.operator.nav', icon: 'chart', order: 90, operator: true }],
  slots: [{ id: 'billing/plan/v1', slot: 'settings.sections', title: 'billing.plan.title', order: 10, loadComponent: () => import('./plan-usage').then((m) => m.PlanUsage) }],
  messages: { en: EN, es: ES },
});
