import type { UserData } from '../services/widget-api.js';
import { Widget, type WidgetEvent } from './widget.js';

export interface BootContext {
  /** URL of the folder loader.js was served from (ends with `/`). */
  base: string;
  /** Origin of the Charla server. */
  api: string;
  /** `data-app-id` of the script tag. */
  appId?: string;
  /** `data-locale` of the script tag. */
  locale?: string;
  /** `data-intercom` on the script tag: answer the Intercom JavaScript API too. */
  intercom?: boolean;
}

export interface InitOptions {
  appId: string;
  locale?: string;
}

type Listener = (payload?: unknown) => void;
const EVENTS: readonly string[] = ['ready', 'open', 'close', 'unreadCountChange', 'error'];

/** `window.Charla`: call it with a command name, or use the methods. */
export interface CharlaApi {
  (command: string, ...args: unknown[]): unknown;
  init(options: InitOptions): Promise<void>;
  identify(user: UserData): Promise<unknown>;
  track(name: string, properties?: Record<string, unknown>): Promise<unknown>;
  open(): Promise<void>;
  /** Opens the messenger with `text` (if any) in the composer, for the visitor to send. */
  showNewMessage(text?: string): Promise<void>;
  close(): void;
  toggle(): void;
  shutdown(): void;
  on(event: WidgetEvent, cb: Listener): () => void;
  off(event: WidgetEvent, cb: Listener): void;
  readonly unreadCount: number;
  readonly isOpen: boolean;
  /** The current visitor's id (after init), e.g. for Intercom('getVisitorId'). */
  readonly visitorId: string | undefined;
  readonly loaded: true;
  readonly version: string;
}


/**
 * Builds the real `window.Charla`. Network commands run in order (identify waits for
 * init); `open`/`close` act at once or right after init. Returned promises reject with
 * the server's ProblemError (e.g. 401 for a wrong `userHash`), also emitted as `error`.
 */
export function createSdk(ctx: BootContext, loadMessenger: () => Promise<typeof import('../messenger/messenger.js')>): CharlaApi {
  const listeners = new Map<string, Set<Listener>>();
  let widget: Widget | null = null;
  let starting: Promise<void> | null = null;
  let wantOpen: boolean | null = null;
  let wantDraft: string | undefined;
  let stopPlugins: (() => void) | null = null;

  /** Adds a listener for any widget event (the plugins' `message` too); returns its remover. */
  const listen = (event: string, cb: Listener) => {
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    set.add(cb);
    return () => void set.delete(cb);
  };

  const emit = (event: string, payload?: unknown) => {
    for (const cb of [...(listeners.get(event) ?? [])]) {
      try {
        cb(payload);
      } catch (err) {
        setTimeout(() => {
          throw err;
        });
      }
    }
  };

  const fail = (err: unknown) => {
    emit('error', err);
    if (!listeners.get('error')?.size) console.warn('[charla]', (err as Error)?.message ?? err);
    throw err;
  };

  /** Runs `fn` once the widget is up; rejects when there is no init. */
  const withWidget = async <T>(fn: (w: Widget) => T | Promise<T>): Promise<T> => {
    if (starting) await starting.catch(() => undefined);
    if (!widget) throw Object.assign(new Error('Charla is not initialised: call Charla("init", {appId}) first'), { code: 'not_initialised' });
    return fn(widget);
  };

  const init = (options: InitOptions): Promise<void> => {
    const appId = options?.appId ?? ctx.appId;
    if (typeof appId !== 'string' || !appId) return Promise.reject(new Error('Charla init: appId is required')).catch(fail);
    if (widget || starting) return starting ?? Promise.resolve();
    const w = new Widget({
      api: ctx.api,
      appId,
      locale: options?.locale ?? ctx.locale,
      emit,
      loadMessenger,
    });
    starting = w
      .start()
      .then(() => {
        widget = w;
        emit('ready');
        // (The unread count of a returning visitor was emitted by the widget's start: once.)
        if (wantOpen) void w.open(wantDraft);
        wantOpen = null;
        wantDraft = undefined;
        // Plugins' widget modules: their host is a chunk of its own, loaded only when there
        // are some — at once for an `eager` one, else when the messenger first opens.
        const plugins = w.plugins as Array<{ eager?: boolean }>;
        if (Array.isArray(plugins) && plugins.length) {
          const load = () => {
            off();
            import('./plugin-host.js').then(
              (m) => {
                if (widget === w && !stopPlugins) stopPlugins = m.startPlugins(plugins, { api: ctx.api, widget: w, listen, open: commands.open, close: commands.close });
              },
              (err) => console.warn('[charla] widget plugins could not be loaded:', err),
            );
          };
          const off = listen('open', load);
          if (w.isOpen || plugins.some((p) => p?.eager === true)) load();
        }
      })
      .catch((err) => {
        w.destroy();
        fail(err);
      })
      .finally(() => {
        starting = null;
      });
    return starting;
  };

  const shutdown = () => {
    const w = widget;
    widget = null;
    wantOpen = null;
    wantDraft = undefined;
    stopPlugins?.();
    stopPlugins = null;
    const pending = starting;
    if (pending) {
      // Shut down a widget that is still booting as soon as it is up.
      pending.then(() => {
        if (widget) {
          widget.forgetVisitor();
          widget.destroy();
          widget = null;
        }
      }, () => undefined);
    }
    if (w) {
      w.forgetVisitor();
      w.destroy();
    }
    document.querySelectorAll('[data-charla]').forEach((n) => n.remove());
  };

  const commands: Record<string, (...args: never[]) => unknown> = {
    init: (o: InitOptions) => init(o),
    boot: (o: InitOptions) => init(o),
    identify: (user: UserData) => withWidget((w) => w.identify(user)).catch(fail),
    update: (user: UserData) => withWidget((w) => w.identify(user)).catch(fail),
    track: (name: string, props?: Record<string, unknown>) => withWidget((w) => w.track(name, props)).catch(fail),
    open: () => {
      if (widget) return widget.open();
      wantOpen = true;
      return starting ?? Promise.resolve();
    },
    showNewMessage: (text?: string) => {
      const draft = typeof text === 'string' ? text : undefined;
      if (widget) return widget.open(draft);
      wantOpen = true;
      wantDraft = draft;
      return starting ?? Promise.resolve();
    },
    close: () => {
      if (widget) widget.close();
      else {
        wantOpen = false;
        wantDraft = undefined;
      }
    },
    toggle: () => (widget?.isOpen ? widget.close() : void commands.open()),
    shutdown,
    on: (event: string, cb: Listener) => {
      if (!EVENTS.includes(event) || typeof cb !== 'function') return () => undefined;
      const off = listen(event, cb);
      if (event === 'ready' && widget) cb();
      return off;
    },
    off: (event: string, cb: Listener) => void listeners.get(event)?.delete(cb),
  };

  const api = function Charla(command: string, ...args: unknown[]) {
    const fn = commands[command];
    if (!fn) {
      console.warn(`[charla] unknown command "${String(command)}"`);
      return undefined;
    }
    const r = (fn as (...a: unknown[]) => unknown)(...args);
    // Promise results are also reported through `error`; avoid unhandled rejections for fire-and-forget calls.
    if (r instanceof Promise) r.catch(() => undefined);
    return r;
  } as CharlaApi;

  for (const name of ['init', 'identify', 'track', 'open', 'showNewMessage', 'close', 'toggle', 'shutdown', 'on', 'off'] as const) {
    (api as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => (commands[name] as (...a: unknown[]) => unknown)(...args);
  }
  Object.defineProperties(api, {
    unreadCount: { get: () => widget?.unreadCount ?? 0 },
    isOpen: { get: () => widget?.isOpen ?? false },
    visitorId: { get: () => widget?.visitor?.id },
    loaded: { value: true },
    version: { value: __CHARLA_VERSION__ },
  });
  return api;
}

/**
 * Replays the calls queued by the stub, in order, except that the first `init` (or an
 * automatic one from `data-app-id` when the queue has none) runs first.
 */
export function replayQueue(api: CharlaApi, queue: unknown[][], scriptAppId?: string): void {
  const isInit = (c: unknown[]) => c[0] === 'init' || c[0] === 'boot';
  const initIndex = queue.findIndex(isInit);
  const rest = queue.slice();
  if (initIndex >= 0) {
    const [first] = rest.splice(initIndex, 1);
    api(...(first as [string, ...unknown[]]));
  } else if (scriptAppId) {
    api('init', { appId: scriptAppId });
  }
  for (const call of rest) api(...(call as [string, ...unknown[]]));
}
