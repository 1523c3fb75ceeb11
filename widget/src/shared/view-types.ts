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
