import { ChangeDetectionStrategy, Component, inject, input, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import { AuthService } from '../../sdk/auth.service';
import { I18nService, TranslatePipe } from '../../sdk/i18n.service';
import { problemText } from '../../sdk/problem';
import { AuthCard, formValues } from './auth-card';

@Component({
  selector: 'ch-reset-password-page',
  imports: [AuthCard, RouterLink, TranslatePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <ch-auth-card [heading]="'auth.reset.title' | t">
      @if (done()) {
        <p class="alert alert-success" role="status">{{ 'auth.reset.done' | t }}</p>
        <p class="auth-links"><a routerLink="/login">{{ 'auth.login.submit' | t }}</a></p>
      } @else if (!token()) {
        <p class="alert alert-error" role="alert">{{ 'auth.reset.noToken' | t }}</p>
        <p class="auth-links"><a routerLink="/forgot-password">{{ 'auth.login.forgot' | t }}</a></p>
      } @else {
        <form class="stack" (submit)="submit($event)">
          @if (error()) {
            <p class="alert alert-error" role="alert">{{ error() }}</p>
          }
          <div class="field">
            <label for="reset-password">{{ 'auth.newPassword' | t }}</label>
            <input id="reset-password" name="password" type="password" autocomplete="new-password" required minlength="8" aria-describedby="reset-hint" />
            <small id="reset-hint" class="hint">{{ 'auth.passwordHint' | t }}</small>
          </div>
          <button class="btn btn-primary btn-block" type="submit" [disabled]="busy()">{{ 'auth.reset.submit' | t }}</button>
        </form>
        <p class="auth-links"><a routerLink="/login">{{ 'auth.backToLogin' | t }}</a></p>
      }
    </ch-auth-card>
  `,
})
export class ResetPasswordPage {
  private readonly auth = inject(AuthService);
  private readonly i18n = inject(I18nService);
  readonly token = input<string>();
  protected readonly busy = signal(false);
  protected readonly done = signal(false);
  protected readonly error = signal<string | null>(null);

  protected async submit(event: Event): Promise<void> {
    const { password } = formValues(event);
    this.busy.set(true);
    this.error.set(null);
    try {
      await this.auth.resetPassword(this.token() ?? '', password);
      this.done.set(true);
    } catch (err) {
      this.error.set(problemText(err, this.i18n.t('errors.generic')));
    } finally {
      this.busy.set(false);
    }
  }
}
