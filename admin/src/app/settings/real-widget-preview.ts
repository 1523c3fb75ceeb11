import { ChangeDetectionStrategy, Component, ElementRef, computed, effect, inject, input, signal, viewChild } from '@angular/core';
import { I18nService, TranslatePipe } from '../../sdk/i18n.service';
import type { WidgetLook } from '../../sdk/models';
import { DEFAULT_LOOK, WidgetPreview, contrastOn } from './widget-preview';

interface MessengerModule {
  createMessenger(parent: HTMLElement): HTMLElement & Record<string, unknown>;
}

let messengerModule: Promise<MessengerModule> | null = null;

/**
 * The widget's own messenger chunk, served by the server at /widget/ (hashed name from
 * /widget/manifest.json). Loaded once; same origin, so the admin's CSP allows it.
 */
function loadMessenger(): Promise<MessengerModule> {
  messengerModule ??= fetch('/widget/manifest.json', { credentials: 'omit' })
    .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`manifest ${r.status}`))))
    .then((m: { messenger?: string }) => {
      if (!m.messenger || !/^[\w.-]+\.js$/.test(m.messenger)) throw new Error('no messenger in the widget manifest');
      const url = `/widget/${m.messenger}`;
      return import(/* @vite-ignore */ url) as Promise<MessengerModule>;
    })
    .then((mod) => {
      if (typeof mod.createMessenger !== 'function') throw new Error('unexpected messenger module');
      return mod;
    });
  messengerModule.catch(() => (messengerModule = null));
  return messengerModule;
}

function previewStrings(t: (k: string, p?: Record<string, unknown>) => string): Record<string, unknown> {
  const s = (k: string) => t(`widgetPreview.${k}`);
  return {
    openChat: s('openChat'),
    closeChat: s('closeChat'),
    minimize: s('minimize'),
    message: s('message'),
    placeholder: s('placeholder'),
    send: s('send'),
    email: t('auth.email'),
    save: t('common.save'),
    online: s('online'),
    offline: s('offline'),
    offlineLeaveMessage: s('offline'),
    emailSaved: (e: string) => e,
    agentConnected: (n: string) => t('widgetPreview.agentConnected', { name: n }),
    typing: (n: string) => t('widgetPreview.typing', { name: n }),
    someone: s('someone'),
    sending: s('sending'),
    sent: s('sent'),
    seen: s('seen'),
    failed: s('failed'),
    retry: s('retry'),
    reconnecting: s('reconnecting'),
    you: s('you'),
    messages: s('messages'),
    unread: (n: number) => String(n),
    dialog: (site: string) => site,
    invalidEmail: s('invalidEmail'),
  };
}

/**
 * Live preview with the real widget component (`<charla-messenger>` from @charla/widget,
 * as served at /widget/), fed sample messages and the look being edited. When the widget
 * is not built/served, the faithful static preview is shown instead.
 */
@Component({
  selector: 'ch-real-widget-preview',
  imports: [WidgetPreview, TranslatePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: {
    class: 'real-widget-preview',
    'data-testid': 'widget-preview',
    '[attr.data-real-widget]': 'state() === "ready"',
    '[style.--charla-primary]': 'primary()',
    '[style.--charla-on-primary]': 'onPrimary()',
    '[style.--charla-bg]': 'look().backgroundColor || defaults.backgroundColor',
    '[style.--charla-text]': 'look().textColor || defaults.textColor',
    '[class.left]': 'look().position === "left"',
  },
  template: `
    @if (state() === 'failed') {
      <ch-widget-preview [look]="look()" [siteName]="siteName()" />
    } @else {
      <div class="rwp-stage" role="img" [attr.aria-label]="'settings.widget.previewLabel' | t">
        <div class="rwp-window" #mount inert></div>
        <div class="wp-launcher" [style.background]="primary()" [style.color]="onPrimary()" aria-hidden="true">
          <svg viewBox="0 0 24 24" width="26" height="26" fill="currentColor"><path d="M4 5a3 3 0 0 1 3-3h10a3 3 0 0 1 3 3v8a3 3 0 0 1-3 3h-6l-5 4v-4a3 3 0 0 1-2-3z" /></svg>
        </div>
      </div>
    }
  `,
})
export class RealWidgetPreview {
  private readonly i18n = inject(I18nService);
  readonly look = input.required<WidgetLook>();
  readonly siteName = input('');
  protected readonly defaults = DEFAULT_LOOK;
  protected readonly state = signal<'loading' | 'ready' | 'failed'>('loading');
  private readonly mount = viewChild<ElementRef<HTMLElement>>('mount');
  private element: (HTMLElement & Record<string, unknown>) | null = null;
  private readonly module = signal<MessengerModule | null>(null);

  protected readonly primary = computed(() => this.look().primaryColor || DEFAULT_LOOK.primaryColor);
  protected readonly onPrimary = computed(() => contrastOn(this.primary()));

  constructor() {
    loadMessenger().then(
      (mod) => {
        this.module.set(mod);
        this.state.set('ready');
      },
      () => this.state.set('failed'),
    );

    // Push the look and sample conversation into the custom element (a non-Angular API).
    effect(() => {
      const mod = this.module();
      const host = this.mount()?.nativeElement;
      if (!mod || !host) return;
      if (!this.element || !host.contains(this.element)) {
        host.replaceChildren();
        this.element = mod.createMessenger(host);
      }
      const look = this.look();
      const t = (k: string, p?: Record<string, unknown>) => this.i18n.t(k, p);
      const el = this.element;
      el['strings'] = previewStrings(t);
      el['locale'] = this.i18n.locale();
      el['siteName'] = this.siteName();
      el['logoUrl'] = look.logoUrl && /^https:\/\//i.test(look.logoUrl) ? look.logoUrl : null;
      el['greeting'] = look.greeting || t('settings.widget.defaultGreeting');
      el['online'] = true;
      el['connection'] = 'open';
      el['agents'] = [];
      el['messages'] = [
        { key: 'preview-1', content: t('settings.widget.previewVisitor'), mine: true, senderType: 'visitor', createdAt: new Date().toISOString(), state: 'seen' },
        { key: 'preview-2', content: t('widgetPreview.sampleReply'), mine: false, senderType: 'agent', author: 'Ana', createdAt: new Date().toISOString() },
      ];
    });
  }
}
