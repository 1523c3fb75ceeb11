import { Routes } from '@angular/router';
import { managerGuard } from '../../sdk/guards';
import type { AdminPluginDefinition } from '../../plugin-api';
import { SettingsLayout } from './settings-layout';

/** Settings: the built-in pages, then the plugins' settings pages (`settings` in defineAdminPlugin). */
export const settingsRoutes = (plugins: readonly AdminPluginDefinition[] = []): Routes => [
  {
    path: '',
    component: SettingsLayout,
    children: [
      ...plugins.flatMap((p) => p.settings ?? []).map((page) => ({ path: page.path, canActivate: page.managersOnly ? [managerGuard] : [], loadComponent: page.loadComponent })),
      { path: '', pathMatch: 'full', redirectTo: 'account' },
      { path: 'account', loadComponent: () => import('./account-settings').then((m) => m.AccountSettings) },
      { path: 'team', loadComponent: () => import('./team-settings').then((m) => m.TeamSettings) },
      { path: 'sites', loadComponent: () => import('./sites-list').then((m) => m.SitesList) },
      { path: 'api-keys', canActivate: [managerGuard], loadComponent: () => import('./api-keys-settings').then((m) => m.ApiKeysSettings) },
      { path: 'plugins', loadComponent: () => import('./plugins-settings').then((m) => m.PluginsSettings) },
      { path: 'sites/:id', canActivate: [], loadComponent: () => import('./site-settings').then((m) => m.SiteSettings) },
    ],
  },
];

export const SETTINGS_ROUTES: Routes = settingsRoutes();

export { managerGuard };
