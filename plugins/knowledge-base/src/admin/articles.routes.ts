import type { Routes } from '@angular/router';

export const ROUTES: Routes = [
  { path: '', loadComponent: () => import('./articles-page').then((m) => m.KbArticlesPage) },
  { path: 'new', loadComponent: () => import('./article-editor').then((m) => m.KbArticleEditor) },
  { path: ':id', loadComponent: () => import('./article-editor').then((m) => m.KbArticleEditor) },
];
