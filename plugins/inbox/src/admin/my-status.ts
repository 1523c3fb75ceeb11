import { ChangeDetectionStrategy, Component, inject, output, signal } from '@angular/core';
import { I18nService, TranslatePipe, problemText } from '@charla/admin/sdk';
import { InboxApi, type Agent, type AgentStatus } from './inbox-api';

/** The signed-in agent's availability: available (gets new conversations) or away. */
@Component({
  selector: 'ch-inbox-my-status',
  imports: [TranslatePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="field">
      <label for="inbox-my-status">{{ 'inbox.status.label' | t }}</label>
      <select id="inbox-my-status" [value]="me()?.status ?? 'available'" (change)="set($any($event.target).value)" [disabled]="busy() || !me()">
        <option value="available">{{ 'inbox.status.available' | t }}</option>
        <option value="away">{{ 'inbox.status.away' | t }}</option>
      </select>
      <small class="hint">{{ 'inbox.status.hint' | t }}</small>
    </div>
    @if (error()) {
      <p class="alert alert-error" role="alert">{{ error() }}</p>
    }
  `,
})
export class InboxMyStatus {
  private readonly api = inject(InboxApi);
  private readonly i18n = inject(I18nService);
  protected readonly me = signal<Agent | null>(null);
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  readonly changed = output<Agent>();

  constructor() {
    void this.api.me().then(
      (a) => this.me.set(a),
      (err: unknown) => this.error.set(problemText(err, this.i18n.t('errors.generic'))),
    );
  }

  protected async set(status: AgentStatus): Promise<void> {
    this.busy.set(true);
    this.error.set(null);
    try {
      const a = await this.api.setMyStatus(status);
      this.me.set(a);
      this.changed.emit(a);
    } catch (err) {
      this.error.set(problemText(err, this.i18n.t('errors.generic')));
    } finally {
      this.busy.set(false);
    }
  }
}
