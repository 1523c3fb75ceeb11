import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import { AuthService } from '../../sdk/auth.service';
import { I18nService, TranslatePipe } from '../../sdk/i18n.service';
import { problemText } from '../../sdk/problem';
import { AuthCard, formValues } from './auth-card';

@Component({
  selector: 'ch-forgot-password-page',
  imports: [AuthCard, RouterLink, TranslatePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <ch-auth-card [heading]="'auth.forgot.title' | t">
      @if (sent()) {
        <p class="alert alert-success" role="status">{{ 'auth.forgot.sent' | t }}</p>
      } @else {
        <p class="muted">{{ 'auth.forgot.intro' | t }}</p>
        <form class="stack" (submit)="submit($event)">
          @if (error()) {
            <p class="alert alert-error" role="alert">{{ error() }}</p>
          }
          <div class="field">
            <label for="forgot-email">{{ 'auth.email' | t }}</label>
            <input id="forgot-email" name="email" type="email" autocomplete="email" required />
          </div>
          <button class="btn btn-primary btn-block" type="submit" [disabled]="busy()">{{ 'auth.forgot.submit' | t }}</button>
        </form>
      }
      <p class="auth-links"><a routerLink="/login">{{ 'auth.backToLogin' | t }}</a></p>
    </ch-auth-card>
  `,
})
export class ForgotPasswordPage {
  private readonly auth = inject(AuthService);
  private readonly i18n = inject(I18nService);
  protected readonly busy = signal(false);
  protected readonly sent = signal(false);
  protected readonly error = signal<string | null>(null);

  protected async submit(event: Event): Promise<void> {
    const { email } = formValues(event);
    this.busy.set(true);
    this.error.set(null);
    try {
      await this.auth.forgotPassword(email.trim());
      this.sent.set(true);
    } catch (err) {
      this.error.set(problemText(err, this.i18n.t('errors.generic')));
    } finally {
      this.busy.set(false);
    }
  }
}
