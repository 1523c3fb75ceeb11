import { Routes } from '@angular/router';
import { managerGuard } from '../../sdk/guards';
import { SettingsLayout } from './settings-layout';

export const SETTINGS_ROUTES: Routes = [
  {
    path: '',
    component: SettingsLayout,
    children: [
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

export { managerGuard };
