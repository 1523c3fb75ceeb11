import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { firstValueFrom } from 'rxjs';

export type ArticleStatus = 'draft' | 'published';

export interface Article {
  id: string;
  slug: string;
  title: string;
  body: string;
  tags: string[];
  category: string | null;
  locale: string;
  status: ArticleStatus;
  authorId: string | null;
  createdAt: string;
  updatedAt: string;
  publishedAt: string | null;
  /** With a search: the matched passage, HTML-escaped with the matched words in <mark>. */
  snippet?: string;
  feedback?: { helpful: number; notHelpful: number };
}

export interface ArticleFilter { q?: string; status?: ArticleStatus | ''; category?: string; tag?: string; locale?: string; cursor?: string }
export type ArticleWrite = Pick<Article, 'title' | 'body' | 'tags' | 'category' | 'locale' | 'status'>;

const enc = encodeURIComponent;

/** The knowledge base's REST API (docs/api.md "Knowledge base"). */
@Injectable({ providedIn: 'root' })
export class KbApi {
  private readonly http = inject(HttpClient);

  list(filter: ArticleFilter): Promise<{ articles: Article[]; nextCursor: string | null }> {
    const params: Record<string, string> = { limit: '50' };
    for (const [k, v] of Object.entries(filter)) if (typeof v === 'string' && v.trim()) params[k] = v.trim();
    return firstValueFrom(this.http.get<{ articles: Article[]; nextCursor: string | null }>('/api/v1/kb/articles', { params }));
  }
  get(id: string): Promise<Article> {
    return firstValueFrom(this.http.get<Article>(`/api/v1/kb/articles/${enc(id)}`));
  }
  create(body: ArticleWrite): Promise<Article> {
    return firstValueFrom(this.http.post<Article>('/api/v1/kb/articles', body));
  }
  update(id: string, body: Partial<ArticleWrite> & { slug?: string }): Promise<Article> {
    return firstValueFrom(this.http.patch<Article>(`/api/v1/kb/articles/${enc(id)}`, body));
  }
  async remove(id: string): Promise<void> {
    await firstValueFrom(this.http.delete(`/api/v1/kb/articles/${enc(id)}`));
  }
  async categories(): Promise<Array<{ name: string; count: number }>> {
    return (await firstValueFrom(this.http.get<{ categories: Array<{ name: string; count: number }> }>('/api/v1/kb/categories'))).categories;
  }
  async preview(body: string): Promise<string> {
    return (await firstValueFrom(this.http.post<{ html: string }>('/api/v1/kb/preview', { body }))).html;
  }
}
