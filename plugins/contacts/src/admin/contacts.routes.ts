import type { Routes } from '@angular/router';

export const CONTACTS_ROUTES: Routes = [
  { path: '', loadComponent: () => import('./contacts-page').then((m) => m.ContactsPage) },
  { path: ':id', loadComponent: () => import('./contact-page').then((m) => m.ContactPage) },
];
