/**
 * loader.js — the only file with a stable name (short cache). It installs the command
 * queue when the page has no stub, finds its own <script> to learn where the widget is
 * served from, and imports the content-hashed launcher chunk next to it.
 */
declare const __CHARLA_LAUNCHER__: string;

interface QueueStub {
  (...args: unknown[]): void;
  q: unknown[][];
}

(function (w: Window & { Charla?: unknown; Intercom?: unknown; __charlaLoader?: boolean }, d: Document) {
  if (w.__charlaLoader) return; // loaded twice: the first copy wins
  const script = (d.currentScript as HTMLScriptElement | null) ?? d.querySelector<HTMLScriptElement>('script[src*="/widget/loader.js"]');
  if (!script || !script.src) return;
  w.__charlaLoader = true;
  if (typeof w.Charla !== 'function') {
    const stub = function (...args: unknown[]) {
      stub.q.push(args);
    } as QueueStub;
    stub.q = [];
    w.Charla = stub;
  }
  // Intercom compatibility (data-intercom): queue Intercom(...) calls until the layer is loaded.
  const intercom = script.dataset.intercom !== undefined && script.dataset.intercom !== 'false';
  if (intercom && typeof w.Intercom !== 'function') {
    const ic = function (...args: unknown[]) {
      ic.q.push(args);
    } as QueueStub;
    ic.q = [];
    w.Intercom = ic;
  }
  const base = new URL('.', script.src).href;
  import(/* @vite-ignore */ base + __CHARLA_LAUNCHER__).then(
    (m: { boot: (ctx: { base: string; api: string; appId?: string; locale?: string; intercom?: boolean }) => void }) =>
      m.boot({ base, api: new URL(script.src).origin, appId: script.dataset.appId, locale: script.dataset.locale, intercom }),
    (err: unknown) => {
      w.__charlaLoader = false;
      console.error('[charla] the widget could not be loaded', err);
    },
  );
})(window, document);
