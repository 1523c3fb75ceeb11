import { DestroyRef, Injectable, inject, signal } from '@angular/core';
import { AuthService, RealtimeService } from '@charla/admin/sdk';
import type { Subscription } from 'rxjs';
import { ContactsApi, type ContactDetail, type ContactPageEvent } from './contacts-api';

/**
 * One contact, loaded over REST and kept live: each `contact:page` of the account channel
 * for it moves its current page and goes on top of its pages timeline. Reloads when the
 * channel is (re)acknowledged, so a page published in between is not missed.
 */
@Injectable()
export class LiveContact {
  private readonly api = inject(ContactsApi);
  private readonly realtime = inject(RealtimeService);
  private readonly accountId = inject(AuthService).account()?.id;
  readonly contact = signal<ContactDetail | null>(null);
  readonly missing = signal(false);
  private id: string | null = null;
  private subs: Subscription[] = [];

  constructor() {
    inject(DestroyRef).onDestroy(() => this.subs.forEach((s) => s.unsubscribe()));
  }

  async load(id: string): Promise<void> {
    this.id = id;
    if (!this.subs.length && this.accountId) {
      const channel = `account:${this.accountId}`;
      this.subs.push(this.realtime.channel(channel).subscribe((e) => {
        if (e.event === 'contact:page') this.onPage(e.data as unknown as ContactPageEvent);
      }));
      this.subs.push(this.realtime.subscribed$.subscribe((name) => {
        if (name === channel && this.id) void this.fetch(this.id);
      }));
    }
    await this.fetch(id);
  }

  private async fetch(id: string): Promise<void> {
    try {
      const c = await this.api.get(id);
      if (this.id === id) {
        this.contact.set(c);
        this.missing.set(false);
      }
    } catch {
      if (this.id === id) this.missing.set(true);
    }
  }

  private onPage(e: ContactPageEvent): void {
    const c = this.contact();
    if (!c || e?.contactId !== c.id) return;
    if (c.pages[0] && c.pages[0].url === e.url && c.pages[0].at === e.at) return;
    this.contact.set({ ...c, currentUrl: e.url, currentTitle: e.title, pageViewCount: c.pageViewCount + 1, pages: [{ url: e.url, title: e.title, at: e.at }, ...c.pages].slice(0, 100) });
  }
}
