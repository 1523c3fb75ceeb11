import { ChangeDetectionStrategy, Component, DestroyRef, inject } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { ActivatedRoute, Router, RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import {
  AuthService,
  Avatar,
  DatePipe,
  ListNav,
  SitesService,
  SlotOutlet,
  TeamDirectory,
  I18nService,
  TranslatePipe,
  visitorDisplayName,
  type Conversation,
} from '@charla/admin/sdk';
import type { StatusTab } from './inbox-filter';
import { InboxStore, type TabCount } from './inbox-store';

/** The inbox: filters, status tabs with counts, the conversation list, and the open conversation. */
@Component({
  selector: 'ch-inbox-page',
  imports: [RouterOutlet, RouterLink, RouterLinkActive, TranslatePipe, DatePipe, Avatar, ListNav, SlotOutlet],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'inbox' },
  template: `
    <section class="inbox-lists" [attr.aria-label]="'conversations.list.label' | t">
      <header class="inbox-head">
        <h1 class="page-title">{{ 'conversations.nav.inbox' | t }}</h1>
        <div class="row wrap">
          <div class="field inline">
            <label for="inbox-assignee">{{ 'conversations.filter.assignee' | t }}</label>
            <select id="inbox-assignee" [value]="store.filter().assignee" (change)="setAssignee($event)">
              <option value="all">{{ 'conversations.filter.all' | t }}</option>
              <option value="me">{{ 'conversations.filter.mine' | t }}</option>
              <option value="unassigned">{{ 'conversations.filter.unassigned' | t }}</option>
              @for (m of team.members(); track m.id) {
                @if (m.id !== auth.user()?.id) {
                  <option [value]="m.id">{{ m.name }}</option>
                }
              }
            </select>
          </div>
          @if (sites.sites().length > 1) {
            <div class="field inline">
              <label for="inbox-site">{{ 'conversations.filter.site' | t }}</label>
              <select id="inbox-site" [value]="store.filter().siteId" (change)="setSite($event)">
                <option value="">{{ 'conversations.filter.allSites' | t }}</option>
                @for (s of sites.sites(); track s.id) {
                  <option [value]="s.id">{{ s.name }}</option>
                }
              </select>
            </div>
          }
          <ch-slot name="conversations.inbox-filters" [inputs]="{ tag: store.filter().tag }" />
          @if (store.filter().tag; as tag) {
            <span class="badge inbox-tag-filter" data-testid="inbox-tag-filter">
              {{ 'conversations.filter.tag' | t: { tag } }}
              <button type="button" class="btn-link" (click)="clearTag()" [attr.aria-label]="'conversations.filter.clearTag' | t">×</button>
            </span>
          }
        </div>
        <div class="tabs" role="tablist" [attr.aria-label]="'conversations.filter.status' | t">
          @for (tab of tabs; track tab) {
            <button
              type="button"
              role="tab"
              class="tab"
              [attr.data-tab]="tab"
              [attr.aria-selected]="store.filter().status === tab"
              [attr.aria-controls]="'inbox-list'"
              (click)="setStatus(tab)"
            >
              {{ 'conversations.status.' + tab | t }}
              @if (store.counts()[tab]; as c) {
                <span class="count" [attr.aria-label]="'conversations.count' | t: { n: countText(c) }">{{ countText(c) }}</span>
              }
            </button>
          }
        </div>
      </header>

      @if (store.error()) {
        <p class="alert alert-error" role="alert">{{ store.error() }}</p>
      }
      <ul id="inbox-list" class="conv-list" role="list" chListNav [attr.aria-busy]="store.loading()">
        @for (c of store.conversations(); track c.id) {
          <li>
            <a
              class="conv-item"
              data-nav-item
              [attr.data-conversation]="c.id"
              [routerLink]="[c.id]" queryParamsHandling="preserve"
              routerLinkActive="active"
              ariaCurrentWhenActive="page"
              [class.unread]="(c.unreadCount ?? 0) > 0"
            >
              <ch-avatar [name]="visitorName(c)" [id]="c.visitor?.id ?? c.id" />
              <span class="conv-main">
                <span class="conv-top">
                  <span class="conv-name">
                    @if (c.visitor?.online) {
                      <span class="dot online" [attr.title]="'conversations.online' | t"></span>
                    }
                    {{ visitorName(c) }}
                  </span>
                  <time class="conv-time" [attr.datetime]="c.lastMessage?.createdAt ?? c.updatedAt">{{ c.lastMessage?.createdAt ?? c.updatedAt | chDate: 'relative' }}</time>
                </span>
                <span class="conv-bottom">
                  <span class="conv-preview">
                    @if (c.lastMessage?.private) {
                      <em>{{ 'conversations.note' | t }}:</em>
                    } @else if (c.lastMessage?.senderType === 'agent') {
                      <span class="muted">{{ c.lastMessage?.senderId === auth.user()?.id ? ('conversations.you' | t) : (team.name(c.lastMessage?.senderId) ?? ('conversations.agent' | t)) }}:</span>
                    }
                    {{ c.lastMessage?.content ?? '' }}
                  </span>
                  @if ((c.unreadCount ?? 0) > 0) {
                    <span class="unread-badge" [attr.aria-label]="'conversations.unread' | t: { n: c.unreadCount }">{{ c.unreadCount }}</span>
                  }
                </span>
                <span class="conv-meta">
                  <span class="status-pill" [attr.data-status]="c.status">{{ 'conversations.status.' + c.status | t }}</span>
                  @if (c.assigneeId) {
                    <span class="muted">· {{ team.name(c.assigneeId) ?? ('conversations.assigned' | t) }}</span>
                  }
                  @if (sites.sites().length > 1 && sites.byId().get(c.siteId); as site) {
                    <span class="muted">· {{ site.name }}</span>
                  }
                </span>
              </span>
            </a>
          </li>
        } @empty {
          @if (!store.loading()) {
            <li class="empty muted">{{ 'conversations.list.empty' | t }}</li>
          }
        }
      </ul>
      @if (store.hasMore()) {
        <button type="button" class="btn btn-secondary btn-block" (click)="store.loadMore()">{{ 'conversations.list.more' | t }}</button>
      }
    </section>
    <div class="inbox-detail">
      <router-outlet />
    </div>
  `,
})
export class InboxPage {
  protected readonly store = inject(InboxStore);
  protected readonly team = inject(TeamDirectory);
  protected readonly sites = inject(SitesService);
  protected readonly auth = inject(AuthService);
  private readonly i18n = inject(I18nService);
  protected readonly tabs: StatusTab[] = ['active', 'open', 'pending', 'closed'];

  private readonly router = inject(Router);

  constructor() {
    this.store.attach();
    // `?tag=` filters the list: links from a conversation's tags and the tags plugin's filter navigate here with it.
    inject(ActivatedRoute).queryParamMap.pipe(takeUntilDestroyed()).subscribe((q) => {
      const tag = q.get('tag') ?? '';
      if (tag !== this.store.filter().tag) this.store.setFilter({ tag });
    });
    void this.team.load();
    void this.sites.load();
    inject(DestroyRef).onDestroy(() => this.store.detach());
  }

  protected visitorName(c: Conversation): string {
    return visitorDisplayName(c.visitor ?? { id: c.visitorId }, this.i18n.locale());
  }

  protected countText(c: TabCount): string {
    return c.more && c.n >= 100 ? '99+' : String(c.n);
  }

  protected setStatus(status: StatusTab): void {
    this.store.setFilter({ status });
  }

  protected setAssignee(event: Event): void {
    this.store.setFilter({ assignee: (event.target as HTMLSelectElement).value });
  }

  protected clearTag(): void {
    void this.router.navigate([], { queryParams: { tag: null }, queryParamsHandling: 'merge' });
  }

  protected setSite(event: Event): void {
    this.store.setFilter({ siteId: (event.target as HTMLSelectElement).value });
  }
}
