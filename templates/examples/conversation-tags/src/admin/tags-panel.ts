import { ChangeDetectionStrategy, Component, computed, effect, inject, input, linkedSignal } from '@angular/core';
import { TranslatePipe, problemText, type Conversation } from '@charla/admin/sdk';
import { TagsApi } from './tags-api';

/** `conversation.sidebar` contribution: the conversation's tags, toggled with one click. */
@Component({
  selector: 'ch-conversation-tags-panel',
  imports: [TranslatePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h4>{{ 'conversation-tags.title' | t }}</h4>
    @if (api.tags().length) {
      <ul class="tag-list" role="list" data-testid="conversation-tags">
        @for (tag of api.tags(); track tag.id) {
          <li>
            <button type="button" class="btn tag" [attr.aria-pressed]="applied().includes(tag.name)" [style.border-color]="tag.color"
              [style.background]="applied().includes(tag.name) ? tag.color : 'transparent'" [style.color]="applied().includes(tag.name) ? '#fff' : 'inherit'"
              [attr.aria-label]="'conversation-tags.toggle' | t: { name: tag.name }" (click)="toggle(tag.id, tag.name)">{{ tag.name }}</button>
          </li>
        }
      </ul>
    } @else {
      <p class="muted">{{ 'conversation-tags.none' | t }}</p>
    }
    @if (error()) { <p class="alert" role="alert">{{ error() }}</p> }
  `,
})
export class TagsPanel {
  readonly conversation = input<Conversation>();
  protected readonly api = inject(TagsApi);
  /** The conversation's tags: reset from the input whenever the conversation changes. */
  protected readonly applied = linkedSignal(() => ((this.conversation() as { tags?: string[] } | undefined)?.tags ?? []).slice());
  protected readonly error = linkedSignal<string | null>(() => (this.conversation() ? null : null));
  private readonly id = computed(() => this.conversation()?.id ?? null);

  constructor() {
    effect(() => {
      if (this.id()) void this.api.load().catch((err: unknown) => this.error.set(problemText(err, 'Could not load tags')));
    });
  }

  protected async toggle(tagId: string, name: string): Promise<void> {
    const id = this.id();
    if (!id) return;
    try {
      this.applied.set(await this.api.toggle(tagId, id, !this.applied().includes(name)));
    } catch (err) {
      this.error.set(problemText(err, 'Could not change the tag'));
    }
  }
}
