/**
 * The browser side of a plugin's widget contribution (docs/plugins.md "Widget
 * contributions"). Types only: a plugin's `src/widget/` module imports them with
 * `import type { WidgetPluginApi } from '@charla/core'` and has no runtime import of core.
 * The widget (`widget/src/app/plugin-host.ts`) implements them. Self-contained on purpose
 * (no Node or DOM types), so a browser-targeted tsconfig can use them.
 */

/** Widget events a plugin module can listen to. */
export type WidgetPluginEvent = 'ready' | 'open' | 'close' | 'unreadCountChange' | 'message';

/** A new public message in one of the visitor's conversations (sent or received). */
export interface WidgetPluginMessage {
  id: string;
  conversationId: string;
  senderType: 'visitor' | 'agent' | 'bot' | 'system';
  /** Plain text; show it as text, never as HTML. */
  content: string;
  createdAt: string;
}

/** What each event's callback receives. */
export interface WidgetPluginEventPayloads {
  /** The widget is up (already true when the module starts: the callback runs at once). */
  ready: undefined;
  /** The messenger window opened. */
  open: undefined;
  /** The messenger window closed. */
  close: undefined;
  /** The visitor's total unread count changed. */
  unreadCountChange: number;
  /** A new message arrived or was sent (not the history loaded on open). */
  message: WidgetPluginMessage;
}

/** A small card above the launcher bubble. Its strings are shown as text, never HTML. */
export interface WidgetNotice {
  /** The card's text (at most 300 characters are shown). */
  text: string;
  /** Label of the card's action button; no button without it. */
  actionLabel?: string;
  /** Called when the visitor presses the action button; the card then closes. */
  onAction?: () => void;
  /** Called when the visitor dismisses the card with its close button. */
  onDismiss?: () => void;
}

/**
 * The object a plugin's widget module receives. Every method is safe to call after the
 * widget shut down (it does nothing then).
 */
export interface WidgetPluginApi {
  /** The plugin's name (as in `definePlugin({ name })`). */
  readonly name: string;
  /** What the plugin's server-side `widget.data(ctx, visitor)` returned for this visitor (JSON). */
  readonly data: Readonly<Record<string, unknown>>;
  /** The widget's language, e.g. `'en'` or `'es'`. */
  readonly locale: string;
  /** Listens to a widget event; returns a function that removes the listener. */
  on<E extends WidgetPluginEvent>(event: E, callback: (payload: WidgetPluginEventPayloads[E]) => void): () => void;
  off<E extends WidgetPluginEvent>(event: E, callback: (payload: WidgetPluginEventPayloads[E]) => void): void;
  /** Opens the messenger window. */
  open(): void;
  /** Closes the messenger window. */
  close(): void;
  /** Records an event for this visitor (`POST /api/v1/widget/track`; the server emits `event.tracked`). */
  track(name: string, properties?: Record<string, unknown>): Promise<void>;
  /** Shows (or replaces) this plugin's notice card above the launcher. */
  notice(notice: WidgetNotice): void;
  /** Removes this plugin's notice card. */
  clearNotice(): void;
}

/** Returned by a module's setup function: called on `Charla('shutdown')`. */
export type WidgetPluginCleanup = () => void;

/** The default export of a plugin's widget module. */
export type WidgetPluginSetup = (api: WidgetPluginApi) => void | WidgetPluginCleanup | Promise<void | WidgetPluginCleanup>;

/** The shape of a plugin's widget module (`export default function (api) { … }`). */
export interface WidgetPluginModule {
  default: WidgetPluginSetup;
}
