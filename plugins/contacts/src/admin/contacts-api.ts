import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { firstValueFrom } from 'rxjs';

export type Op = 'eq' | 'neq' | 'contains' | 'starts_with' | 'gt' | 'gte' | 'lt' | 'lte' | 'exists' | 'not_exists' | 'in_last_days' | 'not_in_last_days';
export interface Condition { field: string; op: Op; value?: string | number | boolean }
export type Filter = Condition | { and: Filter[] } | { or: Filter[] };
export interface Contact {
  id: string; siteId: string; name: string | null; email: string | null; externalId: string | null; verified: boolean;
  country: string | null; language: string | null; firstSeenAt: string; lastSeenAt: string; visitCount: number; pageViewCount: number;
  online: boolean; currentUrl: string | null; currentTitle: string | null; attributes: Record<string, unknown>; createdAt: string;
}
export interface PageView { url: string; title: string | null; at: string }
export interface ContactDetail extends Contact {
  pages: PageView[];
  events: Array<{ name: string; properties: Record<string, unknown>; at: string }>;
  conversations: Array<{ id: string; status: string; lastActivityAt: string; lastMessage: { content: string; senderType: string } | null }>;
}
export interface Segment { id: string; name: string; filter: Filter; count: number }
export interface ContactPageEvent { contactId: string; url: string; title: string | null; at: string }

/** The contacts plugin's HTTP API (API-features.md § Contacts and segments). */
@Injectable({ providedIn: 'root' })
export class ContactsApi {
  private readonly http = inject(HttpClient);

  search(body: { filter?: Filter; limit?: number; cursor?: string; sort?: { field: string; order: 'asc' | 'desc' } }): Promise<{ contacts: Contact[]; total: number; nextCursor: string | null }> {
    return firstValueFrom(this.http.post<{ contacts: Contact[]; total: number; nextCursor: string | null }>('/api/v1/contacts/search', body));
  }
  get(id: string): Promise<ContactDetail> {
    return firstValueFrom(this.http.get<ContactDetail>(`/api/v1/contacts/${encodeURIComponent(id)}`));
  }
  async csv(filter?: Filter): Promise<Blob> {
    return firstValueFrom(this.http.post('/api/v1/contacts/export.csv', filter ? { filter } : {}, { responseType: 'blob' }));
  }
  segments(): Promise<Segment[]> {
    return firstValueFrom(this.http.get<{ segments: Segment[] }>('/api/v1/segments')).then((r) => r.segments);
  }
  saveSegment(name: string, filter: Filter): Promise<Segment> {
    return firstValueFrom(this.http.post<Segment>('/api/v1/segments', { name, filter }));
  }
  deleteSegment(id: string): Promise<unknown> {
    return firstValueFrom(this.http.delete(`/api/v1/segments/${encodeURIComponent(id)}`));
  }
}

/** Field → its kind and operators, as the server's filter language (docs/contacts.md). */
export const FIELD_OPS: Record<string, Op[]> = {
  name: ['contains', 'eq', 'neq', 'starts_with', 'exists', 'not_exists'],
  email: ['contains', 'eq', 'neq', 'starts_with', 'exists', 'not_exists'],
  externalId: ['eq', 'neq', 'contains', 'starts_with', 'exists', 'not_exists'],
  country: ['eq', 'neq', 'exists', 'not_exists'],
  language: ['eq', 'neq', 'starts_with', 'exists', 'not_exists'],
  lastSeenAt: ['in_last_days', 'not_in_last_days', 'gt', 'lt'],
  firstSeenAt: ['in_last_days', 'not_in_last_days', 'gt', 'lt'],
  visitCount: ['gt', 'gte', 'lt', 'lte', 'eq', 'neq'],
  pageViewCount: ['gt', 'gte', 'lt', 'lte', 'eq', 'neq'],
  online: ['eq'],
  attributes: ['eq', 'neq', 'contains', 'starts_with', 'gt', 'gte', 'lt', 'lte', 'exists', 'not_exists', 'in_last_days', 'not_in_last_days'],
  events: ['gte', 'gt', 'eq', 'lt', 'exists', 'not_exists', 'in_last_days', 'not_in_last_days'],
  'pages.url': ['contains', 'starts_with', 'eq', 'neq'],
};
export const NUMERIC_FIELDS = new Set(['visitCount', 'pageViewCount', 'events']);
export const DATE_FIELDS = new Set(['lastSeenAt', 'firstSeenAt']);
export const NO_VALUE: ReadonlySet<Op> = new Set(['exists', 'not_exists']);
export const DAY_OPS: ReadonlySet<Op> = new Set(['in_last_days', 'not_in_last_days']);

/** A safe href: only http(s) URLs are links. */
export const safeHref = (url: string | null): string | null => (url && /^https?:\/\//i.test(url) ? url : null);
