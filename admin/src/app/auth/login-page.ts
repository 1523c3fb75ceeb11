import { ChangeDetectionStrategy, Component, inject, input, signal } from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import { AuthService } from '../../sdk/auth.service';
import { I18nService, TranslatePipe } from '../../sdk/i18n.service';
import { toProblem } from '../../sdk/problem';
import { AuthCard, formValues } from './auth-card';

@Component({
  selector: 'ch-login-page',
  imports: [AuthCard, RouterLink, TranslatePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <ch-auth-card [heading]="'auth.login.title' | t">
      <form class="stack" (submit)="submit($event)">
        @if (error()) {
          <p class="alert alert-error" role="alert">{{ error() }}</p>
        }
        <div class="field">
          <label for="login-email">{{ 'auth.email' | t }}</label>
          <input id="login-email" name="email" type="email" autocomplete="username" required autofocus />
        </div>
        <div class="field">
          <label for="login-password">{{ 'auth.password' | t }}</label>
          <input id="login-password" name="password" type="password" autocomplete="current-password" required />
        </div>
        <button class="btn btn-primary btn-block" type="submit" [disabled]="busy()">{{ 'auth.login.submit' | t }}</button>
      </form>
      <p class="auth-links">
        <a routerLink="/forgot-password">{{ 'auth.login.forgot' | t }}</a>
        <a routerLink="/signup">{{ 'auth.login.signup' | t }}</a>
      </p>
    </ch-auth-card>
  `,
})
export class LoginPage {
  private readonly auth = inject(AuthService);
  private readonly router = inject(Router);
  private readonly i18n = inject(I18nService);
  /** From the query string (component input binding). */
  readonly returnUrl = input<string>();
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);

  protected async submit(event: Event): Promise<void> {
    const { email, password } = formValues(event);
    this.busy.set(true);
    this.error.set(null);
    try {
      await this.auth.login(email.trim(), password);
      const target = this.returnUrl();
      await this.router.navigateByUrl(target && target.startsWith('/') && !target.startsWith('//') ? target : '/');
    } catch (err) {
      const p = toProblem(err);
      this.error.set(
        p.status === 401
          ? this.i18n.t('auth.login.invalid')
          : p.status === 429
            ? this.i18n.t('errors.rateLimited')
            : p.detail || this.i18n.t('errors.generic'),
      );
    } finally {
      this.busy.set(false);
    }
  }
}
