/**
 * @charla/client — the dependency-free browser (and Node) client for Charla.
 * REST with problem+json errors, a realtime connection with reconnect/resubscribe,
 * and conversation catch-up. See README.md.
 */
export { ProblemError, isProblem, type ProblemBody } from './problem-error.js';
export { createHttpClient, type HttpClient, type HttpClientOptions, type HttpMethod } from './http.js';
export { backoffDelay, type BackoffOptions } from './backoff.js';
export { newClientId } from './client-id.js';
export { blockViews, type BlockView } from './blocks.js';
export { Emitter } from './emitter.js';
export {
  RealtimeClient,
  type CloseInfo,
  type ConnectionStatus,
  type RealtimeEvent,
  type RealtimeEvents,
  type RealtimeOptions,
  type WebSocketConstructor,
  type WebSocketLike,
} from './realtime.js';
export { MessageSync, type MessageSyncOptions, type SyncMessage } from './message-sync.js';
export type { Message, SenderType, VisitorConversation } from './types.js';
