import { ChangeDetectionStrategy, Component, computed, inject, input, effect } from '@angular/core';
import { RouterLink } from '@angular/router';
import { DatePipe, I18nService, TranslatePipe, visitorDisplayName } from '@charla/admin/sdk';
import { safeHref } from './contacts-api';
import { LiveContact } from './live-contact';

/** /admin/contacts/:id — profile, attributes, the pages timeline (live), events, conversations. */
@Component({
  selector: 'ch-contact-page',
  imports: [TranslatePipe, DatePipe, RouterLink],
  providers: [LiveContact],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'page' },
  template: `
    <div class="stack">
      <p><a routerLink="/contacts">← {{ 'contacts.back' | t }}</a></p>
      @if (live.missing()) {
        <p class="alert alert-error" role="alert">{{ 'contacts.notFound' | t }}</p>
      }
      @if (live.contact(); as contact) {
        <h1 class="page-title" data-testid="contact-name">
          {{ name() }}
          @if (contact.online) { <span class="dot online" [attr.title]="'contacts.online' | t"></span><span class="visually-hidden">{{ 'contacts.online' | t }}</span> }
        </h1>
        <div class="contact-grid">
          <section class="card stack">
            <h2>{{ 'contacts.profile' | t }}</h2>
            <dl class="facts" data-testid="contact-profile">
              <dt>{{ 'contacts.field.email' | t }}</dt><dd data-field="email">{{ contact.email || '—' }}</dd>
              <dt>{{ 'contacts.field.externalId' | t }}</dt><dd data-field="externalId">{{ contact.externalId || '—' }}</dd>
              <dt>{{ 'contacts.field.country' | t }}</dt><dd data-field="country">{{ contact.country || '—' }}</dd>
              <dt>{{ 'contacts.field.language' | t }}</dt><dd data-field="language">{{ contact.language || '—' }}</dd>
              <dt>{{ 'contacts.field.firstSeenAt' | t }}</dt><dd>{{ contact.firstSeenAt | chDate: 'full' }}</dd>
              <dt>{{ 'contacts.field.lastSeenAt' | t }}</dt><dd>{{ contact.lastSeenAt | chDate: 'relative' }}</dd>
              <dt>{{ 'contacts.field.visitCount' | t }}</dt><dd data-field="visitCount">{{ contact.visitCount }}</dd>
              <dt>{{ 'contacts.field.pageViewCount' | t }}</dt><dd data-field="pageViewCount">{{ contact.pageViewCount }}</dd>
            </dl>
            <h3>{{ 'contacts.currentPage' | t }}</h3>
            <p data-testid="current-page" aria-live="polite">
              @if (href(contact.currentUrl); as u) { <a [href]="u" target="_blank" rel="noopener noreferrer nofollow">{{ contact.currentTitle || contact.currentUrl }}</a> } @else { <span class="muted">—</span> }
            </p>
            @if (attributes().length) {
              <h3>{{ 'contacts.attributes' | t }}</h3>
              <dl class="facts" data-testid="contact-attributes">
                @for (a of attributes(); track a[0]) { <dt>{{ a[0] }}</dt><dd>{{ a[1] }}</dd> }
              </dl>
            }
          </section>
          <section class="card stack">
            <h2>{{ 'contacts.pages' | t }}</h2>
            <ol class="timeline" data-testid="pages-timeline">
              @for (p of contact.pages; track $index) {
                <li><span [attr.title]="p.url">{{ p.title || p.url }}</span> <span class="muted">{{ p.at | chDate: 'relative' }}</span></li>
              } @empty { <li class="muted">{{ 'contacts.noPages' | t }}</li> }
            </ol>
          </section>
          <section class="card stack">
            <h2>{{ 'contacts.events' | t }}</h2>
            <ul data-testid="contact-events">
              @for (e of contact.events; track $index) {
                <li><code>{{ e.name }}</code> <span class="muted">{{ e.at | chDate: 'relative' }}</span> @if (props(e.properties); as p) { <span class="muted">{{ p }}</span> }</li>
              } @empty { <li class="muted">{{ 'contacts.noEvents' | t }}</li> }
            </ul>
            <h2>{{ 'contacts.conversations' | t }}</h2>
            <ul data-testid="contact-conversations">
              @for (cv of contact.conversations; track cv.id) {
                <li><a [routerLink]="['/inbox', cv.id]">{{ cv.lastMessage?.content || cv.id }}</a> <span class="muted">{{ ('contacts.status.' + cv.status) | t }} · {{ cv.lastActivityAt | chDate: 'relative' }}</span></li>
              } @empty { <li class="muted">{{ 'contacts.noConversations' | t }}</li> }
            </ul>
          </section>
        </div>
      }
    </div>
  `,
  styles: [`
    .contact-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(18rem, 1fr)); gap: var(--space-4, 1rem); align-items: start; }
    .timeline { padding-left: 1.2rem; }
  `],
})
export class ContactPage {
  readonly id = input.required<string>();
  protected readonly live = inject(LiveContact);
  private readonly i18n = inject(I18nService);
  protected readonly name = computed(() => {
    const c = this.live.contact();
    return c?.name || c?.email || c?.externalId || visitorDisplayName(c, this.i18n.locale());
  });
  protected readonly attributes = computed(() => Object.entries(this.live.contact()?.attributes ?? {}).map(([k, v]) => [k, String(v)] as const));

  constructor() {
    effect(() => void this.live.load(this.id()));
  }

  protected href(u: string | null): string | null { return safeHref(u); }
  protected props(p: Record<string, unknown>): string { return Object.keys(p ?? {}).length ? JSON.stringify(p) : ''; }
}
