import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { I18nService, TranslatePipe, problemText } from '@charla/admin/sdk';
import { BillingApi, type Plan, type Usage } from './billing-api';

/** Settings → Account → Plan and usage: the plan, the billing period and each limit (owners and admins see the figures). */
@Component({
  selector: 'ch-billing-plan-usage',
  imports: [TranslatePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="stack" data-testid="plan-usage">
      @if (usage(); as u) {
        <p>{{ 'billing.plan.current' | t: { plan: u.planName } }}</p>
        <p class="muted">{{ 'billing.plan.period' | t: { start: day(u.periodStart), end: day(u.periodEnd) } }}</p>
        <table class="table">
          <thead>
            <tr>
              <th scope="col">{{ 'billing.plan.what' | t }}</th>
              <th scope="col">{{ 'billing.plan.used' | t }}</th>
              <th scope="col">{{ 'billing.plan.limit' | t }}</th>
            </tr>
          </thead>
          <tbody>
            <tr data-limit="agents"><td>{{ 'billing.plan.agents' | t }}</td><td>{{ u.agents.used }}@if (u.agents.pending) { <span class="muted"> (+{{ u.agents.pending }} {{ 'billing.plan.pending' | t }})</span> }</td><td>{{ limit(u.agents.limit) }}</td></tr>
            <tr data-limit="conversations"><td>{{ 'billing.plan.conversations' | t }}</td><td>{{ u.conversations.used }}</td><td>{{ limit(u.conversations.limit) }}</td></tr>
            <tr data-limit="sites"><td>{{ 'billing.plan.sites' | t }}</td><td>{{ u.sites.used }}</td><td>{{ limit(u.sites.limit) }}</td></tr>
          </tbody>
        </table>
        @if (u.conversations.overage > 0) {
          <p class="alert alert-warning" role="status" data-testid="overage">{{ 'billing.plan.overage' | t: { n: u.conversations.overage } }}</p>
        }
        @if (provider() !== 'none') {
          <div class="row" data-testid="billing-actions">
            @for (p of otherPlans(); track p.id) {
              <button type="button" class="btn btn-primary" [disabled]="busy()" (click)="checkout(p.id)">{{ 'billing.plan.switchTo' | t: { plan: p.name } }}</button>
            }
            <button type="button" class="btn btn-secondary" [disabled]="busy()" (click)="portal()">{{ 'billing.plan.manage' | t }}</button>
          </div>
        }
      } @else if (planName()) {
        <p>{{ 'billing.plan.current' | t: { plan: planName() } }}</p>
      }
      @if (error()) {
        <p class="alert alert-error" role="alert">{{ error() }}</p>
      }
    </div>
  `,
})
export class PlanUsage {
  private readonly api = inject(BillingApi);
  private readonly i18n = inject(I18nService);
  readonly usage = signal<Usage | null>(null);
  readonly planName = signal('');
  readonly error = signal('');
  /** The payment provider: with one, admins subscribe and manage billing here. */
  readonly provider = signal('none');
  readonly otherPlans = signal<Plan[]>([]);
  readonly busy = signal(false);

  constructor() {
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.usage.set(await this.api.usage());
      const p = await this.api.plans();
      this.provider.set(p.provider);
      this.otherPlans.set(p.plans.filter((x) => x.id !== p.current));
    } catch (err) {
      // Agents (not admins) do not see the figures: the plan name only.
      try {
        const p = await this.api.plans();
        this.planName.set(p.plans.find((x) => x.id === p.current)?.name ?? p.current);
      } catch {
        this.error.set(problemText(err, this.i18n.t('billing.error')));
      }
    }
  }

  /** Off to the provider's hosted page; on a refusal (no price for the plan, provider down) the reason stays here. */
  async checkout(plan: string): Promise<void> {
    await this.go(() => this.api.checkout(plan));
  }

  async portal(): Promise<void> {
    await this.go(() => this.api.portal());
  }

  private async go(link: () => Promise<{ url: string }>): Promise<void> {
    this.busy.set(true);
    this.error.set('');
    try {
      window.location.assign((await link()).url);
    } catch (err) {
      this.error.set(problemText(err, this.i18n.t('billing.error')));
      this.busy.set(false);
    }
  }

  limit(n: number | null): string {
    return n === null ? this.i18n.t('billing.plan.unlimited') : String(n);
  }

  day(iso: string): string {
    return iso.slice(0, 10);
  }
}
