import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { DatePipe, TranslatePipe, problemText } from '@charla/admin/sdk';
import { NotesApi } from './notes-api';

/** /admin/__NAME__: the account's notes and a form to add one. */
@Component({
  selector: 'ch-__NAME__-notes-page',
  imports: [TranslatePipe, DatePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="card">
      <h2>{{ '__NAME__.nav' | t }}</h2>
      <form (submit)="add($event)">
        <div class="field"><label for="__NAME__-text">{{ '__NAME__.text' | t }}</label><input id="__NAME__-text" name="text" required maxlength="500" /></div>
        <button class="btn btn-primary" type="submit">{{ '__NAME__.add' | t }}</button>
      </form>
      @if (error()) { <p class="alert" role="alert">{{ error() }}</p> }
      <ul>
        @for (n of api.notes(); track n.id) {
          <li>{{ n.text }} <time class="muted" [attr.datetime]="n.createdAt">{{ n.createdAt | chDate: 'relative' }}</time></li>
        }
      </ul>
    </section>
  `,
})
export class NotesPage {
  protected readonly api = inject(NotesApi);
  protected readonly error = signal<string | null>(null);

  constructor() {
    void this.api.load().catch((err: unknown) => this.error.set(problemText(err, 'Could not load the notes')));
  }

  protected async add(event: Event): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    try {
      await this.api.add(String(new FormData(form).get('text') ?? ''));
      form.reset();
      this.error.set(null);
    } catch (err) {
      this.error.set(problemText(err, 'Could not add the note'));
    }
  }
}
