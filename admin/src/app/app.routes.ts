import { inject } from '@angular/core';
import { Router, Routes } from '@angular/router';
import type { AdminPluginDefinition } from '../plugin-api';
import { authGuard, guestGuard } from '../sdk/guards';
import { PluginHost } from '../sdk/plugin-host';

/** The shell's routes, with every enabled plugin's routes mounted under the signed-in layout. */
export function routes(plugins: readonly AdminPluginDefinition[]): Routes {
  return [
    { path: 'login', canActivate: [guestGuard], loadComponent: () => import('./auth/login-page').then((m) => m.LoginPage) },
    { path: 'signup', canActivate: [guestGuard], loadComponent: () => import('./auth/signup-page').then((m) => m.SignupPage) },
    {
      path: 'forgot-password',
      loadComponent: () => import('./auth/forgot-password-page').then((m) => m.ForgotPasswordPage),
    },
    { path: 'reset-password', loadComponent: () => import('./auth/reset-password-page').then((m) => m.ResetPasswordPage) },
    {
      path: 'accept-invitation',
      loadComponent: () => import('./auth/accept-invitation-page').then((m) => m.AcceptInvitationPage),
    },
    {
      path: '',
      canActivate: [authGuard],
      canActivateChild: [authGuard],
      loadComponent: () => import('./shell/shell').then((m) => m.Shell),
      children: [
        ...plugins.flatMap((p) => p.routes ?? []),
        { path: 'settings', loadChildren: () => import('./settings/settings.routes').then((m) => m.settingsRoutes(plugins)) },
        { path: 'dashboard', loadComponent: () => import('./dashboard/dashboard-page').then((m) => m.DashboardPage) },
        {
          path: '',
          pathMatch: 'full',
          children: [],
          canActivate: [() => inject(Router).createUrlTree(['/', ...inject(PluginHost).home().split('/')])],
        },
      ],
    },
    { path: '**', redirectTo: '' },
  ];
}
