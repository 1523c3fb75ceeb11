import { HttpClient } from '@angular/common/http';
import { Injectable, computed, inject, signal } from '@angular/core';
import { Router } from '@angular/router';
import { firstValueFrom } from 'rxjs';
import type { Account, SessionPayload, User } from './models';

export interface Session {
  user: User;
  account: Account;
}

/**
 * The agent's session. The token itself lives in an httpOnly cookie set by the server;
 * the app only keeps the CSRF token (from the login/sign-up/accept response or /auth/me)
 * and the user/account it describes.
 */
@Injectable({ providedIn: 'root' })
export class AuthService {
  private readonly http = inject(HttpClient);
  private readonly router = inject(Router);
  private readonly state = signal<Session | null>(null);
  private csrf: string | null = null;
  private readonly logoutListeners = new Set<() => void>();

  readonly session = this.state.asReadonly();
  readonly user = computed(() => this.state()?.user ?? null);
  readonly account = computed(() => this.state()?.account ?? null);
  readonly isLoggedIn = computed(() => this.state() !== null);
  readonly canManage = computed(() => {
    const role = this.state()?.user.role;
    return role === 'owner' || role === 'admin';
  });

  get csrfToken(): string | null {
    return this.csrf;
  }

  /** Called once at start: an existing cookie session becomes the app's session. */
  async restore(): Promise<void> {
    try {
      const me = await firstValueFrom(this.http.get<SessionPayload>('/api/v1/auth/me'));
      this.accept(me);
    } catch {
      this.clear();
    }
  }

  /** Re-check the session (e.g. the socket was refused); a dead session goes to the login. */
  async recheck(): Promise<void> {
    try {
      this.accept(await firstValueFrom(this.http.get<SessionPayload>('/api/v1/auth/me')));
    } catch {
      this.expire();
    }
  }

  async login(email: string, password: string): Promise<void> {
    this.accept(await firstValueFrom(this.http.post<SessionPayload>('/api/v1/auth/login', { email, password })));
  }

  async signup(body: { accountName: string; name: string; email: string; password: string }): Promise<void> {
    this.accept(await firstValueFrom(this.http.post<SessionPayload>('/api/v1/auth/signup', body)));
  }

  async acceptInvitation(body: { token: string; name: string; password: string }): Promise<void> {
    this.accept(await firstValueFrom(this.http.post<SessionPayload>('/api/v1/auth/invitations/accept', body)));
  }

  async forgotPassword(email: string): Promise<void> {
    await firstValueFrom(this.http.post('/api/v1/auth/password/forgot', { email }));
  }

  async resetPassword(token: string, password: string): Promise<void> {
    await firstValueFrom(this.http.post('/api/v1/auth/password/reset', { token, password }));
  }

  async changePassword(currentPassword: string, newPassword: string): Promise<void> {
    await firstValueFrom(this.http.post('/api/v1/auth/password/change', { currentPassword, newPassword }));
  }

  async logout(): Promise<void> {
    try {
      await firstValueFrom(this.http.post('/api/v1/auth/logout', {}));
    } catch {
      /* the session is gone either way */
    }
    this.clear();
    await this.router.navigateByUrl('/login');
  }

  /** The server said 401: the session is over. */
  expire(): void {
    if (!this.state()) return;
    const returnUrl = this.router.url;
    this.clear();
    void this.router.navigate(['/login'], { queryParams: returnUrl && returnUrl !== '/' ? { returnUrl } : {} });
  }

  /** Update the account in the session after it was renamed. */
  updateAccount(account: Account): void {
    this.state.update((s) => (s ? { ...s, account } : s));
  }

  /** Run `fn` when the session ends (logout or expiry); returns an unregister function. */
  onLogout(fn: () => void): () => void {
    this.logoutListeners.add(fn);
    return () => this.logoutListeners.delete(fn);
  }

  private accept(payload: SessionPayload): void {
    if (payload.csrfToken) this.csrf = payload.csrfToken;
    this.state.set({ user: payload.user, account: payload.account });
  }

  private clear(): void {
    const wasIn = this.state() !== null;
    this.csrf = null;
    this.state.set(null);
    if (wasIn) for (const fn of [...this.logoutListeners]) fn();
  }
}
