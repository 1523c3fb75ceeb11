/**
 * The plugin chunk (`plugin-host.<hash>.js`), imported only when widget init lists
 * plugin modules (`plugins: [{name, url, data, eager}]`, docs/plugins.md "Widget
 * contributions"): imports each module from the Charla server — an `eager` one right
 * away, the others when the messenger first opens — and calls its default export with a
 * `WidgetPluginApi`. A module that fails to load or throws is reported once with
 * console.warn and never stops the widget or the other plugins.
 */
import type { WidgetPluginApi, WidgetPluginSetup } from '@charla/core/widget';
import { noticeBoard } from '../ui/notice-board.js';
import type { PluginUi } from './plugin-ui.js';
import type { Widget } from './widget.js';

export interface PluginRef {
  name: string;
  url: string;
  data: Record<string, unknown>;
  eager?: boolean;
  /** The block types the plugin declares. */
  blocks?: string[];
}

export interface PluginHostDeps {
  /** Origin of the Charla server: module URLs must resolve to it. */
  api: string;
  widget: Pick<Widget, 'locale' | 'strings' | 'shadowRoot' | 'track' | 'request' | 'messenger' | 'page' | 'pageAt' | 'isOpen' | 'conversationId'>;
  /** Adds a listener to the widget's events (`message`, `page`, `conversation`, `realtime` included); returns its remover. */
  listen(event: string, cb: (payload?: unknown) => void): () => void;
  open(): unknown;
  close(): unknown;
}

/** Every plugin's widget routes are under this path (`api.request` paths are relative to it). */
const BASE = '/api/v1/widget';
const ID = /^[a-z0-9-]{1,40}$/;
const warnAll = (err: unknown) => console.warn('[charla] widget plugins:', err);

/** Starts every listed module; returns `stop`, which runs their cleanups (shutdown). */
export function startPlugins(list: unknown, d: PluginHostDeps): () => void {
  let live = true;
  const w = d.widget;
  const stops: Array<() => void> = [];
  const root = w.shadowRoot;
  const notice = root ? noticeBoard(root, w.strings.dismiss) : () => undefined;
  let ui: Promise<PluginUi> | undefined;
  /** Runs `fn` with the plugins' messenger part, loading its chunk the first time. */
  const withUi = (fn: (u: PluginUi) => void) => {
    ui ??= import('./plugin-ui.js').then((m) => {
      const u = m.createPluginUi(d);
      stops.push(u.stop);
      return u;
    });
    ui.then((u) => live && fn(u), warnAll);
  };

  for (const p of Array.isArray(list) ? (list as PluginRef[]) : []) {
    if (typeof p?.name !== 'string' || typeof p.url !== 'string') continue;
    const subs: Array<[string, unknown, () => void]> = [];
    let failed = false;
    /** Whether the plugin may still act: the widget is up and its module did not fail. */
    const up = () => live && !failed;
    let warned = false;
    const warn = (err: unknown) => {
      if (!warned) console.warn(`[charla] widget plugin "${p.name}" failed:`, err);
      warned = true;
    };
    /** Removes what the plugin added: its listeners, notice, tabs and suggestions. */
    const remove = () => {
      for (const s of subs) s[2]();
      notice(p.name, null);
      if (ui) withUi((u) => u.drop(p.name));
    };
    /** The plugin's callbacks run guarded: an error is warned about, never thrown into the widget. */
    const safe = <A extends unknown[]>(fn?: (...a: A) => void) => (...a: A) => {
      try {
        if (up() && fn) fn(...a);
      } catch (err) {
        warn(err);
      }
    };
    const sub = (event: string, cb: unknown, off: () => void) => {
      subs.push([event, cb, off]);
      return off;
    };
    const page = () => ({ ...w.page, since: Date.now() - w.pageAt });
    const api: WidgetPluginApi = {
      name: p.name,
      data: Object.freeze({ ...p.data }),
      locale: w.locale,
      on(event, cb) {
        const call = safe(cb as (x?: unknown) => void);
        const off = sub(event, cb, d.listen(event, event === 'page' ? () => call(page()) : call));
        if (event === 'ready') call();
        if (event === 'page' && w.page.url) call(page());
        return off;
      },
      off(event, cb) {
        for (const s of subs) if (s[0] === event && s[1] === cb) s[2]();
      },
      open: () => void (up() && d.open()),
      close: () => void (up() && d.close()),
      track: async (name, properties) => {
        if (up()) await w.track(name, properties);
      },
      notice: (n) => up() && n && notice(p.name, { ...n, onAction: safe(n.onAction), onDismiss: safe(n.onDismiss) }),
      clearNotice: () => notice(p.name, null),
      request: async (method, path, body) => {
        // Resolved like the browser will (`..`, `%2e%2e`): it must stay under /api/v1/widget/.
        const u = new URL(BASE + path, d.api);
        // After shutdown (or a failed setup) it rejects too.
        if (!up() || path[0] !== '/' || !u.pathname.startsWith(BASE + '/')) throw new TypeError(`[charla] api.request ${path}`);
        return w.request(method, u.pathname + u.search, body);
      },
      panel(panel) {
        if (!ID.test(panel?.id)) throw new TypeError(`[charla] api.panel ${panel?.id}`);
        const key = `${p.name}:${panel.id}`;
        if (up()) withUi((u) => u.setPanel(key, panel, safe));
        return {
          show: () => void (up() && withUi((u) => u.show(key))),
          remove: () => withUi((u) => u.removePanel(key)),
        };
      },
      onCompose(cb) {
        const call = safe(cb);
        withUi((u) => u.composers.add(call));
        return sub('compose', cb, () => withUi((u) => u.composers.delete(call)));
      },
      suggest: (items) => void (up() && withUi((u) => u.suggest(p.name, items, safe))),
      timeOnPage: () => Date.now() - w.pageAt,
      conversation: () => w.conversationId,
      status: (text) => void (up() && withUi((u) => u.status(p.name, text))),
      renderBlock: (type, render) => void (up() && withUi((u) => u.renderBlock(p, type, render, safe))),
      subscribe(name, cb) {
        const call = safe(cb);
        const event = `${p.name}:${name}`;
        return sub('realtime', cb, d.listen('realtime', (e) => (e as { event: string }).event === event && call((e as { data: never }).data)));
      },
    };
    stops.push(remove);
    const start = () =>
      new Promise<string>((ok) => {
        const url = new URL(p.url, d.api);
        if (url.origin !== new URL(d.api).origin) throw new Error(url.href);
        ok(url.href);
      })
        .then((href) => import(/* @vite-ignore */ href) as Promise<{ default: WidgetPluginSetup }>)
        .then((m) => live && m.default(api))
        .then((cleanup) => {
          if (typeof cleanup !== 'function') return;
          // A setup that finished after shutdown is cleaned up at once.
          if (live) stops.push(cleanup);
          else cleanup();
        })
        .catch((err) => {
          // A module that failed to load or set up is switched off: nothing of it stays.
          warn(err);
          failed = true;
          remove();
        });
    // Lazy by default: a module loads when the messenger first opens, unless it is eager.
    if (p.eager || w.isOpen) void start();
    else {
      const off = d.listen('open', () => {
        off();
        void start();
      });
      stops.push(off);
    }
  }
  return () => {
    if (!live) return;
    live = false;
    for (const s of stops) {
      try {
        s();
      } catch (err) {
        warnAll(err);
      }
    }
  };
}
