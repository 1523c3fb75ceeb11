import type { Routes } from '@angular/router';
import { InboxPage } from './inbox-page';

export const INBOX_ROUTES: Routes = [
  {
    path: '',
    component: InboxPage,
    children: [
      { path: '', loadComponent: () => import('./inbox-empty').then((m) => m.InboxEmpty) },
      { path: ':id', loadComponent: () => import('./conversation-view').then((m) => m.ConversationView) },
    ],
  },
];
