/**
 * The plugins' part of the messenger window — tabs (`api.panel`), suggestions above the
 * composer (`api.suggest`) and the composer's text (`api.onCompose`) — a chunk of its
 * own (`plugin-ui.<hash>.js`), imported by the plugin host the first time a module uses
 * one of them, so a page whose plugins only show notices never loads it.
 */
import type { WidgetPanel, WidgetPanelElement, WidgetPluginApi, WidgetSuggestion } from '@charla/core/widget';
import type { MessengerElement } from '../messenger/messenger-element.js';
import type { BlockRenderer, PanelView, SuggestionView } from '../shared/view-types.js';
import type { PluginHostDeps, PluginRef } from './plugin-host.js';

/** The composer's text reaches `onCompose` this long after the last keystroke. */
export const COMPOSE_DEBOUNCE_MS = 250;
/** At most this many suggestions are shown (all plugins together). */
export const MAX_SUGGESTIONS = 5;

export type Guard = <A extends unknown[]>(fn?: (...a: A) => void) => (...a: A) => void;

export interface PluginUi {
  /** Adds or replaces (same key, `<plugin>:<id>`) a tab. */
  setPanel(key: string, panel: WidgetPanel, safe: Guard): void;
  /** A plugin's renderer of one of its own block types. */
  renderBlock(plugin: PluginRef, type: string, render: Parameters<WidgetPluginApi['renderBlock']>[1], safe: Guard): void;
  /** A plugin's line under the header (null removes it). */
  status(plugin: string, text: string | null): void;
  removePanel(key: string): void;
  /** Opens the messenger on a panel. */
  show(key: string): void;
  suggest(plugin: string, items: WidgetSuggestion[], safe: Guard): void;
  composers: Set<(text: string) => void>;
  /** Removes everything of one plugin (`<name>:` keys), e.g. when its module failed. */
  drop(plugin: string): void;
  /** The conversation tab. */
  conversation(): void;
  stop(): void;
}

export function createPluginUi(d: PluginHostDeps): PluginUi {
  const w = d.widget;
  const panels: PanelView[] = [];
  const suggestions = new Map<string, SuggestionView[]>();
  const statuses = new Map<string, string>();
  const renderers: Record<string, BlockRenderer & { owner?: string }> = {};
  const composers = new Set<(text: string) => void>();
  const offs: Array<() => void> = [];
  let el: MessengerElement | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let live = true;

  /** Hands the panels and the suggestions (all plugins) to the messenger. */
  const view = () => {
    if (!el || !live) return;
    el.panels = [...panels];
    el.suggestions = [...suggestions.values()].flat().slice(0, MAX_SUGGESTIONS);
    el.statuses = [...statuses.values()];
    el.renderers = { ...renderers };
  };
  const compose = (text: string) => {
    for (const cb of composers) cb(text);
  };
  const onDraft = (e: Event) => {
    const text = String((e as CustomEvent<{ text: string }>).detail?.text ?? '').trim();
    clearTimeout(timer);
    if (text) timer = setTimeout(() => compose(text), COMPOSE_DEBOUNCE_MS);
    else {
      suggestions.clear();
      view();
      compose('');
    }
  };
  /** Takes hold of the messenger element (created on the first open). */
  const attach = () =>
    w.messenger().then((m) => {
      if (!m || !live) return undefined;
      if (m !== el) {
        el = m;
        m.addEventListener('charlaDraft', onDraft);
        offs.push(() => m.removeEventListener('charlaDraft', onDraft));
        view();
      }
      return m;
    });
  // Each open draws the selected panel again.
  offs.push(d.listen('open', () => void attach().then((m) => m?.redraw())));
  if (w.isOpen) void attach();

  return {
    composers,
    setPanel(key, panel, safe) {
      const t = panel.title;
      const v: PanelView = {
        key,
        title: String((typeof t === 'object' ? t[w.locale] ?? t.en : t) ?? key),
        render: safe((c: HTMLElement) => panel.render(c as WidgetPanelElement, { locale: w.locale, showConversation: () => void el?.showTab('chat') })),
      };
      const i = panels.findIndex((x) => x.key === key);
      panels.splice(i < 0 ? panels.length : i, i < 0 ? 0 : 1, v);
      view();
    },
    removePanel(key) {
      const i = panels.findIndex((x) => x.key === key);
      if (i >= 0) panels.splice(i, 1);
      view();
    },
    show(key) {
      if (!panels.some((x) => x.key === key)) return;
      void Promise.resolve(d.open())
        .then(attach)
        .then((m) => m?.showTab(key));
    },
    suggest(plugin, items, safe) {
      const list = (Array.isArray(items) ? items : []).slice(0, MAX_SUGGESTIONS).map((s, i): SuggestionView => ({
        key: `${plugin}:${i}:${String(s?.id)}`,
        title: String(s?.title ?? ''),
        description: s?.description == null ? undefined : String(s.description),
        select: () => {
          suggestions.clear();
          view();
          safe(s.onSelect)();
        },
      }));
      if (list.length) suggestions.set(plugin, list);
      else suggestions.delete(plugin);
      view();
    },
    renderBlock(plugin, type, render, safe) {
      if (!plugin.blocks?.includes(type)) return console.warn(`[charla] widget plugin "${plugin.name}" cannot render block type "${type}": it is not one it declares`);
      renderers[type] = Object.assign(safe((block: Record<string, unknown>, c: HTMLElement, x: { messageId: string; press(id: string): void }) => render(Object.freeze({ ...block }), c as WidgetPanelElement, { locale: w.locale, ...x })), { owner: plugin.name });
      view();
    },
    status(plugin, text) {
      if (text == null || text === '') statuses.delete(plugin);
      else statuses.set(plugin, String(text).slice(0, 200));
      view();
    },
    drop(plugin) {
      statuses.delete(plugin);
      for (const t in renderers) if (renderers[t].owner === plugin) delete renderers[t];
      for (let i = panels.length; i--; ) if (panels[i].key.startsWith(plugin + ':')) panels.splice(i, 1);
      suggestions.delete(plugin);
      view();
    },
    conversation: () => void el?.showTab('chat'),
    stop() {
      clearTimeout(timer);
      for (const off of offs) off();
      live = false;
    },
  };
}
