/**
 * The plugin chunk (`plugin-host.<hash>.js`), imported only when widget init lists
 * plugin modules (`plugins: [{name, url, data}]`, docs/plugins.md "Widget contributions"):
 * imports each module from the Charla server and calls its default export with a
 * `WidgetPluginApi`. A module that fails to load or throws is reported once with
 * console.warn and never stops the widget or the other plugins.
 */
import type { WidgetPluginApi, WidgetPluginSetup } from '@charla/core/widget';
import { noticeBoard } from '../ui/notice-board.js';
import type { Widget } from './widget.js';

export interface PluginRef {
  name: string;
  url: string;
  data: Record<string, unknown>;
}

export interface PluginHostDeps {
  /** Origin of the Charla server: module URLs must resolve to it. */
  api: string;
  widget: Pick<Widget, 'locale' | 'strings' | 'shadowRoot' | 'track'>;
  /** Adds a listener to the widget's events (`message` included); returns its remover. */
  listen(event: string, cb: (payload?: unknown) => void): () => void;
  open(): unknown;
  close(): unknown;
}

/** Starts every listed module; returns `stop`, which runs their cleanups (shutdown). */
export function startPlugins(list: unknown, d: PluginHostDeps): () => void {
  let live = true;
  const stops: Array<() => void> = [];
  const root = d.widget.shadowRoot;
  const notice = root ? noticeBoard(root, d.widget.strings.dismiss) : () => undefined;
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
    /** Removes what the plugin added: its listeners and its notice. */
    const remove = () => {
      for (const s of subs) s[2]();
      notice(p.name, null);
    };
    /** The plugin's callbacks run guarded: an error is warned about, never thrown into the widget. */
    const safe = (fn?: (x?: never) => void) => (x?: unknown) => {
      try {
        if (up() && fn) fn(x as never);
      } catch (err) {
        warn(err);
      }
    };
    const api: WidgetPluginApi = {
      name: p.name,
      data: Object.freeze({ ...p.data }),
      locale: d.widget.locale,
      on(event, cb) {
        const call = safe(cb as (x?: never) => void);
        const off = d.listen(event, call);
        subs.push([event, cb, off]);
        if (event === 'ready') call();
        return off;
      },
      off(event, cb) {
        for (const s of subs) if (s[0] === event && s[1] === cb) s[2]();
      },
      open: () => void (up() && d.open()),
      close: () => void (up() && d.close()),
      track: async (name, properties) => {
        if (up()) await d.widget.track(name, properties);
      },
      notice: (n) => up() && n && notice(p.name, { ...n, onAction: safe(n.onAction), onDismiss: safe(n.onDismiss) }),
      clearNotice: () => notice(p.name, null),
    };
    stops.push(remove);
    new Promise<string>((ok) => {
      const url = new URL(p.url, d.api);
      if (url.origin !== new URL(d.api).origin) throw new Error(`${url.href} is not on the Charla server`);
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
  }
  return () => {
    if (!live) return;
    live = false;
    for (const s of stops) {
      try {
        s();
      } catch (err) {
        console.warn('[charla] widget plugin cleanup failed:', err);
      }
    }
  };
}
