import { ChangeDetectionStrategy, Component } from '@angular/core';
import { TranslatePipe } from '@charla/admin/sdk';

@Component({
  selector: 'ch-inbox-empty',
  imports: [TranslatePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'inbox-empty' },
  template: `<p class="muted">{{ 'conversations.pick' | t }}</p>`,
})
export class InboxEmpty {}
