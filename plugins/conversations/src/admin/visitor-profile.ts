import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { DatePipe, SlotOutlet, TranslatePipe, type Conversation, type Visitor } from '@charla/admin/sdk';

/**
 * `conversation.sidebar` contribution: who the visitor is and what they are looking at,
 * then the `conversations.visitor-profile` slot for what other plugins know about them.
 */
@Component({
  selector: 'ch-visitor-profile',
  imports: [TranslatePipe, DatePipe, SlotOutlet],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'visitor-profile' },
  template: `
    @if (visitor(); as v) {
      <h3 class="side-title">
        {{ v.name || v.email || ('conversations.visitor' | t) }}
        @if (v.online) {
          <span class="dot online" [attr.title]="'conversations.online' | t"></span><span class="visually-hidden">{{ 'conversations.online' | t }}</span>
        }
      </h3>
      <dl class="facts" data-testid="visitor-facts">
        <dt>{{ 'conversations.profile.email' | t }}</dt>
        <dd data-field="email">{{ v.email || '—' }}</dd>
        <dt>{{ 'conversations.profile.externalId' | t }}</dt>
        <dd data-field="externalId">{{ v.externalId || '—' }}</dd>
        <dt>{{ 'conversations.profile.location' | t }}</dt>
        <dd data-field="country">{{ v.country || '—' }} · {{ v.language || '—' }}</dd>
        <dt>{{ 'conversations.profile.firstSeen' | t }}</dt>
        <dd>{{ (v.firstSeenAt | chDate: 'full') || '—' }}</dd>
        <dt>{{ 'conversations.profile.lastSeen' | t }}</dt>
        <dd>{{ (v.lastSeenAt | chDate: 'relative') || '—' }}</dd>
        <dt>{{ 'conversations.profile.visits' | t }}</dt>
        <dd data-field="visitCount">{{ v.visitCount ?? 0 }}</dd>
      </dl>

      <h4>{{ 'conversations.profile.currentPage' | t }}</h4>
      <p class="current-url" data-testid="current-url" aria-live="polite">
        @if (v.currentUrl) {
          <a [href]="safeUrl(v.currentUrl)" target="_blank" rel="noopener noreferrer nofollow">{{ v.currentUrl }}</a>
        } @else {
          <span class="muted">—</span>
        }
      </p>

      @if (attributes().length) {
        <h4>{{ 'conversations.profile.attributes' | t }}</h4>
        <dl class="facts" data-testid="visitor-attributes">
          @for (a of attributes(); track a[0]) {
            <dt>{{ a[0] }}</dt>
            <dd>{{ a[1] }}</dd>
          }
        </dl>
      }

      <h4>{{ 'conversations.profile.pages' | t }}</h4>
      @if (pages().length) {
        <ol class="pages" data-testid="visited-pages">
          @for (p of pages(); track $index) {
            <li>
              <span class="page-title-text" [attr.title]="p.url">{{ p.title || p.url }}</span>
              <time class="muted" [attr.datetime]="p.at">{{ p.at | chDate: 'relative' }}</time>
            </li>
          }
        </ol>
      } @else {
        <p class="muted">—</p>
      }
      @if (conversation(); as c) {
        <ch-slot name="conversations.visitor-profile" [inputs]="{ visitor: v, conversation: c }" [titles]="true" />
      }
    } @else {
      <p class="muted">{{ 'conversations.profile.none' | t }}</p>
    }
  `,
})
export class VisitorProfile {
  readonly conversation = input<Conversation>();
  readonly visitor = input<Visitor | null>(null);

  protected readonly attributes = computed(() =>
    Object.entries(this.visitor()?.attributes ?? {}).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)] as const),
  );
  protected readonly pages = computed(() => (this.visitor()?.pages ?? []).slice().reverse().slice(0, 20));

  /** Only http(s) links are clickable; anything else becomes inert. */
  protected safeUrl(url: string): string {
    return /^https?:\/\//i.test(url) ? url : '#';
  }
}
