import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { BrowserNotifications, I18nService, TranslatePipe, problemText } from '@charla/admin/sdk';
import { InboxApi, type NotificationPreferences } from './inbox-api';
import { InboxMyStatus } from './my-status';

type Channel = keyof NotificationPreferences;
const ROWS: ReadonlyArray<{ channel: Channel; key: string }> = [
  { channel: 'email', key: 'newConversation' },
  { channel: 'email', key: 'newMessage' },
  { channel: 'email', key: 'slaAlerts' },
  { channel: 'browser', key: 'newConversation' },
  { channel: 'browser', key: 'newMessage' },
  { channel: 'browser', key: 'priority' },
];

/** `settings.sections` contribution: my availability and my notification preferences (saved on change). */
@Component({
  selector: 'ch-inbox-notification-settings',
  imports: [TranslatePipe, InboxMyStatus],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="card stack" data-testid="inbox-notifications">
      <h2>{{ 'inbox.prefs.title' | t }}</h2>
      <ch-inbox-my-status />
      @if (prefs(); as p) {
        @for (group of groups; track group) {
          <fieldset class="fieldset">
            <legend>{{ 'inbox.prefs.' + group | t }}</legend>
            @for (row of rowsOf(group); track row.key) {
              <label class="check">
                <input type="checkbox" [checked]="value(p, row.channel, row.key)" (change)="toggle(row.channel, row.key, $any($event.target).checked)" [disabled]="busy()" />
                {{ 'inbox.prefs.' + row.channel + '.' + row.key | t }}
              </label>
            }
          </fieldset>
        }
        <small class="hint">{{ 'inbox.prefs.hint' | t }}</small>
      } @else if (!error()) {
        <p class="muted" role="status">{{ 'common.loading' | t }}</p>
      }
      @if (saved()) {
        <p class="muted" role="status">{{ 'common.saved' | t }}</p>
      }
      @if (error()) {
        <p class="alert alert-error" role="alert">{{ error() }}</p>
      }
    </section>
  `,
})
export class InboxNotificationSettings {
  private readonly api = inject(InboxApi);
  private readonly i18n = inject(I18nService);
  private readonly notifications = inject(BrowserNotifications);
  protected readonly groups: readonly Channel[] = ['email', 'browser'];
  protected readonly prefs = signal<NotificationPreferences | null>(null);
  protected readonly busy = signal(false);
  protected readonly saved = signal(false);
  protected readonly error = signal<string | null>(null);

  constructor() {
    void this.api.preferences().then(
      (p) => this.prefs.set(p),
      (err: unknown) => this.error.set(problemText(err, this.i18n.t('errors.generic'))),
    );
  }

  protected rowsOf(channel: Channel): ReadonlyArray<{ channel: Channel; key: string }> {
    return ROWS.filter((r) => r.channel === channel);
  }

  protected value(p: NotificationPreferences, channel: Channel, key: string): boolean {
    return (p[channel] as Record<string, boolean>)[key] ?? true;
  }

  protected async toggle(channel: Channel, key: string, on: boolean): Promise<void> {
    this.busy.set(true);
    this.saved.set(false);
    this.error.set(null);
    try {
      this.prefs.set(await this.api.savePreferences({ [channel]: { [key]: on } }));
      this.saved.set(true);
      if (channel === 'browser' && on) this.notifications.askOnce();
    } catch (err) {
      this.error.set(problemText(err, this.i18n.t('errors.generic')));
    } finally {
      this.busy.set(false);
    }
  }
}
