import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import { AuthService, DatePipe, I18nService, ListNav, SitesService, TranslatePipe, problemText } from '@charla/admin/sdk';
import { helpCenterUrl } from './help-center-url';
import { KbApi, type Article, type ArticleFilter, type ArticleStatus } from './kb-api';
import { localeLabel } from './locales';

/** Typing in the search box waits this long before asking the server. */
const SEARCH_DEBOUNCE_MS = 250;

/** /admin/articles: the account's articles, searched and filtered; owners and admins write. */
@Component({
  selector: 'ch-kb-articles',
  imports: [RouterLink, TranslatePipe, DatePipe, ListNav],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'page' },
  template: `
    <div class="stack">
      <div class="row between">
        <h1 class="page-title">{{ 'kb.list.title' | t }}</h1>
        @if (auth.canManage()) {
          <a class="btn btn-primary" routerLink="/articles/new">{{ 'kb.list.new' | t }}</a>
        }
      </div>
      @if (helpCenter(); as url) {
        <p class="muted">{{ 'kb.list.helpCenter' | t }} <a [href]="url" target="_blank" rel="noopener">{{ url }}</a></p>
      }
      <section class="card stack">
        <div class="row wrap" role="search">
          <div class="field">
            <label for="kb-q">{{ 'kb.list.search' | t }}</label>
            <input id="kb-q" type="search" maxlength="200" [value]="filter().q ?? ''" (input)="search($event)" />
          </div>
          <div class="field">
            <label for="kb-status">{{ 'kb.list.status' | t }}</label>
            <select id="kb-status" (change)="set('status', $event)">
              <option value="">{{ 'kb.list.anyStatus' | t }}</option>
              <option value="published">{{ 'kb.status.published' | t }}</option>
              <option value="draft">{{ 'kb.status.draft' | t }}</option>
            </select>
          </div>
          <div class="field">
            <label for="kb-category">{{ 'kb.list.category' | t }}</label>
            <select id="kb-category" (change)="set('category', $event)">
              <option value="">{{ 'kb.list.anyCategory' | t }}</option>
              @for (c of categories(); track c.name) {
                <option [value]="c.name">{{ c.name }} ({{ c.count }})</option>
              }
            </select>
          </div>
          <div class="field">
            <label for="kb-tag">{{ 'kb.list.tag' | t }}</label>
            <input id="kb-tag" maxlength="40" (change)="set('tag', $event)" />
          </div>
          <div class="field">
            <label for="kb-locale">{{ 'kb.list.locale' | t }}</label>
            <select id="kb-locale" (change)="set('locale', $event)">
              <option value="">{{ 'kb.list.anyLocale' | t }}</option>
              <option value="es">{{ 'kb.locale.es' | t }}</option>
              <option value="en">{{ 'kb.locale.en' | t }}</option>
            </select>
          </div>
        </div>
        @if (error()) {
          <p class="alert alert-error" role="alert">{{ error() }}</p>
        }
        @if (articles().length) {
          <ul class="kb-articles" chListNav data-testid="kb-articles" aria-live="polite">
            @for (a of articles(); track a.id) {
              <li [attr.data-article]="a.slug">
                <a data-nav-item [routerLink]="['/articles', a.id]">{{ a.title }}</a>
                <span class="badge" [class.badge-note]="a.status === 'draft'">{{ statusLabel(a.status) }}</span>
                @if (a.category) { <span class="muted"> · {{ a.category }}</span> }
                <span class="muted"> · {{ localeName(a.locale) }} · {{ 'kb.list.updated' | t: { date: (a.updatedAt | chDate) } }}</span>
                @if (a.snippet) {
                  <p class="kb-snippet" [innerHTML]="a.snippet"></p>
                }
                @if (a.tags.length) {
                  <p class="muted">#{{ a.tags.join(' #') }}</p>
                }
              </li>
            }
          </ul>
          @if (nextCursor()) {
            <button type="button" class="btn btn-secondary" (click)="more()">{{ 'kb.list.more' | t }}</button>
          }
        } @else if (loaded()) {
          <p class="muted">{{ (filtered() ? 'kb.list.noMatch' : 'kb.list.none') | t }}</p>
        }
      </section>
    </div>
  `,
  styles: `
    .kb-articles { list-style: none; margin: 0; padding: 0; }
    .kb-articles li { padding: 10px 0; border-bottom: 1px solid var(--c-border); }
    .kb-articles a { font-weight: 600; margin-right: 6px; }
    .kb-snippet { margin: 4px 0 0; }
    .kb-snippet ::ng-deep mark { background: #fff1a8; border-radius: 2px; }
  `,
})
export class KbArticlesPage {
  protected readonly auth = inject(AuthService);
  private readonly api = inject(KbApi);
  private readonly i18n = inject(I18nService);
  protected readonly filter = signal<ArticleFilter>({});
  protected readonly articles = signal<Article[]>([]);
  protected readonly nextCursor = signal<string | null>(null);
  protected readonly categories = signal<Array<{ name: string; count: number }>>([]);
  protected readonly loaded = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly filtered = computed(() => Object.values(this.filter()).some((v) => typeof v === 'string' && v.trim() !== ''));
  protected readonly helpCenter = helpCenterUrl(inject(SitesService));
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Answers to an older filter are dropped (typing fast sends several searches). */
  private generation = 0;

  constructor() {
    inject(DestroyRef).onDestroy(() => clearTimeout(this.timer));
    void this.api.categories().then((c) => this.categories.set(c), () => undefined);
    void this.load();
  }

  protected statusLabel(status: ArticleStatus): string {
    return this.i18n.t(`kb.status.${status}`);
  }

  protected localeName(code: string): string {
    return localeLabel(this.i18n, code);
  }

  protected search(event: Event): void {
    const q = (event.target as HTMLInputElement).value;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.filter.update((f) => ({ ...f, q }));
      void this.load();
    }, SEARCH_DEBOUNCE_MS);
  }

  protected set(key: 'status' | 'category' | 'tag' | 'locale', event: Event): void {
    const value = (event.target as HTMLInputElement | HTMLSelectElement).value;
    this.filter.update((f) => ({ ...f, [key]: value }));
    void this.load();
  }

  protected async more(): Promise<void> {
    const cursor = this.nextCursor();
    if (cursor) await this.load(cursor);
  }

  private async load(cursor?: string): Promise<void> {
    const generation = ++this.generation;
    try {
      const page = await this.api.list({ ...this.filter(), cursor });
      if (generation !== this.generation) return;
      this.articles.update((list) => (cursor ? [...list, ...page.articles] : page.articles));
      this.nextCursor.set(page.nextCursor);
      this.error.set(null);
    } catch (err) {
      if (generation === this.generation) this.error.set(problemText(err, this.i18n.t('kb.list.loadFailed')));
    } finally {
      if (generation === this.generation) this.loaded.set(true);
    }
  }
}
