import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, signal } from '@angular/core';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import { AuthService, I18nService, SitesService, TranslatePipe, problemText } from '@charla/admin/sdk';
import { helpCenterUrl } from './help-center-url';
import { KbApi, type Article, type ArticleStatus } from './kb-api';
import { KNOWN_LOCALES, localeLabel } from './locales';

/** The preview is re-rendered on the server this long after the last keystroke. */
const PREVIEW_DEBOUNCE_MS = 300;

interface Draft { title: string; body: string; category: string; tags: string; locale: string; slug: string }
const EMPTY: Draft = { title: '', body: '', category: '', tags: '', locale: 'es', slug: '' };

/**
 * /admin/articles/new and /admin/articles/:id: the editor, with a live preview rendered by
 * the server's own renderer and sanitizer (what visitors will see), publish/unpublish and delete.
 */
@Component({
  selector: 'ch-kb-article-editor',
  imports: [RouterLink, TranslatePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'page' },
  template: `
    <div class="stack">
      <a routerLink="/articles" class="muted">← {{ 'kb.editor.back' | t }}</a>
      <div class="row between">
        <h1 class="page-title">{{ (article() ? 'kb.editor.edit' : 'kb.editor.new') | t }}</h1>
        @if (article(); as a) {
          <span class="badge" [class.badge-note]="a.status === 'draft'" data-testid="kb-status">{{ 'kb.status.' + a.status | t }}</span>
        }
      </div>
      @if (!auth.canManage()) {
        <p class="alert" role="note">{{ 'kb.editor.readOnly' | t }}</p>
      }
      <div class="kb-editor">
        <form class="card stack" (submit)="save($event)">
          <div class="field">
            <label for="kb-title">{{ 'kb.editor.titleField' | t }}</label>
            <input id="kb-title" required maxlength="200" [value]="form().title" (input)="patch('title', $event)" [readOnly]="!auth.canManage()" />
          </div>
          <div class="field">
            <label for="kb-body">{{ 'kb.editor.body' | t }}</label>
            <textarea id="kb-body" rows="16" maxlength="100000" [value]="form().body" (input)="patch('body', $event)" aria-describedby="kb-body-hint" [readOnly]="!auth.canManage()"></textarea>
            <small id="kb-body-hint" class="hint">{{ 'kb.editor.bodyHint' | t }}</small>
          </div>
          <div class="row wrap">
            <div class="field">
              <label for="kb-category">{{ 'kb.editor.category' | t }}</label>
              <input id="kb-category" list="kb-categories" maxlength="80" [value]="form().category" (input)="patch('category', $event)" [readOnly]="!auth.canManage()" />
              <datalist id="kb-categories">
                @for (c of categories(); track c) { <option [value]="c"></option> }
              </datalist>
            </div>
            <div class="field">
              <label for="kb-tags">{{ 'kb.editor.tags' | t }}</label>
              <input id="kb-tags" [value]="form().tags" (input)="patch('tags', $event)" aria-describedby="kb-tags-hint" [readOnly]="!auth.canManage()" />
              <small id="kb-tags-hint" class="hint">{{ 'kb.editor.tagsHint' | t }}</small>
            </div>
            <div class="field">
              <label for="kb-locale">{{ 'kb.editor.locale' | t }}</label>
              <select id="kb-locale" (change)="patch('locale', $event)" [disabled]="!auth.canManage()">
                @for (code of locales(); track code) {
                  <option [value]="code" [selected]="code === form().locale">{{ localeName(code) }}</option>
                }
              </select>
            </div>
            @if (article()) {
              <div class="field">
                <label for="kb-slug">{{ 'kb.editor.slug' | t }}</label>
                <input id="kb-slug" maxlength="100" pattern="[a-z0-9]+(-[a-z0-9]+)*" [value]="form().slug" (input)="patch('slug', $event)" [readOnly]="!auth.canManage()" />
              </div>
            }
          </div>
          @if (error()) {
            <p class="alert alert-error" role="alert">{{ error() }}</p>
          }
          @if (notice()) {
            <p class="alert alert-success" role="status">{{ notice() }}</p>
          }
          @if (auth.canManage()) {
            <div class="row wrap">
              @if (article(); as a) {
                <button class="btn btn-primary" type="submit" [disabled]="busy()">{{ 'kb.editor.save' | t }}</button>
                @if (a.status === 'draft') {
                  <button class="btn btn-secondary" type="button" [disabled]="busy()" (click)="save($event, 'published')">{{ 'kb.editor.publish' | t }}</button>
                } @else {
                  <button class="btn btn-secondary" type="button" [disabled]="busy()" (click)="save($event, 'draft')">{{ 'kb.editor.unpublish' | t }}</button>
                }
                <button class="btn btn-danger" type="button" [disabled]="busy()" (click)="remove(a)">{{ 'kb.editor.delete' | t }}</button>
              } @else {
                <button class="btn btn-primary" type="button" [disabled]="busy()" (click)="save($event, 'published')">{{ 'kb.editor.publish' | t }}</button>
                <button class="btn btn-secondary" type="submit" [disabled]="busy()">{{ 'kb.editor.saveDraft' | t }}</button>
              }
            </div>
          }
          @if (article(); as a) {
            @if (a.feedback) { <p class="muted">{{ 'kb.editor.feedback' | t: a.feedback }}</p> }
            @if (a.status === 'published' && helpCenter(); as base) {
              <a [href]="base + '/' + a.slug" target="_blank" rel="noopener">{{ 'kb.editor.view' | t }}</a>
            }
          }
        </form>
        <section class="card kb-preview" aria-labelledby="kb-preview-title">
          <h2 id="kb-preview-title">{{ 'kb.editor.preview' | t }}</h2>
          @if (form().title) { <h1 data-testid="kb-preview-title">{{ form().title }}</h1> }
          @if (previewHtml()) {
            <div data-testid="kb-preview" [innerHTML]="previewHtml()"></div>
          } @else {
            <p class="muted">{{ 'kb.editor.previewEmpty' | t }}</p>
          }
        </section>
      </div>
    </div>
  `,
  styles: `
    .kb-editor { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 18px; align-items: start; }
    @media (max-width: 1000px) { .kb-editor { grid-template-columns: 1fr; } }
    textarea { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
    .kb-preview ::ng-deep img { max-width: 100%; }
    .kb-preview ::ng-deep pre { overflow-x: auto; }
  `,
})
export class KbArticleEditor {
  protected readonly auth = inject(AuthService);
  private readonly api = inject(KbApi);
  private readonly i18n = inject(I18nService);
  private readonly router = inject(Router);
  protected readonly article = signal<Article | null>(null);
  protected readonly form = signal<Draft>(EMPTY);
  protected readonly previewHtml = signal('');
  protected readonly categories = signal<string[]>([]);
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly notice = signal<string | null>(null);
  protected readonly locales = computed(() => [...new Set([...KNOWN_LOCALES, this.form().locale])]);
  protected readonly helpCenter = helpCenterUrl(inject(SitesService));
  private timer: ReturnType<typeof setTimeout> | undefined;
  private previewGeneration = 0;

  constructor() {
    inject(DestroyRef).onDestroy(() => clearTimeout(this.timer));
    void this.api.categories().then((c) => this.categories.set(c.map((x) => x.name)), () => undefined);
    const id = inject(ActivatedRoute).snapshot.paramMap.get('id');
    if (id) void this.load(id);
    const notice = this.router.currentNavigation()?.extras.state?.['notice'];
    if (typeof notice === 'string') this.notice.set(this.i18n.t(notice));
  }

  protected localeName(code: string): string {
    return localeLabel(this.i18n, code);
  }

  protected patch(field: keyof Draft, event: Event): void {
    const value = (event.target as HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement).value;
    this.form.update((f) => ({ ...f, [field]: value }));
    if (field === 'body') this.schedulePreview();
  }

  /** Saves the form; `status` also publishes or unpublishes (or creates published). */
  protected async save(event: Event, status?: ArticleStatus): Promise<void> {
    event.preventDefault();
    const f = this.form();
    const fields = {
      title: f.title.trim(), body: f.body, category: f.category.trim() || null, locale: f.locale,
      tags: f.tags.split(',').map((t) => t.trim()).filter(Boolean),
    };
    this.busy.set(true);
    this.error.set(null);
    this.notice.set(null);
    try {
      const current = this.article();
      const notice = status === 'published' ? 'kb.editor.published' : status === 'draft' && current ? 'kb.editor.unpublished' : 'kb.editor.saved';
      if (current) {
        const slug = f.slug.trim() && f.slug.trim() !== current.slug ? { slug: f.slug.trim() } : {};
        this.show(await this.api.update(current.id, { ...fields, ...slug, ...(status ? { status } : {}) }));
        this.notice.set(this.i18n.t(notice));
      } else {
        // The editor of the new article takes over (a new component instance) and shows the notice.
        const created = await this.api.create({ ...fields, status: status ?? 'draft' });
        await this.router.navigate(['/articles', created.id], { replaceUrl: true, state: { notice } });
      }
    } catch (err) {
      this.error.set(problemText(err, this.i18n.t('kb.editor.saveFailed')));
    } finally {
      this.busy.set(false);
    }
  }

  protected async remove(a: Article): Promise<void> {
    if (!confirm(this.i18n.t('kb.editor.confirmDelete', { title: a.title }))) return;
    try {
      await this.api.remove(a.id);
      await this.router.navigate(['/articles']);
    } catch (err) {
      this.error.set(problemText(err, this.i18n.t('kb.editor.saveFailed')));
    }
  }

  private async load(id: string): Promise<void> {
    try {
      this.show(await this.api.get(id));
      await this.renderPreview();
    } catch (err) {
      this.error.set(problemText(err, this.i18n.t('kb.editor.loadFailed')));
    }
  }

  private show(a: Article): void {
    this.article.set(a);
    this.form.set({ title: a.title, body: a.body, category: a.category ?? '', tags: a.tags.join(', '), locale: a.locale, slug: a.slug });
  }

  private schedulePreview(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.renderPreview(), PREVIEW_DEBOUNCE_MS);
  }

  private async renderPreview(): Promise<void> {
    const generation = ++this.previewGeneration;
    const body = this.form().body;
    const html = body.trim() ? await this.api.preview(body).catch(() => null) : '';
    if (html !== null && generation === this.previewGeneration) this.previewHtml.set(html);
  }
}
