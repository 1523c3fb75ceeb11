import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { firstValueFrom } from 'rxjs';

export interface Webhook { id: string; url: string; description: string | null; events: string[]; enabled: boolean; includePrivate: boolean; disabledReason: string | null; createdAt: string }
export interface Delivery { id: string; eventId: string; type: string; status: 'pending' | 'delivered' | 'failed'; attempts: number; lastStatus: number | null; lastError: string | null; durationMs: number | null; nextAttemptAt: string | null; createdAt: string }

/** The webhooks plugin's HTTP API (API-features.md § Webhooks). */
@Injectable({ providedIn: 'root' })
export class WebhooksApi {
  private readonly http = inject(HttpClient);

  async catalogue(): Promise<string[]> {
    const r = await firstValueFrom(this.http.get<{ events: Array<{ name: string }> }>('/api/v1/events/catalogue'));
    return r.events.map((e) => e.name).filter((n) => !n.startsWith('sessions.'));
  }
  async list(): Promise<Webhook[]> {
    return (await firstValueFrom(this.http.get<{ webhooks: Webhook[] }>('/api/v1/webhooks'))).webhooks;
  }
  create(body: { url: string; events: string[]; description?: string }): Promise<Webhook & { secret: string }> {
    return firstValueFrom(this.http.post<Webhook & { secret: string }>('/api/v1/webhooks', body));
  }
  update(id: string, body: Partial<Pick<Webhook, 'enabled' | 'events' | 'url'>>): Promise<Webhook> {
    return firstValueFrom(this.http.patch<Webhook>(`/api/v1/webhooks/${id}`, body));
  }
  remove(id: string): Promise<unknown> {
    return firstValueFrom(this.http.delete(`/api/v1/webhooks/${id}`));
  }
  rotate(id: string): Promise<Webhook & { secret: string }> {
    return firstValueFrom(this.http.post<Webhook & { secret: string }>(`/api/v1/webhooks/${id}/rotate-secret`, {}));
  }
  test(id: string): Promise<Delivery> {
    return firstValueFrom(this.http.post<Delivery>(`/api/v1/webhooks/${id}/test`, {}));
  }
  async deliveries(id: string): Promise<Delivery[]> {
    return (await firstValueFrom(this.http.get<{ deliveries: Delivery[] }>(`/api/v1/webhooks/${id}/deliveries?limit=20`))).deliveries;
  }
  redeliver(id: string, deliveryId: string): Promise<Delivery> {
    return firstValueFrom(this.http.post<Delivery>(`/api/v1/webhooks/${id}/deliveries/${deliveryId}/redeliver`, {}));
  }
}
