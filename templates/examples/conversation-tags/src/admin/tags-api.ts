import { HttpClient } from '@angular/common/http';
import { Injectable, inject, signal } from '@angular/core';
import { firstValueFrom } from 'rxjs';

export interface Tag {
  id: string;
  name: string;
  color: string;
  keywords: string[];
}

/** The plugin's REST API (`/api/v1/conversation-tags`), with the account's tags as a signal. */
@Injectable({ providedIn: 'root' })
export class TagsApi {
  private readonly http = inject(HttpClient);
  readonly tags = signal<Tag[]>([]);

  async load(): Promise<void> {
    const r = await firstValueFrom(this.http.get<{ tags: Tag[] }>('/api/v1/conversation-tags'));
    this.tags.set(r.tags);
  }

  async create(input: { name: string; color: string; keywords: string[] }): Promise<void> {
    await firstValueFrom(this.http.post<Tag>('/api/v1/conversation-tags', input));
    await this.load();
  }

  async remove(id: string): Promise<void> {
    await firstValueFrom(this.http.delete(`/api/v1/conversation-tags/${encodeURIComponent(id)}`));
    await this.load();
  }

  async toggle(tagId: string, conversationId: string, on: boolean): Promise<string[]> {
    const url = `/api/v1/conversation-tags/${encodeURIComponent(tagId)}/conversations/${encodeURIComponent(conversationId)}`;
    const r = await firstValueFrom(on ? this.http.put<{ tags: string[] }>(url, {}) : this.http.delete<{ tags: string[] }>(url));
    return r.tags;
  }
}
