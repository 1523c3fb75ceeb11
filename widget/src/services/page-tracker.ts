/**
 * Reports page views: once at start and after each SPA navigation (history.pushState /
 * replaceState / popstate / hashchange), debounced and de-duplicated by URL.
 */
export function trackPages(report: (page: { url: string; title: string }) => void, delayMs = 300): () => void {
  let lastUrl = '';
  let timer: ReturnType<typeof setTimeout> | undefined;
  let active = true;
  const check = () => {
    if (!active) return;
    const url = location.href;
    if (url === lastUrl) return;
    lastUrl = url;
    report({ url, title: document.title });
  };
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(check, delayMs); // let the SPA update document.title first
  };
  const h = history;
  const origPush = h.pushState;
  const origReplace = h.replaceState;
  const patchedPush: typeof h.pushState = function (this: History, ...args) {
    const r = origPush.apply(this, args);
    schedule();
    return r;
  };
  const patchedReplace: typeof h.replaceState = function (this: History, ...args) {
    const r = origReplace.apply(this, args);
    schedule();
    return r;
  };
  h.pushState = patchedPush;
  h.replaceState = patchedReplace;
  addEventListener('popstate', schedule);
  addEventListener('hashchange', schedule);
  check();
  return () => {
    active = false;
    clearTimeout(timer);
    // Restore only if nobody wrapped them after us; otherwise our wrappers stay inert.
    if (h.pushState === patchedPush) h.pushState = origPush;
    if (h.replaceState === patchedReplace) h.replaceState = origReplace;
    removeEventListener('popstate', schedule);
    removeEventListener('hashchange', schedule);
  };
}
