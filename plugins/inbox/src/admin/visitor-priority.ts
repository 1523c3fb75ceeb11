import { ChangeDetectionStrategy, Component, inject, input, resource } from '@angular/core';
import { TranslatePipe, type Conversation, type Visitor } from '@charla/admin/sdk';
import { InboxApi } from './inbox-api';

/**
 * `conversations.visitor-profile` contribution (a slot the conversations plugin declares):
 * why this visitor's conversation is high priority, spelled out where the agent reads
 * about the visitor (the header badge only carries it as a tooltip).
 */
@Component({
  selector: 'ch-inbox-visitor-priority',
  imports: [TranslatePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (state.value(); as s) {
      @if (s.priority === 'high' && s.priorityRule) {
        <p data-testid="inbox-visitor-priority">{{ 'inbox.profile.priorityRule' | t: { rule: s.priorityRule } }}</p>
      } @else {
        <p class="muted">{{ 'inbox.profile.normalPriority' | t }}</p>
      }
    }
  `,
})
export class InboxVisitorPriority {
  readonly conversation = input.required<Conversation>();
  readonly visitor = input<Visitor>();
  private readonly api = inject(InboxApi);

  protected readonly state = resource({ params: () => this.conversation().id, loader: ({ params }) => this.api.state(params) });
}
