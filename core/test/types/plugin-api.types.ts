// Type tests of the plugin API: this file must compile, and every line marked with an
// expect-error directive must really be an error (tsc fails on an unused directive).
import { definePlugin, type EventMap, type HookMap } from '@charla/core';
import type { WidgetPluginApi, WidgetPluginModule, WidgetPluginSetup } from '@charla/core/widget';
import '@charla/plugin-conversations';

declare module '@charla/core' {
  interface EventMap {
    'typetest.waved': { accountId: string; times: number };
  }
}

definePlugin({
  name: 'typetest',
  version: '1.0.0',
  events: {
    'site.created': (p) => {
      const id: string = p.siteId;
      void id;
    },
    'typetest.waved': (p) => {
      const n: number = p.times;
      void n;
    },
    'message.created': (p) => {
      const s: 'visitor' | 'agent' | 'bot' | 'system' = p.senderType;
      void s;
    },
  },
  hooks: {
    'message:beforeCreate': (p) => ({ ...p, content: p.content.trim() }),
  },
});

definePlugin({
  name: 'typetest-wrong-event-payload',
  version: '1.0.0',
  events: {
    // @ts-expect-error — site.created has no `conversationId`
    'site.created': (p: { conversationId: string }) => void p,
  },
});

definePlugin({
  name: 'typetest-wrong-hook-return',
  version: '1.0.0',
  hooks: {
    // @ts-expect-error — a hook returns its payload type (or nothing), not a number
    'message:beforeCreate': () => 42,
  },
});

definePlugin({
  name: 'typetest-unknown-event',
  version: '1.0.0',
  events: {
    // @ts-expect-error — no such event
    'site.exploded': () => undefined,
  },
});

// @ts-expect-error — payloads are checked where events are emitted too
const wrong: EventMap['typetest.waved'] = { accountId: 'a', times: 'twice' };
void wrong;
const hookPayload: HookMap['widget:init'] = { accountId: 'a', siteId: 's', visitorId: 'v', extra: {} };
void hookPayload;

// Widget contributions: the server-side declaration and the browser-side API are typed.
definePlugin({
  name: 'typetest-widget',
  version: '1.0.0',
  widget: {
    script: new URL('./widget.js', import.meta.url),
    data: async (ctx, visitor) => ({ who: visitor.visitorId, site: visitor.siteId, on: await ctx.enabledFor(visitor.accountId) }),
  },
});

definePlugin({
  name: 'typetest-widget-bad-data',
  version: '1.0.0',
  // @ts-expect-error — data returns an object (JSON for the browser), not a string
  widget: { script: '/abs/widget.js', data: () => 'text' },
});

export const widgetSetup: WidgetPluginSetup = (api: WidgetPluginApi) => {
  const off = api.on('unreadCountChange', (n) => {
    const count: number = n;
    void count;
  });
  api.on('message', (m) => {
    const who: 'visitor' | 'agent' | 'bot' | 'system' = m.senderType;
    void who;
  });
  // @ts-expect-error — unreadCountChange gives a number
  api.on('unreadCountChange', (n: string) => void n);
  // @ts-expect-error — no such widget event
  api.on('exploded', () => undefined);
  // @ts-expect-error — a notice needs its text
  api.notice({ actionLabel: 'Go' });
  api.notice({ text: 'Hi', actionLabel: 'Go', onAction: () => void api.track('typetest.go', { from: 'notice' }) });
  return off;
};
export const widgetModule: WidgetPluginModule = { default: widgetSetup };
