import { ChangeDetectionStrategy, Component, effect, inject, input } from '@angular/core';
import { RouterLink } from '@angular/router';
import { DatePipe, TranslatePipe, type Conversation, type Visitor } from '@charla/admin/sdk';
import { safeHref } from './contacts-api';
import { LiveContact } from './live-contact';

/** `conversation.sidebar`: the conversation's contact — visits, pages, events — and its page, live. */
@Component({
  selector: 'ch-contact-panel',
  imports: [TranslatePipe, DatePipe, RouterLink],
  providers: [LiveContact],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (live.contact(); as c) {
      <div class="stack" data-testid="contact-panel">
        <dl class="facts">
          <dt>{{ 'contacts.field.visitCount' | t }}</dt><dd data-field="visitCount">{{ c.visitCount }}</dd>
          <dt>{{ 'contacts.field.pageViewCount' | t }}</dt><dd data-field="pageViewCount">{{ c.pageViewCount }}</dd>
          <dt>{{ 'contacts.field.lastSeenAt' | t }}</dt><dd>{{ c.lastSeenAt | chDate: 'relative' }}</dd>
        </dl>
        <p data-testid="panel-current-page" aria-live="polite">
          @if (href(c.currentUrl); as u) { <a [href]="u" target="_blank" rel="noopener noreferrer nofollow">{{ c.currentTitle || c.currentUrl }}</a> } @else { <span class="muted">—</span> }
        </p>
        @if (c.events.length) {
          <h4>{{ 'contacts.events' | t }}</h4>
          <ul>
            @for (e of c.events.slice(0, 5); track $index) { <li><code>{{ e.name }}</code> <span class="muted">{{ e.at | chDate: 'relative' }}</span></li> }
          </ul>
        }
        <a [routerLink]="['/contacts', c.id]">{{ 'contacts.panel.open' | t }}</a>
      </div>
    }
  `,
})
export class ContactPanel {
  readonly conversation = input<Conversation>();
  readonly visitor = input<Visitor | null>(null);
  protected readonly live = inject(LiveContact);

  constructor() {
    effect(() => {
      const id = this.visitor()?.id ?? this.conversation()?.visitorId;
      if (id) void this.live.load(id);
    });
  }

  protected href(u: string | null): string | null { return safeHref(u); }
}
