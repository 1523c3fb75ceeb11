import type { Strings } from '../shared/i18n.js';
import { themeCss, type Theme } from './theme.js';

/** Attribute on every node the widget injects into the host page (shutdown removes them). */
export const INJECTED_ATTR = 'data-charla';

// `all:initial!important` keeps the page's CSS out; what the widget wants back (font,
// colour) must be !important too, or the reset beats it (Times New Roman 16px).
const CSS = `
:host{all:initial!important;display:block!important;position:fixed!important;z-index:2147483000!important;
 inset:auto!important;width:0!important;height:0!important;margin:0!important;padding:0!important;border:0!important;
 transform:none!important;filter:none!important;opacity:1!important;visibility:visible!important;contain:none!important;
 font:14px/1.45 var(--charla-font,system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif)!important;
 color:#1f2937!important}
*{box-sizing:border-box}
.launcher{position:fixed;bottom:20px;right:20px;width:60px;height:60px;border-radius:50%;border:0;margin:0;padding:0;
 display:grid;place-items:center;cursor:pointer;background:var(--charla-primary);color:var(--charla-on-primary);
 box-shadow:0 6px 20px rgba(0,0,0,.25);transition:transform .15s ease}
.launcher:hover{transform:scale(1.06)}
.launcher:focus-visible{outline:3px solid var(--charla-primary);outline-offset:3px}
:host([data-position=left]) .launcher{right:auto;left:20px}
.launcher svg{width:28px;height:28px;display:block}
.launcher .x{display:none}
:host([data-open]) .launcher .x{display:block}
:host([data-open]) .launcher .bubble{display:none}
.badge{position:absolute;top:-4px;right:-4px;min-width:22px;height:22px;padding:0 6px;border-radius:11px;
 background:#dc2626;color:#fff;font:700 12px/22px system-ui,sans-serif;text-align:center;border:2px solid #fff}
.badge[hidden],.panel[hidden]{display:none}
.panel{position:fixed;bottom:92px;right:20px;width:376px;height:min(640px,calc(100vh - 116px));max-height:calc(100vh - 116px)}
:host([data-position=left]) .panel{right:auto;left:20px}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media (max-width:480px){
 .panel{inset:0;width:100%;height:100%;max-height:none}
 :host([data-open]) .launcher{display:none}
}
@media (prefers-reduced-motion:reduce){.launcher{transition:none}}
`;

const ICON_CHAT =
  '<svg class="bubble" viewBox="0 0 24 24" aria-hidden="true"><path fill="currentColor" d="M12 3C6.5 3 2 6.8 2 11.5c0 2.4 1.2 4.6 3.1 6.1L4 21l4.2-2c1.2.4 2.5.6 3.8.6 5.5 0 10-3.8 10-8.5S17.5 3 12 3z"/></svg>' +
  '<svg class="x" viewBox="0 0 24 24" aria-hidden="true"><path d="M6 6l12 12M18 6L6 18" stroke="currentColor" stroke-width="2.4" stroke-linecap="round"/></svg>';

export interface LauncherOptions {
  position: 'right' | 'left';
  theme: Theme;
  strings: Strings;
  onToggle: () => void;
  /** Pointer or keyboard focus on the bubble: a good moment to prefetch the messenger. */
  onIntent: () => void;
}

/** The bubble: plain DOM in a shadow root (the only UI loaded before interaction). */
export class LauncherView {
  readonly host: HTMLElement;
  readonly panel: HTMLElement;
  readonly button: HTMLButtonElement;
  readonly root: ShadowRoot;
  readonly #badge: HTMLElement;
  readonly #unreadText: HTMLElement;
  readonly #themeStyle: HTMLStyleElement;
  #strings: Strings;
  #open = false;

  constructor(opts: LauncherOptions) {
    this.#strings = opts.strings;
    this.host = document.createElement('charla-widget');
    this.host.setAttribute(INJECTED_ATTR, '');
    this.host.setAttribute('data-position', opts.position === 'left' ? 'left' : 'right');
    this.root = this.host.attachShadow({ mode: 'open' });
    const style = document.createElement('style');
    style.textContent = CSS;
    this.#themeStyle = document.createElement('style');
    this.panel = document.createElement('div');
    this.panel.className = 'panel';
    this.panel.hidden = true;
    this.panel.id = 'charla-panel';
    this.button = document.createElement('button');
    this.button.type = 'button';
    this.button.className = 'launcher';
    this.button.setAttribute('part', 'launcher');
    this.button.setAttribute('aria-expanded', 'false');
    this.button.setAttribute('aria-controls', 'charla-panel');
    this.button.setAttribute('aria-describedby', 'charla-unread');
    this.button.innerHTML = ICON_CHAT; // static markup, no data
    this.#badge = document.createElement('span');
    this.#badge.className = 'badge';
    this.#badge.setAttribute('aria-hidden', 'true');
    this.#badge.hidden = true;
    this.button.append(this.#badge);
    this.#unreadText = document.createElement('span');
    this.#unreadText.id = 'charla-unread';
    this.#unreadText.className = 'sr';
    this.button.addEventListener('click', opts.onToggle);
    this.button.addEventListener('pointerenter', opts.onIntent, { once: true });
    this.button.addEventListener('focus', opts.onIntent, { once: true });
    this.root.append(style, this.#themeStyle, this.panel, this.button, this.#unreadText);
    this.setTheme(opts.theme);
    this.#label();
    // On <html>, not <body>: survives SPA body swaps and a transformed <body>.
    document.documentElement.append(this.host);
  }

  setTheme(theme: Theme): void {
    this.#themeStyle.textContent = `:host{${themeCss(theme)}}`;
  }

  setStrings(strings: Strings): void {
    this.#strings = strings;
    this.#label();
  }

  setOpen(open: boolean): void {
    this.#open = open;
    this.host.toggleAttribute('data-open', open);
    this.panel.hidden = !open;
    this.button.setAttribute('aria-expanded', String(open));
    this.#label();
  }

  setUnread(n: number): void {
    this.#badge.hidden = n <= 0;
    this.#badge.textContent = n > 99 ? '99+' : String(n);
    this.#unreadText.textContent = n > 0 ? this.#strings.unread(n) : '';
  }

  focus(): void {
    this.button.focus();
  }

  /** True when keyboard focus is inside the widget. */
  hasFocus(): boolean {
    return document.activeElement === this.host;
  }

  destroy(): void {
    this.host.remove();
  }

  #label(): void {
    this.button.setAttribute('aria-label', this.#open ? this.#strings.closeChat : this.#strings.openChat);
  }
}
