import { ChangeDetectionStrategy, Component, inject, input, signal } from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import { AuthService } from '../../sdk/auth.service';
import { I18nService, TranslatePipe } from '../../sdk/i18n.service';
import { problemText } from '../../sdk/problem';
import { AuthCard, formValues } from './auth-card';

@Component({
  selector: 'ch-accept-invitation-page',
  imports: [AuthCard, RouterLink, TranslatePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <ch-auth-card [heading]="'auth.accept.title' | t">
      @if (!token()) {
        <p class="alert alert-error" role="alert">{{ 'auth.accept.noToken' | t }}</p>
      } @else {
        <p class="muted">{{ 'auth.accept.intro' | t }}</p>
        <form class="stack" (submit)="submit($event)">
          @if (error()) {
            <p class="alert alert-error" role="alert">{{ error() }}</p>
          }
          <div class="field">
            <label for="accept-name">{{ 'auth.name' | t }}</label>
            <input id="accept-name" name="name" autocomplete="name" required maxlength="120" />
          </div>
          <div class="field">
            <label for="accept-password">{{ 'auth.password' | t }}</label>
            <input id="accept-password" name="password" type="password" autocomplete="new-password" required minlength="8" aria-describedby="accept-hint" />
            <small id="accept-hint" class="hint">{{ 'auth.passwordHint' | t }}</small>
          </div>
          <button class="btn btn-primary btn-block" type="submit" [disabled]="busy()">{{ 'auth.accept.submit' | t }}</button>
        </form>
      }
      <p class="auth-links"><a routerLink="/login">{{ 'auth.backToLogin' | t }}</a></p>
    </ch-auth-card>
  `,
})
export class AcceptInvitationPage {
  private readonly auth = inject(AuthService);
  private readonly router = inject(Router);
  private readonly i18n = inject(I18nService);
  readonly token = input<string>();
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);

  protected async submit(event: Event): Promise<void> {
    const v = formValues(event);
    this.busy.set(true);
    this.error.set(null);
    try {
      await this.auth.acceptInvitation({ token: this.token() ?? '', name: v['name'].trim(), password: v['password'] });
      await this.router.navigateByUrl('/');
    } catch (err) {
      this.error.set(problemText(err, this.i18n.t('errors.generic')));
    } finally {
      this.busy.set(false);
    }
  }
}
