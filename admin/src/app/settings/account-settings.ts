import { HttpClient } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import { AuthService } from '../../sdk/auth.service';
import { I18nService, TranslatePipe } from '../../sdk/i18n.service';
import type { Account } from '../../sdk/models';
import { problemText } from '../../sdk/problem';
import { SlotOutlet } from '../../sdk/slot-outlet';
import { formValues } from '../auth/auth-card';

@Component({
  selector: 'ch-account-settings',
  imports: [TranslatePipe, SlotOutlet],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="card">
      <h2>{{ 'settings.account.title' | t }}</h2>
      <form class="stack narrow" (submit)="rename($event)">
        <div class="field">
          <label for="account-name">{{ 'settings.account.name' | t }}</label>
          <input id="account-name" name="name" required maxlength="120" [value]="auth.account()?.name ?? ''" [readOnly]="!auth.canManage()" />
        </div>
        @if (auth.canManage()) {
          <div class="row">
            <button class="btn btn-primary" type="submit" [disabled]="busy()">{{ 'common.save' | t }}</button>
            <span role="status" class="muted">{{ accountStatus() }}</span>
          </div>
        }
      </form>
    </section>

    <section class="card">
      <h2>{{ 'settings.password.title' | t }}</h2>
      <form class="stack narrow" (submit)="changePassword($event)">
        <div class="field">
          <label for="pw-current">{{ 'settings.password.current' | t }}</label>
          <input id="pw-current" name="currentPassword" type="password" autocomplete="current-password" required />
        </div>
        <div class="field">
          <label for="pw-new">{{ 'auth.newPassword' | t }}</label>
          <input id="pw-new" name="newPassword" type="password" autocomplete="new-password" required minlength="8" />
        </div>
        <div class="row">
          <button class="btn btn-secondary" type="submit">{{ 'settings.password.submit' | t }}</button>
          <span role="status" class="muted">{{ passwordStatus() }}</span>
        </div>
      </form>
    </section>

    <ch-slot name="settings.sections" [titles]="true" />
  `,
})
export class AccountSettings {
  protected readonly auth = inject(AuthService);
  private readonly http = inject(HttpClient);
  private readonly i18n = inject(I18nService);
  protected readonly busy = signal(false);
  protected readonly accountStatus = signal('');
  protected readonly passwordStatus = signal('');

  protected async rename(event: Event): Promise<void> {
    const { name } = formValues(event);
    this.busy.set(true);
    try {
      const account = await firstValueFrom(this.http.patch<Account>('/api/v1/account', { name: name.trim() }));
      this.auth.updateAccount(account);
      this.accountStatus.set(this.i18n.t('common.saved'));
    } catch (err) {
      this.accountStatus.set(problemText(err, this.i18n.t('errors.generic')));
    } finally {
      this.busy.set(false);
    }
  }

  protected async changePassword(event: Event): Promise<void> {
    const v = formValues(event);
    try {
      await this.auth.changePassword(v['currentPassword'], v['newPassword']);
      (event.target as HTMLFormElement).reset();
      this.passwordStatus.set(this.i18n.t('settings.password.changed'));
    } catch (err) {
      this.passwordStatus.set(problemText(err, this.i18n.t('errors.generic')));
    }
  }
}
