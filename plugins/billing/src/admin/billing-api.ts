import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { firstValueFrom } from 'rxjs';

export interface Limit { used: number; limit: number | null }
export interface Usage {
  plan: string; planName: string; periodStart: string; periodEnd: string;
  agents: Limit & { pending: number }; conversations: Limit & { overage: number }; sites: Limit;
}
export interface Plan { id: string; name: string; plugins: string[]; limits: Record<string, number | null>; entitlements: Record<string, boolean | number> }
export interface OperatorAccount {
  id: string; name: string; plan: string; createdAt: string; agents: number; sites: number; suspended: boolean;
  conversationsLast30Days: number | null; lastActivityAt: string | null; trend: number | null; churnRisk: 'low' | 'medium' | 'high' | null;
}

/** The billing plugin's HTTP API and the operator's (API-features.md § Plans, billing and the operator). */
@Injectable({ providedIn: 'root' })
export class BillingApi {
  private readonly http = inject(HttpClient);

  usage(): Promise<Usage> {
    return firstValueFrom(this.http.get<Usage>('/api/v1/billing/usage'));
  }
  plans(): Promise<{ plans: Plan[]; current: string; provider: string }> {
    return firstValueFrom(this.http.get<{ plans: Plan[]; current: string; provider: string }>('/api/v1/billing/plans'));
  }
  /** A hosted checkout page of the payment provider for `plan`. */
  checkout(plan: string): Promise<{ url: string }> {
    return firstValueFrom(this.http.post<{ url: string }>('/api/v1/billing/checkout', { plan }));
  }
  /** The provider's customer portal (invoices, card, cancel). */
  portal(): Promise<{ url: string }> {
    return firstValueFrom(this.http.post<{ url: string }>('/api/v1/billing/portal', {}));
  }
  async accounts(sort: string): Promise<OperatorAccount[]> {
    const out: OperatorAccount[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `/api/v1/operator/accounts?limit=100&sort=${encodeURIComponent(sort)}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page: { accounts: OperatorAccount[]; nextCursor: string | null } = await firstValueFrom(this.http.get<{ accounts: OperatorAccount[]; nextCursor: string | null }>(q));
      out.push(...page.accounts);
      cursor = page.nextCursor;
    } while (cursor && out.length < 1000);
    return out;
  }
  change(id: string, body: { plan?: string; suspended?: boolean }): Promise<{ id: string; plan: string; suspended: boolean }> {
    return firstValueFrom(this.http.patch<{ id: string; plan: string; suspended: boolean }>(`/api/v1/operator/accounts/${id}`, body));
  }
}
