import { inject } from '@angular/core';
import { CanActivateFn, Router } from '@angular/router';
import { AuthService } from './auth.service';

/** Signed-in agents only; others go to the login with a way back. */
export const authGuard: CanActivateFn = (_route, state) => {
  const auth = inject(AuthService);
  if (auth.isLoggedIn()) return true;
  const router = inject(Router);
  return router.createUrlTree(['/login'], { queryParams: state.url && state.url !== '/' ? { returnUrl: state.url } : {} });
};

/** Login/sign-up screens: an agent already signed in goes to the app. */
export const guestGuard: CanActivateFn = () => {
  const auth = inject(AuthService);
  return auth.isLoggedIn() ? inject(Router).createUrlTree(['/']) : true;
};

/** Owner/admin only screens. */
export const managerGuard: CanActivateFn = () => {
  const auth = inject(AuthService);
  return auth.canManage() ? true : inject(Router).createUrlTree(['/']);
};
