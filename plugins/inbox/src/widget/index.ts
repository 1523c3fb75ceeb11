/**
 * The inbox in the chat widget: the visitor's place in the team's queue ("You are next in
 * the queue"), under the messenger's header while no agent has the conversation. It asks
 * `GET /api/v1/widget/inbox/queue/:id` when the conversation shown changes and follows the
 * `inbox:queue` events the router publishes on the conversation's channel. The widget
 * itself knows nothing about the inbox. Built into dist/widget/index.js by
 * tsconfig.widget.json; loaded when the messenger first opens.
 */
import type { WidgetPluginApi, WidgetPluginCleanup } from '@charla/core/widget';

const STRINGS = {
  en: (n: number) => (n === 1 ? 'You are next in the queue' : `You are number ${n} in the queue`),
  es: (n: number) => (n === 1 ? 'Eres el siguiente en la cola' : `Eres el número ${n} en la cola`),
};

export default function setup(api: WidgetPluginApi): WidgetPluginCleanup {
  const text = api.locale === 'es' ? STRINGS.es : STRINGS.en;
  let conversation = api.conversation();
  let position: number | null = null;
  const show = () => api.status(position ? text(position) : null);
  const set = (id: string | null, p: unknown) => {
    if (id !== conversation) return;
    position = typeof p === 'number' && p > 0 ? p : null;
    show();
  };
  const load = async (id: string | null) => {
    set(id, null);
    if (!id) return;
    try {
      const r = await api.request<{ position: number | null }>('GET', `/inbox/queue/${encodeURIComponent(id)}`);
      set(id, r.position);
    } catch {
      /* the next inbox:queue event tells */
    }
  };
  const offs = [
    api.on('conversation', (id) => {
      conversation = id;
      void load(id);
    }),
    api.subscribe<{ conversationId?: string; position?: number | null }>('queue', (d) => set(d?.conversationId ?? null, d?.position)),
  ];
  void load(conversation);
  return () => {
    for (const off of offs) off();
  };
}
