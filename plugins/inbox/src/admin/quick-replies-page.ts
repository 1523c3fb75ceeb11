import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { AuthService, I18nService, TranslatePipe, problemText } from '@charla/admin/sdk';
import { InboxApi, type QuickReply } from './inbox-api';

/** /admin/quick-replies: the account's quick replies (create, edit, delete). */
@Component({
  selector: 'ch-inbox-quick-replies',
  imports: [TranslatePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'page' },
  template: `
    <div class="stack">
      <h1 class="page-title">{{ 'inbox.qr.title' | t }}</h1>
      <section class="card">
        <h2>{{ (editing() ? 'inbox.qr.edit' : 'inbox.qr.new') | t }}</h2>
        <form (submit)="save($event)" class="stack">
          <div class="field">
            <label for="qr-shortcut">{{ 'inbox.qr.shortcut' | t }}</label>
            <input id="qr-shortcut" name="shortcut" required maxlength="41" [value]="form().shortcut" (input)="patch('shortcut', $event)" placeholder="/refund" aria-describedby="qr-shortcut-hint" />
            <small id="qr-shortcut-hint" class="hint">{{ 'inbox.qr.shortcutHint' | t }}</small>
          </div>
          <div class="field">
            <label for="qr-title">{{ 'inbox.qr.titleField' | t }}</label>
            <input id="qr-title" name="title" maxlength="100" [value]="form().title" (input)="patch('title', $event)" />
          </div>
          <div class="field">
            <label for="qr-content">{{ 'inbox.qr.content' | t }}</label>
            <textarea id="qr-content" name="content" rows="4" required [value]="form().content" (input)="patch('content', $event)" aria-describedby="qr-content-hint"></textarea>
            <small id="qr-content-hint" class="hint">{{ 'inbox.qr.contentHint' | t }}</small>
          </div>
          <div class="row">
            <button class="btn btn-primary" type="submit" [disabled]="busy()">{{ (editing() ? 'inbox.qr.saveChanges' : 'inbox.qr.create') | t }}</button>
            @if (editing()) {
              <button class="btn btn-secondary" type="button" (click)="cancel()">{{ 'inbox.qr.cancel' | t }}</button>
            }
          </div>
        </form>
        @if (error()) {
          <p class="alert alert-error" role="alert">{{ error() }}</p>
        }
        @if (notice()) {
          <p class="alert alert-success" role="status">{{ notice() }}</p>
        }
      </section>
      <section class="card">
        @if (list().length) {
          <table class="table" data-testid="quick-replies">
            <thead>
              <tr>
                <th scope="col">{{ 'inbox.qr.shortcut' | t }}</th>
                <th scope="col">{{ 'inbox.qr.titleField' | t }}</th>
                <th scope="col">{{ 'inbox.qr.content' | t }}</th>
                <th scope="col"><span class="visually-hidden">{{ 'common.actions' | t }}</span></th>
              </tr>
            </thead>
            <tbody>
              @for (r of list(); track r.id) {
                <tr [attr.data-quick-reply]="r.shortcut">
                  <td><code>{{ r.shortcut }}</code></td>
                  <td>{{ r.title }}</td>
                  <td class="muted">{{ r.content }}</td>
                  <td>
                    @if (canChange(r)) {
                      <button type="button" class="btn btn-secondary btn-sm" (click)="edit(r)" [attr.aria-label]="'inbox.qr.editOne' | t: { shortcut: r.shortcut }">{{ 'inbox.qr.editShort' | t }}</button>
                      <button type="button" class="btn btn-danger btn-sm" (click)="remove(r)" [attr.aria-label]="'inbox.qr.deleteOne' | t: { shortcut: r.shortcut }">{{ 'inbox.qr.delete' | t }}</button>
                    }
                  </td>
                </tr>
              }
            </tbody>
          </table>
        } @else {
          <p class="muted">{{ 'inbox.qr.none' | t }}</p>
        }
      </section>
    </div>
  `,
})
export class InboxQuickRepliesPage {
  private readonly api = inject(InboxApi);
  private readonly auth = inject(AuthService);
  private readonly i18n = inject(I18nService);
  protected readonly list = signal<QuickReply[]>([]);
  protected readonly editing = signal<QuickReply | null>(null);
  protected readonly form = signal({ shortcut: '', title: '', content: '' });
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly notice = signal<string | null>(null);
  private readonly me = computed(() => this.auth.user()?.id ?? null);

  constructor() {
    void this.load();
  }

  protected canChange(r: QuickReply): boolean {
    return this.auth.canManage() || r.createdBy === this.me();
  }

  protected patch(field: 'shortcut' | 'title' | 'content', event: Event): void {
    const value = (event.target as HTMLInputElement | HTMLTextAreaElement).value;
    this.form.update((f) => ({ ...f, [field]: value }));
  }

  protected edit(r: QuickReply): void {
    this.editing.set(r);
    this.form.set({ shortcut: r.shortcut, title: r.title ?? '', content: r.content });
    this.error.set(null);
    this.notice.set(null);
  }

  protected cancel(): void {
    this.editing.set(null);
    this.form.set({ shortcut: '', title: '', content: '' });
  }

  protected async save(event: Event): Promise<void> {
    event.preventDefault();
    const f = this.form();
    const body = { shortcut: f.shortcut.trim(), title: f.title.trim(), content: f.content };
    this.busy.set(true);
    this.error.set(null);
    this.notice.set(null);
    try {
      const current = this.editing();
      if (current) await this.api.updateQuickReply(current.id, body);
      else await this.api.createQuickReply(body);
      this.notice.set(this.i18n.t('inbox.qr.saved', { shortcut: '/' + body.shortcut.replace(/^\//, '') }));
      this.cancel();
      await this.load();
    } catch (err) {
      this.error.set(problemText(err, this.i18n.t('inbox.qr.saveFailed')));
    } finally {
      this.busy.set(false);
    }
  }

  protected async remove(r: QuickReply): Promise<void> {
    this.error.set(null);
    try {
      await this.api.deleteQuickReply(r.id);
      if (this.editing()?.id === r.id) this.cancel();
      await this.load();
    } catch (err) {
      this.error.set(problemText(err, this.i18n.t('inbox.qr.saveFailed')));
    }
  }

  private async load(): Promise<void> {
    try {
      this.list.set(await this.api.quickReplies());
    } catch (err) {
      this.error.set(problemText(err, this.i18n.t('inbox.qr.loadFailed')));
    }
  }
}
