import { ChangeDetectionStrategy, Component, computed, inject, input, linkedSignal, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import { I18nService, TranslatePipe, problemText, type Conversation } from '@charla/admin/sdk';
import { TagsApi } from './tags-api';

/**
 * `conversation.sidebar` contribution: the conversation's tags as chips (each links to the
 * inbox filtered by it, with a remove button) and a field to add one, suggesting the
 * account's existing tags.
 */
@Component({
  selector: 'ch-conversation-tags',
  imports: [TranslatePipe, RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'conversation-tags' },
  template: `
    <ul class="chips" data-testid="conversation-tags" [attr.aria-label]="'tags.panel.list' | t">
      @for (name of tags(); track name) {
        <li class="chip" [style.border-color]="colorOf(name)">
          <a routerLink="/inbox" [queryParams]="{ tag: name }" [attr.title]="'tags.panel.filter' | t: { tag: name }">{{ name }}</a>
          <button type="button" class="btn-link" [disabled]="busy()" (click)="remove(name)" [attr.aria-label]="'tags.panel.remove' | t: { tag: name }">×</button>
        </li>
      } @empty {
        <li class="muted">{{ 'tags.panel.none' | t }}</li>
      }
    </ul>
    <form class="row" (submit)="add($event)">
      <div class="field inline">
        <label for="tags-add">{{ 'tags.panel.add' | t }}</label>
        <input id="tags-add" name="tag" list="tags-known" maxlength="40" autocomplete="off" [value]="draft()" (input)="draft.set($any($event.target).value)" />
        <datalist id="tags-known">
          @for (t of suggestions(); track t.id) {
            <option [value]="t.name"></option>
          }
        </datalist>
      </div>
      <button type="submit" class="btn btn-secondary" [disabled]="busy() || !draft().trim()">{{ 'tags.panel.addButton' | t }}</button>
    </form>
    @if (error(); as e) {
      <p class="alert alert-error" role="alert">{{ e }}</p>
    }
  `,
  styles: `
    .chips { list-style: none; padding: 0; margin: 0 0 0.5rem; display: flex; flex-wrap: wrap; gap: 0.3rem; }
    .chip { border: 2px solid #c7ccd4; border-radius: 999px; padding: 0.05rem 0.5rem; display: inline-flex; gap: 0.3rem; align-items: center; }
    .chip a { color: inherit; text-decoration: none; }
    form { gap: 0.4rem; align-items: end; }
  `,
})
export class ConversationTags {
  readonly conversation = input<Conversation>();

  private readonly api = inject(TagsApi);
  private readonly i18n = inject(I18nService);
  /** The conversation's tags: follows the live conversation, and our own changes until the next update. */
  protected readonly tags = linkedSignal(() => this.conversation()?.tags ?? []);
  protected readonly known = this.api.catalogue;
  protected readonly draft = signal('');
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly suggestions = computed(() => this.known().filter((t) => !this.tags().includes(t.name)));

  constructor() {
    void this.api.refresh();
  }

  protected colorOf(name: string): string {
    return this.known().find((t) => t.name === name)?.color ?? '#c7ccd4';
  }

  protected add(event: Event): void {
    event.preventDefault();
    const name = this.draft().trim();
    if (name) void this.apply({ add: [name] }, () => this.draft.set(''));
  }

  protected remove(name: string): void {
    void this.apply({ remove: [name] });
  }

  private async apply(change: { add?: string[]; remove?: string[] }, done?: () => void): Promise<void> {
    const id = this.conversation()?.id;
    if (!id) return;
    this.busy.set(true);
    this.error.set(null);
    try {
      this.tags.set(await this.api.change(id, change));
      done?.();
      if (change.add) await this.api.refresh();
    } catch (err) {
      this.error.set(problemText(err, this.i18n.t('tags.panel.error')));
    } finally {
      this.busy.set(false);
    }
  }
}
