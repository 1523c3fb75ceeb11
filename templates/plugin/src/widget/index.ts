/**
 * __Name__'s widget module: it runs inside the chat widget, on your customers' pages, for
 * the accounts where the plugin is on. Built into dist/widget/index.js (a self-contained
 * ES module: only type imports, which disappear) and declared in src/server/index.ts
 * (`widget: { script, data }`). See docs/plugins.md "Widget contributions".
 *
 * This one shows a notice above the chat bubble with the text the server part sends
 * (`widget.data`, from the plugin's settings); its button records an event and opens the
 * chat. It keeps out of the way once the team has written to the visitor.
 */
import type { WidgetPluginApi, WidgetPluginCleanup } from '@charla/core/widget';

/** What `widget.data()` in src/server/index.ts returns: public values only, never secrets. */
interface __Name__WidgetData {
  text?: string;
}

export default function setup(api: WidgetPluginApi): WidgetPluginCleanup {
  const { text } = api.data as __Name__WidgetData;
  if (text) {
    api.notice({
      text, // shown as text, never as HTML
      actionLabel: api.locale === 'es' ? 'Escríbenos' : 'Chat with us',
      onAction: () => {
        // Reaches the server as the `event.tracked` event (name it after your plugin).
        void api.track('__NAME__.notice-clicked', { from: 'notice' });
        api.open();
      },
    });
  }
  const off = api.on('unreadCountChange', (count) => {
    if (count > 0) api.clearNotice();
  });
  return off; // called on Charla('shutdown')
}
