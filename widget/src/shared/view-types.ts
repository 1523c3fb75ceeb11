/** What the messenger component shows; the controller builds these from the API data. */
export type DeliveryState = 'sending' | 'sent' | 'seen' | 'failed';

export interface ViewMessage {
  /** Stable key: the message id, or the clientId while sending. */
  key: string;
  content: string;
  /** Sent by this visitor. */
  mine: boolean;
  senderType: 'visitor' | 'agent' | 'bot' | 'system';
  /** Display name of the agent/bot, when known. */
  author?: string;
  createdAt: string;
  /** Only for the visitor's own messages. */
  state?: DeliveryState;
  /** The message's metadata; the messenger shows its `blocks` (`blockViews` of @charla/client), in the lazy chunk. */
  metadata?: Record<string, unknown> | null;
}

export interface AgentView {
  id: string;
  name: string;
}

/** A plugin's tab in the messenger window (`api.panel`, built by the plugin host). */
export interface PanelView {
  /** `<plugin>:<id>`: stable, the tab's and the pane's key. */
  key: string;
  /** Shown as text. */
  title: string;
  /** Draws the pane (guarded by the plugin host). */
  render(container: HTMLElement): void;
}

/** A plugin's suggestion above the composer (`api.suggest`). Strings are shown as text. */
export interface SuggestionView {
  key: string;
  title: string;
  description?: string;
  select(): void;
}

/** A plugin's renderer of its own block type (`api.renderBlock`, guarded by the plugin host). */
export type BlockRenderer = (block: Record<string, unknown>, container: HTMLElement, ctx: { messageId: string; press(buttonId: string): void }) => void;
