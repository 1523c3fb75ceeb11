import { HttpClient } from '@angular/common/http';
import { Injectable, inject, signal } from '@angular/core';
import { firstValueFrom } from 'rxjs';

export interface Tag { id: string; name: string; color: string; createdAt: string }

/** The tags plugin's REST API (docs/tags.md). */
@Injectable({ providedIn: 'root' })
export class TagsApi {
  private readonly http = inject(HttpClient);
  /** The account's tags as last loaded: shared by the sidebar panel and the inbox filter, so a new tag shows in both. */
  readonly catalogue = signal<Tag[]>([]);

  /** Reloads `catalogue` (kept as it was when the request fails). */
  async refresh(): Promise<void> {
    try {
      this.catalogue.set((await firstValueFrom(this.http.get<{ tags: Tag[] }>('/api/v1/tags'))).tags);
    } catch {
      // Suggestions and the filter only: the rest works without them.
    }
  }

  /** Adds and/or removes labels → the conversation's tags. */
  async change(conversationId: string, change: { add?: string[]; remove?: string[] }): Promise<string[]> {
    return (await firstValueFrom(this.http.post<{ tags: string[] }>(`/api/v1/tags/conversations/${encodeURIComponent(conversationId)}`, change))).tags;
  }
}
