import { HttpErrorResponse, HttpInterceptorFn } from '@angular/common/http';
import { inject } from '@angular/core';
import { catchError, throwError } from 'rxjs';
import { AuthService } from './auth.service';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

function isApi(url: string): boolean {
  if (url.startsWith('/api/')) return true;
  try {
    const u = new URL(url, location.href);
    return u.origin === location.origin && u.pathname.startsWith('/api/');
  } catch {
    return false;
  }
}

/** Adds `x-csrf-token` to cookie-authenticated writes to our API (and only there). */
export const csrfInterceptor: HttpInterceptorFn = (req, next) => {
  if (SAFE.has(req.method) || !isApi(req.url)) return next(req);
  const token = inject(AuthService).csrfToken;
  return next(token ? req.clone({ setHeaders: { 'x-csrf-token': token } }) : req);
};

/** A 401 from the API (other than the login and session probes) ends the session → login. */
export const unauthorizedInterceptor: HttpInterceptorFn = (req, next) => {
  const auth = inject(AuthService);
  return next(req).pipe(
    catchError((err: unknown) => {
      if (err instanceof HttpErrorResponse && err.status === 401 && isApi(req.url) && !req.url.includes('/api/v1/auth/')) {
        auth.expire();
      }
      return throwError(() => err);
    }),
  );
};
