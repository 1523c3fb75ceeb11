import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import { AuthService } from '../../sdk/auth.service';
import { I18nService, TranslatePipe } from '../../sdk/i18n.service';
import { toProblem } from '../../sdk/problem';
import { AuthCard, formValues } from './auth-card';

@Component({
  selector: 'ch-signup-page',
  imports: [AuthCard, RouterLink, TranslatePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <ch-auth-card [heading]="'auth.signup.title' | t">
      <form class="stack" (submit)="submit($event)">
        @if (error()) {
          <p class="alert alert-error" role="alert">{{ error() }}</p>
        }
        <div class="field">
          <label for="signup-account">{{ 'auth.signup.accountName' | t }}</label>
          <input id="signup-account" name="accountName" autocomplete="organization" required maxlength="120" />
        </div>
        <div class="field">
          <label for="signup-name">{{ 'auth.name' | t }}</label>
          <input id="signup-name" name="name" autocomplete="name" required maxlength="120" />
        </div>
        <div class="field">
          <label for="signup-email">{{ 'auth.email' | t }}</label>
          <input id="signup-email" name="email" type="email" autocomplete="email" required />
        </div>
        <div class="field">
          <label for="signup-password">{{ 'auth.password' | t }}</label>
          <input id="signup-password" name="password" type="password" autocomplete="new-password" required minlength="8" aria-describedby="signup-password-hint" />
          <small id="signup-password-hint" class="hint">{{ 'auth.passwordHint' | t }}</small>
        </div>
        <button class="btn btn-primary btn-block" type="submit" [disabled]="busy()">{{ 'auth.signup.submit' | t }}</button>
      </form>
      <p class="auth-links"><a routerLink="/login">{{ 'auth.signup.haveAccount' | t }}</a></p>
    </ch-auth-card>
  `,
})
export class SignupPage {
  private readonly auth = inject(AuthService);
  private readonly router = inject(Router);
  private readonly i18n = inject(I18nService);
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);

  protected async submit(event: Event): Promise<void> {
    const v = formValues(event);
    this.busy.set(true);
    this.error.set(null);
    try {
      await this.auth.signup({ accountName: v['accountName'].trim(), name: v['name'].trim(), email: v['email'].trim(), password: v['password'] });
      await this.router.navigateByUrl('/settings/sites?welcome=1');
    } catch (err) {
      const p = toProblem(err);
      this.error.set(
        p.status === 409
          ? this.i18n.t('auth.signup.taken')
          : p.status === 403
            ? this.i18n.t('auth.signup.closed')
            : p.detail || this.i18n.t('errors.generic'),
      );
    } finally {
      this.busy.set(false);
    }
  }
}
