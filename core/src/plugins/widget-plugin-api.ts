/**
 * The browser side of a plugin's widget contribution (docs/plugins.md "Widget
 * contributions"). Types only: a plugin's `src/widget/` module imports them with
 * `import type { WidgetPluginApi } from '@charla/core'` and has no runtime import of core.
 * The widget (`widget/src/app/plugin-host.ts`) implements them. Self-contained on purpose
 * (no Node or DOM types), so a browser-targeted tsconfig can use them.
 */

/** Widget events a plugin module can listen to. */
export type WidgetPluginEvent = 'ready' | 'open' | 'close' | 'unreadCountChange' | 'message' | 'page' | 'conversation';

/** The page the visitor is on (the `page` event). */
export interface WidgetPage {
  /** `location.href`. */
  url: string;
  /** `document.title` (read just after the navigation settled). */
  title: string;
  /** The previous page: `document.referrer` for the first one, the previous URL after an SPA navigation. */
  referrer: string;
  /** Milliseconds the visitor has been on this page when the callback runs (0 right after a navigation; more for a module that loaded later). */
  since: number;
}

/**
 * What `api.request` rejects with: an Error carrying the route's problem+json answer
 * (`status` 0 and `code: 'network_error'` when the request did not reach the server).
 */
export interface WidgetProblem {
  readonly name: 'ProblemError';
  readonly message: string;
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  /** The whole problem body (extension members too). */
  readonly body: Readonly<Record<string, unknown>>;
}

/** What a panel's `render` gets. */
export interface WidgetPanelContext {
  /** The widget's language. */
  locale: string;
  /** Selects the conversation tab. */
  showConversation(): void;
}

/** A tab of the messenger window, next to the conversation. */
export interface WidgetPanel {
  /** Unique within the plugin (`[a-z0-9-]`, up to 40 characters). */
  id: string;
  /** The tab's label, shown as text: one string, or one per language (`{ en: 'Help', es: 'Ayuda' }`; `en` is the fallback). */
  title: string | Readonly<Record<string, string>>;
  /**
   * Draws the panel into `container` (a `<div>` inside the widget's shadow root, kept
   * while the widget runs). Called each time the tab is selected and each time the
   * messenger opens on it. Build nodes with `textContent`; HTML from your server only
   * once sanitized there.
   */
  render(container: WidgetPanelElement, ctx: WidgetPanelContext): void;
}

/** What a block renderer gets besides the block. */
export interface WidgetBlockContext {
  /** The widget's language. */
  locale: string;
  /** The message the block belongs to. */
  messageId: string;
  /** Presses one of the block's buttons (`buttons: [{id, label}]`): the postback of "Message blocks". */
  press(buttonId: string): void;
}

/** The handle `api.panel()` returns. */
export interface WidgetPanelHandle {
  /** Opens the messenger on this tab (and draws it). */
  show(): void;
  /** Removes the tab. */
  remove(): void;
}

/** One suggestion above the composer (`api.suggest`). Strings are shown as text. */
export interface WidgetSuggestion {
  id: string;
  title: string;
  description?: string;
  /** The visitor chose it. The suggestions are cleared first. */
  onSelect(): void;
}

/** The least of an element, for tsconfigs without the DOM types. */
export interface HTMLElementLike {
  append(...nodes: unknown[]): void;
  replaceChildren(...nodes: unknown[]): void;
}

/**
 * The panel's container: `HTMLElement` when the module compiles with the DOM types (a
 * browser tsconfig), `HTMLElementLike` otherwise (this entry does not need the DOM types).
 */
export type WidgetPanelElement = typeof globalThis extends { HTMLElement: { prototype: infer E } } ? E : HTMLElementLike;

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
  /** The page at start (the module's first callback) and after each SPA navigation. */
  page: WidgetPage;
  /** The conversation the messenger shows changed (its id; null: none yet). */
  conversation: string | null;
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
  /**
   * Calls one of the plugin's widget routes as this visitor: `path` is relative to
   * `/api/v1/widget` (`'/kb/search?q=x'` → `GET /api/v1/widget/kb/search?q=x`), the body
   * goes as JSON, the answer comes back parsed (`undefined` for an empty one). A 4xx/5xx
   * rejects with the problem (`WidgetProblem`), and so does a network failure (status 0).
   * A path that is not a plain relative path (`//x`, `..`, a full URL) rejects with a TypeError.
   */
  request<T = unknown>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T>;
  /** Adds (or replaces, same `id`) a tab in the messenger window. */
  panel(panel: WidgetPanel): WidgetPanelHandle;
  /**
   * Listens to what the visitor types in the composer: called 250 ms after the last
   * keystroke with the text, and with `''` right away when the box empties or the message
   * is sent. Returns the remover.
   */
  onCompose(callback: (text: string) => void): () => void;
  /** Shows this plugin's suggestions above the composer (replacing its previous ones; `[]` clears). Cleared when the text empties or a message is sent. At most 5 are shown. */
  suggest(items: WidgetSuggestion[]): void;
  /** Milliseconds the visitor has been on the current page (since the last SPA navigation). */
  timeOnPage(): number;
  /** The id of the conversation the messenger shows, or null (no conversation yet). Changes come as the `conversation` event. */
  conversation(): string | null;
  /**
   * Listens to this plugin's realtime events: what its server part publishes with
   * `ctx.events.publish('conversation:<id>', '<plugin>:<name>', data, 'visitors' | 'all')`
   * (or to `visitor:<id>`), for the visitor's current conversation. `name` is without the
   * `<plugin>:` prefix (`subscribe('queue', …)` hears `inbox:queue`); another plugin's
   * events never arrive. Returns the remover.
   */
  subscribe<T = unknown>(name: string, callback: (data: T) => void): () => void;
  /**
   * Draws this plugin's own message blocks (a type it declares in `blocks`) instead of the
   * widget's text fallback: `render(block, container, ctx)` runs once per block shown, with
   * the block's JSON (checked against your schema when stored) and an empty element inside
   * the widget's shadow root. A type of another plugin is refused (console.warn).
   */
  renderBlock(type: string, render: (block: Readonly<Record<string, unknown>>, container: WidgetPanelElement, ctx: WidgetBlockContext) => void): void;
  /** This plugin's line under the messenger's header, as text (at most 200 characters), shown while no agent is connected; `null` removes it. */
  status(text: string | null): void;
}

/** Returned by a module's setup function: called on `Charla('shutdown')`. */
export type WidgetPluginCleanup = () => void;

/** The default export of a plugin's widget module. */
export type WidgetPluginSetup = (api: WidgetPluginApi) => void | WidgetPluginCleanup | Promise<void | WidgetPluginCleanup>;

/** The shape of a plugin's widget module (`export default function (api) { … }`). */
export interface WidgetPluginModule {
  default: WidgetPluginSetup;
}
