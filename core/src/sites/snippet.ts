/** The HTML a site owner pastes: a stub that queues Charla(...) calls, then the async loader. */
export function widgetSnippet(publicUrl: string, appId: string): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return [
    '<script>(function(w){if(w.Charla)return;var c=function(){c.q.push(arguments)};c.q=[];w.Charla=c})(window);</script>',
    `<script src="${esc(publicUrl)}/widget/loader.js" data-app-id="${esc(appId)}" async></script>`,
  ].join('\n');
}
