import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { I18nService, TranslatePipe, problemText } from '@charla/admin/sdk';
import { BillingApi, type OperatorAccount, type Plan } from './billing-api';

/** /admin/operator (instance operators only): every account with plan, figures, trend and churn risk; change plan, suspend/resume. */
@Component({
  selector: 'ch-billing-operator-page',
  imports: [TranslatePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'page' },
  styles: [`.badge-danger { background: #fdecea; color: var(--c-danger); } .badge-warning { background: var(--c-warning-bg); color: var(--c-warning); } td .badge { margin-inline-start: 6px; }`],
  template: `
    <div class="stack">
      <h1 class="page-title">{{ 'billing.operator.title' | t }}</h1>
      <div class="row">
        <label for="op-sort">{{ 'billing.operator.sort' | t }}</label>
        <select id="op-sort" [value]="sort()" (change)="setSort($event)">
          <option value="-churnRisk">{{ 'billing.operator.sortRisk' | t }}</option>
          <option value="-conversationsLast30Days">{{ 'billing.operator.sortActivity' | t }}</option>
          <option value="-createdAt">{{ 'billing.operator.sortNewest' | t }}</option>
          <option value="name">{{ 'billing.operator.sortName' | t }}</option>
        </select>
      </div>
      @if (error()) {
        <p class="alert alert-error" role="alert">{{ error() }}</p>
      }
      <section class="card">
        <table class="table" data-testid="accounts">
          <thead>
            <tr>
              <th scope="col">{{ 'billing.operator.account' | t }}</th>
              <th scope="col">{{ 'billing.operator.plan' | t }}</th>
              <th scope="col">{{ 'billing.operator.agents' | t }}</th>
              <th scope="col">{{ 'billing.operator.sites' | t }}</th>
              <th scope="col">{{ 'billing.operator.conversations' | t }}</th>
              <th scope="col">{{ 'billing.operator.lastActivity' | t }}</th>
              <th scope="col">{{ 'billing.operator.trend' | t }}</th>
              <th scope="col">{{ 'billing.operator.risk' | t }}</th>
              <th scope="col"><span class="visually-hidden">{{ 'common.actions' | t }}</span></th>
            </tr>
          </thead>
          <tbody>
            @for (a of accounts(); track a.id) {
              <tr [attr.data-account]="a.name" [attr.data-suspended]="a.suspended">
                <td>{{ a.name }}@if (a.suspended) { <span class="badge badge-danger">{{ 'billing.operator.suspended' | t }}</span> }</td>
                <td>
                  <select [attr.aria-label]="'billing.operator.planOf' | t: { name: a.name }" [value]="a.plan" (change)="changePlan(a, $event)">
                    @for (p of plans(); track p.id) {
                      <option [value]="p.id" [selected]="p.id === a.plan">{{ p.name }}</option>
                    }
                  </select>
                </td>
                <td>{{ a.agents }}</td>
                <td>{{ a.sites }}</td>
                <td>{{ a.conversationsLast30Days ?? '—' }}</td>
                <td>{{ a.lastActivityAt ? a.lastActivityAt.slice(0, 10) : ('billing.operator.never' | t) }}</td>
                <td>{{ trend(a.trend) }}</td>
                <td>
                  @if (a.churnRisk) {
                    <span class="badge" [class.badge-danger]="a.churnRisk === 'high'" [class.badge-warning]="a.churnRisk === 'medium'" [attr.data-risk]="a.churnRisk">{{ 'billing.operator.risk.' + a.churnRisk | t }}</span>
                  }
                </td>
                <td>
                  <button type="button" class="btn btn-sm" [class.btn-danger]="!a.suspended" [class.btn-secondary]="a.suspended" (click)="toggleSuspended(a)">
                    {{ (a.suspended ? 'billing.operator.resume' : 'billing.operator.suspend') | t }}
                  </button>
                </td>
              </tr>
            }
          </tbody>
        </table>
      </section>
    </div>
  `,
})
export class OperatorPage {
  private readonly api = inject(BillingApi);
  private readonly i18n = inject(I18nService);
  readonly accounts = signal<OperatorAccount[]>([]);
  readonly plans = signal<Plan[]>([]);
  readonly sort = signal('-churnRisk');
  readonly error = signal('');

  constructor() {
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      const [accounts, plans] = await Promise.all([this.api.accounts(this.sort()), this.api.plans()]);
      this.accounts.set(accounts);
      this.plans.set(plans.plans);
      this.error.set('');
    } catch (err) {
      this.error.set(problemText(err, this.i18n.t('billing.error')));
    }
  }

  setSort(event: Event): void {
    this.sort.set((event.target as HTMLSelectElement).value);
    void this.load();
  }

  async changePlan(a: OperatorAccount, event: Event): Promise<void> {
    await this.run(() => this.api.change(a.id, { plan: (event.target as HTMLSelectElement).value }));
  }

  async toggleSuspended(a: OperatorAccount): Promise<void> {
    await this.run(() => this.api.change(a.id, { suspended: !a.suspended }));
  }

  private async run(fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
      await this.load();
    } catch (err) {
      this.error.set(problemText(err, this.i18n.t('billing.error')));
    }
  }

  trend(v: number | null): string {
    if (v === null) return '—';
    const pct = Math.round(v * 100);
    return `${pct > 0 ? '+' : ''}${pct} %`;
  }
}
