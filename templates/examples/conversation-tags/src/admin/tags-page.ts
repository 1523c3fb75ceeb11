import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { TranslatePipe, problemText } from '@charla/admin/sdk';
import { TagsApi } from './tags-api';

/** /admin/conversation-tags: create and delete the account's tags. */
@Component({
  selector: 'ch-conversation-tags-page',
  imports: [TranslatePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="card">
      <h2>{{ 'conversation-tags.title' | t }}</h2>
      <form (submit)="create($event)">
        <div class="field"><label for="tag-name">{{ 'conversation-tags.name' | t }}</label><input id="tag-name" name="name" required maxlength="40" /></div>
        <div class="field"><label for="tag-color">{{ 'conversation-tags.color' | t }}</label><input id="tag-color" name="color" type="color" value="#4f46e5" /></div>
        <div class="field"><label for="tag-keywords">{{ 'conversation-tags.keywords' | t }}</label><input id="tag-keywords" name="keywords" /></div>
        <button class="btn btn-primary" type="submit">{{ 'conversation-tags.create' | t }}</button>
      </form>
      @if (error()) { <p class="alert" role="alert">{{ error() }}</p> }
      <table class="table">
        <tbody>
          @for (tag of api.tags(); track tag.id) {
            <tr>
              <td><span class="dot" [style.background]="tag.color"></span> {{ tag.name }}</td>
              <td class="muted">{{ tag.keywords.join(', ') }}</td>
              <td><button type="button" class="btn" (click)="remove(tag.id)">{{ 'conversation-tags.delete' | t }}</button></td>
            </tr>
          }
        </tbody>
      </table>
    </section>
  `,
})
export class TagsPage {
  protected readonly api = inject(TagsApi);
  protected readonly error = signal<string | null>(null);

  constructor() {
    void this.api.load().catch((err: unknown) => this.error.set(problemText(err, 'Could not load tags')));
  }

  protected async create(event: Event): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const keywords = String(data.get('keywords') ?? '').split(',').map((k) => k.trim()).filter((k) => k.length >= 2);
    try {
      await this.api.create({ name: String(data.get('name') ?? ''), color: String(data.get('color') ?? '#4f46e5'), keywords });
      form.reset();
      this.error.set(null);
    } catch (err) {
      this.error.set(problemText(err, 'Could not create the tag'));
    }
  }

  protected async remove(id: string): Promise<void> {
    try {
      await this.api.remove(id);
    } catch (err) {
      this.error.set(problemText(err, 'Could not delete the tag'));
    }
  }
}
