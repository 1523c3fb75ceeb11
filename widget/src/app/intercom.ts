/**
 * Intercom compatibility (opt-in: `data-intercom` on the loader's script tag): answers
 * `window.Intercom(...)` and `window.intercomSettings` with the Charla SDK, so a site
 * leaving Intercom changes one line. A lazy chunk of its own: sites that do not opt in
 * never download it.
 */
import type { CharlaApi } from './sdk.js';

type Settings = Record<string, unknown>;
type Listener = (payload?: unknown) => void;
interface IntercomStub {
  (...args: unknown[]): unknown;
  q?: ArrayLike<unknown>[];
}

/** Intercom settings that configure its messenger, not the user: never sent as attributes. */
const NOT_ATTRIBUTES = new Set([
  'app_id', 'api_base', 'user_id', 'email', 'name', 'user_hash', 'hide_default_launcher', 'alignment', 'horizontal_padding',
  'vertical_padding', 'custom_launcher_selector', 'action_color', 'background_color', 'language_override', 'session_duration', 'z_index',
]);

/** Intercom's user fields → Charla's identify (`user_id` → externalId; other scalar keys → attributes). */
export function userFrom(settings: Settings): Record<string, unknown> | null {
  const user: Record<string, unknown> = {};
  if (typeof settings.user_id === 'string' || typeof settings.user_id === 'number') user.externalId = String(settings.user_id);
  if (typeof settings.email === 'string') user.email = settings.email;
  if (typeof settings.name === 'string') user.name = settings.name;
  if (typeof settings.user_hash === 'string') user.userHash = settings.user_hash;
  const attributes: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(settings)) {
    if (NOT_ATTRIBUTES.has(k) || v === undefined) continue;
    if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) attributes[k] = v;
  }
  if (Object.keys(attributes).length) user.attributes = attributes;
  return Object.keys(user).length ? user : null;
}

export function installIntercom(charla: CharlaApi, scriptAppId: string | undefined, getVisitorId: () => string | undefined): void {
  const w = window as unknown as { Intercom?: IntercomStub; intercomSettings?: Settings };
  const queued = w.Intercom && Array.isArray(w.Intercom.q) ? w.Intercom.q.map((a) => Array.from(a)) : [];
  let booted = false;

  const update = (settings: Settings | undefined) => {
    const user = settings && userFrom(settings);
    if (user) void charla('identify', user);
  };
  const boot = (settings: Settings | undefined) => {
    const s = { ...(w.intercomSettings ?? {}), ...(settings ?? {}) };
    const appId = typeof s.app_id === 'string' ? s.app_id : scriptAppId;
    if (!appId) return console.warn('[charla] Intercom("boot") needs app_id (your Charla appId)');
    booted = true;
    void charla('init', { appId });
    update(s);
  };
  const on = (event: string, cb: unknown) => typeof cb === 'function' && void charla('on', event, cb as Listener);

  const commands: Record<string, (...args: unknown[]) => unknown> = {
    boot: (s) => boot(s as Settings),
    update: (s) => (booted ? update(s as Settings) : boot(s as Settings)),
    show: () => void charla('open'),
    showMessages: () => void charla('open'),
    showNewMessage: (text) => void charla('showNewMessage', typeof text === 'string' ? text : undefined),
    hide: () => void charla('close'),
    trackEvent: (name, metadata) => typeof name === 'string' && void charla('track', name, (metadata ?? undefined) as Settings | undefined),
    shutdown: () => {
      booted = false;
      charla('shutdown');
    },
    onShow: (cb) => on('open', cb),
    onHide: (cb) => on('close', cb),
    onUnreadCountChange: (cb) => on('unreadCountChange', cb),
    getVisitorId: () => getVisitorId(),
  };
  const Intercom = function Intercom(command: unknown, ...args: unknown[]) {
    const fn = typeof command === 'string' ? commands[command] : undefined;
    if (!fn) {
      console.warn(`[charla] Intercom("${String(command)}") is not supported`);
      return undefined;
    }
    return fn(...args);
  } as IntercomStub;
  w.Intercom = Intercom;

  // Intercom's snippet boots from window.intercomSettings on load; so does this.
  if (w.intercomSettings && !queued.some((c) => c[0] === 'boot')) boot(undefined);
  for (const call of queued) Intercom(...call);
}
