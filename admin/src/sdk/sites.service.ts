import { HttpClient } from '@angular/common/http';
import { Injectable, computed, inject, signal } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import type { Site } from './models';

/** The account's sites (cached list; settings screens update it after writes). */
@Injectable({ providedIn: 'root' })
export class SitesService {
  private readonly http = inject(HttpClient);
  private readonly list = signal<readonly Site[]>([]);
  private readonly loadedOnce = signal(false);
  private pending: Promise<void> | null = null;

  readonly sites = this.list.asReadonly();
  readonly loaded = this.loadedOnce.asReadonly();
  readonly byId = computed(() => new Map(this.list().map((s) => [s.id, s])));

  load(force = false): Promise<void> {
    if (!this.pending || force) {
      this.pending = firstValueFrom(this.http.get<{ sites: Site[] } | Site[]>('/api/v1/sites'))
        .then((res) => {
          this.list.set(Array.isArray(res) ? res : (res.sites ?? []));
          this.loadedOnce.set(true);
        })
        .catch(() => {
          this.pending = null;
        });
    }
    return this.pending;
  }

  async get(id: string): Promise<Site> {
    const site = await firstValueFrom(this.http.get<Site>(`/api/v1/sites/${encodeURIComponent(id)}`));
    this.upsert(site);
    return site;
  }

  async create(body: { name: string; domain?: string }): Promise<Site> {
    const site = await firstValueFrom(this.http.post<Site>('/api/v1/sites', body));
    this.upsert(site);
    return site;
  }

  async update(id: string, body: Record<string, unknown>): Promise<Site> {
    const site = await firstValueFrom(this.http.patch<Site>(`/api/v1/sites/${encodeURIComponent(id)}`, body));
    this.upsert(site);
    return site;
  }

  async remove(id: string): Promise<void> {
    await firstValueFrom(this.http.delete(`/api/v1/sites/${encodeURIComponent(id)}`));
    this.list.update((l) => l.filter((s) => s.id !== id));
  }

  private upsert(site: Site): void {
    this.list.update((l) => {
      const i = l.findIndex((s) => s.id === site.id);
      if (i < 0) return [...l, site];
      const next = l.slice();
      next[i] = { ...l[i], ...site };
      return next;
    });
  }
}
