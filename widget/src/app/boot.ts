/**
 * The launcher chunk (`launcher.<hash>.js`), imported by loader.js: replaces the queue
 * stub with the real `window.Charla`, replays the queued calls and auto-inits from
 * `data-app-id`. The messenger chunk is imported on demand.
 */
import { createSdk, replayQueue, type BootContext, type CharlaApi } from './sdk.js';

export function boot(ctx: BootContext): void {
  const w = window as unknown as { Charla?: unknown };
  const current = w.Charla as { q?: unknown; loaded?: boolean } | undefined;
  if (current && (current as CharlaApi).loaded === true) return;
  const queue = current && Array.isArray(current.q) ? (current.q as ArrayLike<unknown>[]).map((args) => Array.from(args)) : [];
  const api = createSdk(ctx, () => import('../messenger/messenger.js'));
  w.Charla = api;
  // With the Intercom layer, Intercom('boot') (or intercomSettings) starts the widget, not data-app-id.
  replayQueue(api, queue, ctx.intercom ? undefined : ctx.appId);
  if (ctx.intercom) {
    import('./intercom.js').then(
      (m) => m.installIntercom(api, ctx.appId, () => api.visitorId),
      (err: unknown) => console.error('[charla] the Intercom layer could not be loaded', err),
    );
  }
}
