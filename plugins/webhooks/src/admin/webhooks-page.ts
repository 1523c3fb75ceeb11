import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { CopyButton, I18nService, TranslatePipe, problemText } from '@charla/admin/sdk';
import { WebhooksApi, type Delivery, type Webhook } from './webhooks-api';

/** /admin/webhooks: endpoints (create with an event picker, secret shown once, enable/disable, test) and each one's delivery log with redeliver. */
@Component({
  selector: 'ch-webhooks-page',
  imports: [TranslatePipe, CopyButton],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'page' },
  template: `
    <div class="stack">
      <h1 class="page-title">{{ 'webhooks.title' | t }}</h1>
      <section class="card">
        <h2>{{ 'webhooks.new' | t }}</h2>
        <form (submit)="create($event)" class="stack">
          <div class="field">
            <label for="wh-url">{{ 'webhooks.url' | t }}</label>
            <input id="wh-url" name="url" type="url" required maxlength="2048" placeholder="https://example.com/hooks/charla" [value]="url()" (input)="url.set(value($event))" />
          </div>
          <div class="field">
            <label for="wh-description">{{ 'webhooks.description' | t }}</label>
            <input id="wh-description" name="description" maxlength="500" [value]="description()" (input)="description.set(value($event))" />
          </div>
          <fieldset class="fieldset" data-testid="event-picker">
            <legend>{{ 'webhooks.events' | t }}</legend>
            <label class="check"><input type="checkbox" [checked]="picked().has('*')" (change)="toggle('*')" /> {{ 'webhooks.allEvents' | t }}</label>
            <div class="check-grid">
              @for (name of catalogue(); track name) {
                <label class="check"><input type="checkbox" [attr.data-event]="name" [checked]="picked().has(name)" [disabled]="picked().has('*')" (change)="toggle(name)" /> <code>{{ name }}</code></label>
              }
            </div>
          </fieldset>
          <div class="row">
            <button class="btn btn-primary" type="submit" [disabled]="busy() || !picked().size">{{ 'webhooks.create' | t }}</button>
          </div>
        </form>
        @if (secret()) {
          <div class="alert alert-success" role="status" data-testid="secret">
            <p>{{ 'webhooks.secretOnce' | t }}</p>
            <p><code>{{ secret() }}</code> <ch-copy-button [text]="secret()!" /></p>
          </div>
        }
        @if (error()) {
          <p class="alert alert-error" role="alert">{{ error() }}</p>
        }
      </section>
      <section class="card">
        @if (hooks().length) {
          <table class="table" data-testid="webhooks">
            <thead>
              <tr>
                <th scope="col">{{ 'webhooks.url' | t }}</th>
                <th scope="col">{{ 'webhooks.events' | t }}</th>
                <th scope="col">{{ 'webhooks.state' | t }}</th>
                <th scope="col"><span class="visually-hidden">{{ 'common.actions' | t }}</span></th>
              </tr>
            </thead>
            <tbody>
              @for (h of hooks(); track h.id) {
                <tr [attr.data-webhook]="h.url">
                  <td><code>{{ h.url }}</code>@if (h.description) { <div class="muted">{{ h.description }}</div> }</td>
                  <td>{{ h.events.join(', ') }}</td>
                  <td>
                    {{ (h.enabled ? 'webhooks.enabled' : 'webhooks.disabled') | t }}
                    @if (h.disabledReason) { <div class="muted">{{ h.disabledReason }}</div> }
                  </td>
                  <td class="row">
                    <button type="button" class="btn btn-secondary btn-sm" (click)="show(h)">{{ 'webhooks.log' | t }}</button>
                    <button type="button" class="btn btn-secondary btn-sm" [disabled]="!h.enabled" (click)="test(h)">{{ 'webhooks.test' | t }}</button>
                    <button type="button" class="btn btn-secondary btn-sm" (click)="setEnabled(h, !h.enabled)">{{ (h.enabled ? 'webhooks.disable' : 'webhooks.enable') | t }}</button>
                    <button type="button" class="btn btn-secondary btn-sm" (click)="rotate(h)">{{ 'webhooks.rotate' | t }}</button>
                    <button type="button" class="btn btn-danger btn-sm" (click)="remove(h)">{{ 'webhooks.delete' | t }}</button>
                  </td>
                </tr>
              }
            </tbody>
          </table>
        } @else {
          <p class="muted">{{ 'webhooks.none' | t }}</p>
        }
      </section>
      @if (selected(); as h) {
        <section class="card" data-testid="deliveries">
          <h2>{{ 'webhooks.logOf' | t: { url: h.url } }}</h2>
          <button type="button" class="btn btn-secondary btn-sm" (click)="show(h)">{{ 'webhooks.refresh' | t }}</button>
          @if (deliveries().length) {
            <table class="table">
              <thead>
                <tr>
                  <th scope="col">{{ 'webhooks.event' | t }}</th>
                  <th scope="col">{{ 'webhooks.status' | t }}</th>
                  <th scope="col">{{ 'webhooks.response' | t }}</th>
                  <th scope="col">{{ 'webhooks.attempts' | t }}</th>
                  <th scope="col">{{ 'webhooks.when' | t }}</th>
                  <th scope="col"><span class="visually-hidden">{{ 'common.actions' | t }}</span></th>
                </tr>
              </thead>
              <tbody>
                @for (d of deliveries(); track d.id) {
                  <tr [attr.data-delivery]="d.type" [attr.data-status]="d.status">
                    <td><code>{{ d.type }}</code></td>
                    <td>{{ 'webhooks.status.' + d.status | t }}</td>
                    <td>{{ d.lastStatus ?? d.lastError ?? '—' }}@if (d.durationMs !== null) { <span class="muted"> · {{ d.durationMs }} ms</span> }</td>
                    <td>{{ d.attempts }}</td>
                    <td>{{ d.createdAt }}</td>
                    <td><button type="button" class="btn btn-secondary btn-sm" [disabled]="!h.enabled" (click)="redeliver(h, d)">{{ 'webhooks.redeliver' | t }}</button></td>
                  </tr>
                }
              </tbody>
            </table>
          } @else {
            <p class="muted">{{ 'webhooks.noDeliveries' | t }}</p>
          }
        </section>
      }
    </div>
  `,
})
export class WebhooksPage {
  private readonly api = inject(WebhooksApi);
  private readonly i18n = inject(I18nService);
  protected readonly catalogue = signal<string[]>([]);
  protected readonly hooks = signal<Webhook[]>([]);
  protected readonly url = signal('');
  protected readonly description = signal('');
  protected readonly picked = signal<Set<string>>(new Set());
  protected readonly secret = signal<string | null>(null);
  protected readonly selected = signal<Webhook | null>(null);
  protected readonly deliveries = signal<Delivery[]>([]);
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);

  constructor() {
    void this.run(async () => {
      this.catalogue.set(await this.api.catalogue());
      await this.load();
    });
  }

  protected value(event: Event): string {
    return (event.target as HTMLInputElement).value;
  }

  protected toggle(name: string): void {
    this.picked.update((s) => {
      const next = new Set(s);
      if (next.has(name)) next.delete(name);
      else next.add(name);
      return next;
    });
  }

  protected async create(event: Event): Promise<void> {
    event.preventDefault();
    this.busy.set(true);
    await this.run(async () => {
      const events = this.picked().has('*') ? ['*'] : [...this.picked()];
      const created = await this.api.create({ url: this.url().trim(), events, ...(this.description().trim() ? { description: this.description().trim() } : {}) });
      this.secret.set(created.secret);
      this.url.set('');
      this.description.set('');
      this.picked.set(new Set());
      await this.load();
    });
    this.busy.set(false);
  }

  protected show(h: Webhook): Promise<void> {
    this.selected.set(h);
    return this.run(async () => this.deliveries.set(await this.api.deliveries(h.id)));
  }

  protected test(h: Webhook): Promise<void> {
    return this.run(async () => {
      await this.api.test(h.id);
      await this.show(h);
    });
  }

  protected redeliver(h: Webhook, d: Delivery): Promise<void> {
    return this.run(async () => {
      await this.api.redeliver(h.id, d.id);
      await this.show(h);
    });
  }

  protected setEnabled(h: Webhook, enabled: boolean): Promise<void> {
    return this.run(async () => {
      await this.api.update(h.id, { enabled });
      await this.load();
    });
  }

  protected rotate(h: Webhook): Promise<void> {
    return this.run(async () => this.secret.set((await this.api.rotate(h.id)).secret));
  }

  protected remove(h: Webhook): Promise<void> {
    return this.run(async () => {
      await this.api.remove(h.id);
      if (this.selected()?.id === h.id) this.selected.set(null);
      await this.load();
    });
  }

  private async load(): Promise<void> {
    const hooks = await this.api.list();
    this.hooks.set(hooks);
    const sel = this.selected();
    if (sel) this.selected.set(hooks.find((h) => h.id === sel.id) ?? null);
  }

  /** Runs an action, showing the server's problem detail when it fails. */
  private async run(fn: () => Promise<void>): Promise<void> {
    this.error.set(null);
    try {
      await fn();
    } catch (err) {
      this.error.set(problemText(err, this.i18n.t('webhooks.failed')));
    }
  }
}
