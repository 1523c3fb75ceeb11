import {
  MessageSync,
  RealtimeClient,
  isProblem,
  newClientId,
  type ConnectionStatus,
  type HttpMethod,
  type Message,
  type RealtimeEvent,
  type VisitorConversation,
} from '@charla/client';
import type { MessengerElement } from '../messenger/messenger-element.js';
import { resolveLocale, stringsFor, type Locale, type Strings } from '../shared/i18n.js';
import type { AgentView, ViewMessage } from '../shared/view-types.js';
import { trackPages } from '../services/page-tracker.js';
import { TokenStore } from '../services/token-store.js';
import { WidgetApi, type InitResponse, type SiteInfo, type UserData, type VisitorInfo } from '../services/widget-api.js';
import { LauncherView } from '../ui/launcher.js';
import { safeUrl, themeFrom } from '../ui/theme.js';

export type WidgetEvent = 'ready' | 'open' | 'close' | 'unreadCountChange' | 'error' | 'message' | 'page' | 'conversation' | 'realtime';

export interface WidgetOptions {
  /** Origin of the Charla server (the loader's own origin). */
  api: string;
  appId: string;
  locale?: string;
  emit: (event: WidgetEvent, payload?: unknown) => void;
  loadMessenger: () => Promise<{ createMessenger: (parent: HTMLElement) => MessengerElement }>;
}

interface Pending {
  clientId: string;
  content: string;
  createdAt: string;
  state: 'sending' | 'failed';
  conversationId: string | null;
}

const PAGE = 100;
const TYPING_THROTTLE_MS = 3000;
const TYPING_IDLE_MS = 4000;
const TYPING_EXPIRE_MS = 10_000;

/** One running widget for one site and visitor: the controller between the API and the views. */
export class Widget {
  readonly #o: WidgetOptions;
  readonly #api: WidgetApi;
  readonly #tokens: TokenStore;
  readonly #locale: Locale;
  readonly #strings: Strings;
  #rt!: RealtimeClient;
  #sync!: MessageSync<Message>;
  #launcher?: LauncherView;
  #messenger?: MessengerElement;
  #messengerLoad?: Promise<MessengerElement | undefined>;

  #visitor!: VisitorInfo;
  #site!: SiteInfo;
  /** "Powered by Charla" (off when the account's plan removes the branding). */
  #poweredBy = true;
  #conversations = new Map<string, VisitorConversation>();
  #activeId: string | null = null;
  #messages = new Map<string, Map<string, Message>>();
  #historyLoaded = new Set<string>();
  #historyLoading = false;
  #pending = new Map<string, Pending>();
  #unread = new Map<string, number>();
  #lastUnreadTotal = 0;
  #readUpTo = new Map<string, number>();
  #readSent = new Map<string, string>();
  #open = false;
  #agents: AgentView[] = [];
  #typing: { userId: string | null; timer: ReturnType<typeof setTimeout> } | null = null;
  #connection: ConnectionStatus = 'connecting';
  #emailSaved: string | null = null;
  #visitorChannelOff?: () => void;
  #conversationChannel?: { id: string; off: () => void };
  #typingSentAt = 0;
  #typingIdle?: ReturnType<typeof setTimeout>;
  #identifying: Promise<unknown> | null = null;
  #lastRecovery = 0;
  #cleanups: Array<() => void> = [];
  #destroyed = false;
  /** The plugins' widget modules from the first init (loaded once per widget). */
  plugins: unknown = [];
  /** The page the visitor is on (the plugins' `page` event), and since when (ms epoch). */
  page = { url: '', title: '', referrer: '' };
  pageAt = 0;

  constructor(options: WidgetOptions) {
    this.#o = options;
    this.#tokens = new TokenStore(options.appId);
    this.#api = new WidgetApi(options.api, () => this.#tokens.get());
    this.#locale = resolveLocale(options.locale, typeof navigator === 'undefined' ? null : navigator.languages ?? navigator.language);
    this.#strings = stringsFor(this.#locale);
  }

  get isOpen(): boolean {
    return this.#open;
  }

  /** The conversation the messenger shows (null before the first message). */
  get conversationId(): string | null {
    return this.#activeId;
  }

  get unreadCount(): number {
    let n = 0;
    for (const v of this.#unread.values()) n += v;
    return n;
  }

  get visitor(): VisitorInfo | undefined {
    return this.#visitor;
  }

  get locale(): Locale {
    return this.#locale;
  }

  get strings(): Strings {
    return this.#strings;
  }

  /** The launcher's shadow root (the plugins' notice cards go there). */
  get shadowRoot(): ShadowRoot | undefined {
    return this.#launcher?.root;
  }

  /** Boots: init (resuming the stored visitor), bubble, socket, page tracking. */
  async start(): Promise<void> {
    const res = await this.#init();
    if (this.#destroyed) return;
    this.#applyInit(res);
    this.plugins = res.plugins;

    this.#launcher = new LauncherView({
      position: this.#site.widget?.position === 'left' ? 'left' : 'right',
      theme: themeFrom(this.#site.widget),
      strings: this.#strings,
      onToggle: () => (this.#open ? this.close() : void this.open()),
      onIntent: () => void this.#ensureMessenger(),
    });

    this.#rt = new RealtimeClient({
      url: () => `${this.#o.api}/api/v1/realtime?token=${encodeURIComponent(this.#tokens.get() ?? '')}`,
      verify: () => this.#api.conversations().then(
        () => true,
        (e) => !(isProblem(e, 401) || isProblem(e, 403)),
      ),
    });
    this.#sync = new MessageSync<Message>({
      realtime: this.#rt,
      autoWatch: true,
      pageSize: PAGE,
      fetchAfter: (id, after, limit) => this.#api.messages(id, after, limit),
      onMessages: (id, ms) => this.#onMessages(id, ms),
    });
    for (const c of this.#conversations.values()) this.#sync.watch(c.id, c.lastMessage ? { id: c.lastMessage.id, seq: c.lastMessage.seq } : null);
    this.#cleanups.push(
      this.#rt.on('status', (s) => {
        this.#connection = s;
        this.#render();
      }),
      this.#rt.on('event', (ev) => this.#onEvent(ev)),
      this.#rt.on('ready', ({ reconnected }) => {
        if (reconnected) void this.#refreshConversations();
      }),
      this.#rt.on('closed', (info) => {
        if (info.fatal) void this.#recoverAuth();
      }),
    );
    this.#visitorChannelOff = this.#rt.subscribe(`visitor:${this.#visitor.id}`);
    // Availability (agents online, office hours) changes while the page is open: `site:availability`.
    if (this.#site.id) this.#rt.subscribe(`site:${this.#site.id}`);
    this.#rt.connect();

    const onVisible = () => document.visibilityState === 'visible' && this.#markRead();
    document.addEventListener('visibilitychange', onVisible);
    this.#cleanups.push(() => document.removeEventListener('visibilitychange', onVisible));
    this.#cleanups.push(
      trackPages((p) => {
        this.page = { ...p, referrer: this.page.url || document.referrer };
        this.pageAt = Date.now();
        this.#o.emit('page', this.page);
        void this.#api.page(p).catch(() => undefined);
      }),
    );
    this.#render();
  }

  /** Opens the messenger; `draft` (showNewMessage) goes into the composer. */
  async open(draft?: string): Promise<void> {
    if (this.#destroyed || !this.#launcher) return;
    if (!this.#open) {
      this.#open = true;
      this.#launcher.setOpen(true);
      this.#o.emit('open');
    }
    const el = await this.#ensureMessenger();
    if (!el || !this.#open) return;
    this.#render();
    if (typeof draft === 'string' && draft) await el.setDraft(draft);
    void el.focusComposer();
    if (this.#activeId) await this.#loadHistory(this.#activeId);
    this.#watchActiveChannel();
    this.#markRead();
  }

  close(): void {
    if (!this.#open || !this.#launcher) return;
    this.#open = false;
    const hadFocus = this.#launcher.hasFocus();
    this.#launcher.setOpen(false);
    this.#sendTyping(false);
    if (hadFocus) this.#launcher.focus();
    this.#o.emit('close');
    this.#render();
  }

  /** Identifies the visitor (API.md identify); the new token replaces the old one everywhere. */
  identify(user: UserData): Promise<VisitorInfo> {
    const run = (async () => {
      const res = await this.#api.identify(user);
      if (this.#destroyed) return res.visitor;
      this.#tokens.set(res.visitorToken);
      const changed = res.visitor.id !== this.#visitor.id;
      this.#visitor = res.visitor;
      if (changed) {
        this.#visitorChannelOff?.();
        this.#visitorChannelOff = this.#rt.subscribe(`visitor:${res.visitor.id}`);
        this.#resetConversations(await this.#api.conversations());
      }
      this.#rt.reconnect();
      this.#render();
      return res.visitor;
    })();
    // Only a marker for #recoverAuth: it must not reject on its own (an unhandled
    // rejection is a page error even when the caller catches `run`).
    this.#identifying = run.then(() => undefined, () => undefined).finally(() => {
      this.#identifying = null;
    });
    return run;
  }

  track(name: string, properties?: Record<string, unknown>): Promise<unknown> {
    return this.#api.track(name, properties);
  }

  /** A plugin's widget route, as this visitor (`path` on the server, under /api/v1/widget/: checked by the plugin host). */
  request<T>(method: HttpMethod, path: string, body?: unknown): Promise<T> {
    return this.#api.http.request<T>(method, path, body);
  }

  /** The messenger element (loading its chunk on first use); undefined once destroyed. */
  messenger(): Promise<MessengerElement | undefined> {
    return this.#ensureMessenger();
  }

  /** Stops everything and removes every node the widget injected. */
  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#rt?.close();
    this.#sync?.dispose();
    for (const c of this.#cleanups) c();
    this.#cleanups = [];
    clearTimeout(this.#typingIdle);
    if (this.#typing) clearTimeout(this.#typing.timer);
    this.#launcher?.destroy();
    this.#messenger = undefined;
  }

  /** Forgets the visitor token (shutdown). */
  forgetVisitor(): void {
    this.#tokens.clear();
  }

  // ---------------------------------------------------------------- boot

  async #init(): Promise<InitResponse> {
    const token = this.#tokens.get();
    const body = { appId: this.#o.appId, locale: this.#locale };
    try {
      return await this.#api.init(token ? { ...body, visitorToken: token } : body);
    } catch (e) {
      // A stale or revoked token: start over as a new visitor.
      if (token && (isProblem(e, 401) || isProblem(e, 403))) {
        this.#tokens.clear();
        return this.#api.init(body);
      }
      throw e;
    }
  }

  #applyInit(res: InitResponse): void {
    this.#tokens.set(res.visitorToken);
    this.#visitor = res.visitor;
    this.#site = res.site;
    this.#poweredBy = res.extensions?.branding?.poweredBy !== false;
    this.#resetConversations(res.conversations ?? []);
  }

  #resetConversations(list: VisitorConversation[]): void {
    this.#conversations = new Map(list.map((c) => [c.id, c]));
    this.#unread = new Map(list.map((c) => [c.id, Math.max(0, Number(c.unreadCount) || 0)]));
    const latest = [...list].sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : -1))[0];
    if (latest && latest.id !== this.#activeId) this.#setActive(latest.id);
    else if (!latest) this.#setActive(null);
    for (const c of list) this.#sync?.watch(c.id, c.lastMessage ? { id: c.lastMessage.id, seq: c.lastMessage.seq } : null);
    this.#emitUnread();
  }

  async #refreshConversations(): Promise<void> {
    try {
      const list = await this.#api.conversations();
      for (const c of list) {
        const known = this.#conversations.has(c.id);
        this.#conversations.set(c.id, c);
        if (!known) {
          this.#sync.watch(c.id, null);
          void this.#sync.catchUp(c.id);
        }
      }
      this.#render();
    } catch {
      /* next reconnect tries again */
    }
  }

  /** The socket was closed as unauthorized: after an identify, reconnect with the new token; if the token is dead, start a new visitor. */
  async #recoverAuth(): Promise<void> {
    if (this.#destroyed) return;
    if (this.#identifying) await this.#identifying.catch(() => undefined);
    if (Date.now() - this.#lastRecovery < 10_000) return;
    this.#lastRecovery = Date.now();
    try {
      await this.#api.conversations();
      this.#rt.connect();
    } catch (e) {
      if (!(isProblem(e, 401) || isProblem(e, 403))) {
        setTimeout(() => !this.#destroyed && this.#rt.connect(), 5000);
        return;
      }
      this.#tokens.clear();
      try {
        const res = await this.#init();
        if (this.#destroyed) return;
        this.#applyInit(res);
        this.#visitorChannelOff?.();
        this.#visitorChannelOff = this.#rt.subscribe(`visitor:${this.#visitor.id}`);
        this.#rt.connect();
        this.#render();
      } catch (err) {
        this.#o.emit('error', err);
      }
    }
  }

  // ---------------------------------------------------------------- messenger

  #ensureMessenger(): Promise<MessengerElement | undefined> {
    if (!this.#messengerLoad) {
      this.#messengerLoad = this.#o.loadMessenger().then(
        (m) => {
          if (this.#destroyed || !this.#launcher) return undefined;
          const el = m.createMessenger(this.#launcher.panel);
          el.addEventListener('charlaSend', (e) => void this.send((e as CustomEvent<{ content: string }>).detail.content));
          el.addEventListener('charlaRetry', (e) => void this.#post((e as CustomEvent<{ key: string }>).detail.key));
          el.addEventListener('charlaTyping', (e) => this.#onLocalTyping((e as CustomEvent<{ typing: boolean }>).detail.typing));
          el.addEventListener('charlaClose', () => this.close());
          el.addEventListener('charlaPostback', (e) => void this.#postback((e as CustomEvent<{ key: string; buttonId: string }>).detail));
          el.addEventListener('charlaEmail', (e) => void this.#saveEmail((e as CustomEvent<{ email: string }>).detail.email));
          this.#messenger = el;
          this.#render();
          return el;
        },
        (err: unknown) => {
          this.#messengerLoad = undefined;
          this.#o.emit('error', err);
          return undefined;
        },
      );
    }
    return this.#messengerLoad;
  }

  async #loadHistory(conversationId: string): Promise<void> {
    if (this.#historyLoaded.has(conversationId) || this.#historyLoading) return;
    this.#historyLoading = true;
    this.#render();
    try {
      const all: Message[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await this.#api.messages(conversationId, after, PAGE);
        all.push(...page);
        if (page.length < PAGE) break;
        after = page[page.length - 1].id;
      }
      const map = this.#bucket(conversationId);
      for (const m of all) if (!m.private) map.set(m.id, m);
      this.#historyLoaded.add(conversationId);
      const last = all[all.length - 1];
      if (last) this.#sync.watch(conversationId, { id: last.id, seq: last.seq });
    } catch (e) {
      this.#o.emit('error', e);
    } finally {
      this.#historyLoading = false;
      this.#render();
    }
  }

  #setActive(id: string | null): void {
    if (id === this.#activeId) return;
    this.#activeId = id;
    this.#agents = [];
    this.#o.emit('conversation', id);
    if (this.#typing) clearTimeout(this.#typing.timer);
    this.#typing = null;
    if (this.#messenger) {
      this.#watchActiveChannel();
      if (id) void this.#loadHistory(id).then(() => this.#markRead());
    }
  }

  /** Typing, presence and read receipts come on the conversation channel. */
  #watchActiveChannel(): void {
    if (!this.#rt) return;
    const id = this.#activeId;
    if (this.#conversationChannel?.id === id) return;
    this.#conversationChannel?.off();
    this.#conversationChannel = id ? { id, off: this.#rt.subscribe(`conversation:${id}`) } : undefined;
  }

  // ---------------------------------------------------------------- messages

  #bucket(conversationId: string): Map<string, Message> {
    let m = this.#messages.get(conversationId);
    if (!m) this.#messages.set(conversationId, (m = new Map()));
    return m;
  }

  #onMessages(conversationId: string, list: Message[]): void {
    const map = this.#bucket(conversationId);
    let newest: Message | undefined;
    for (const m of list) {
      if (m.private) continue;
      const seen = map.has(m.id);
      map.set(m.id, m);
      if (m.clientId) this.#pending.delete(m.clientId);
      if (!newest || m.seq > newest.seq) newest = m;
      if (seen) continue;
      this.#o.emit('message', { id: m.id, conversationId, senderType: m.senderType, content: m.content, createdAt: m.createdAt });
      if (m.senderType === 'visitor') continue;
      if (this.#typing && (!this.#typing.userId || this.#typing.userId === m.senderId)) {
        clearTimeout(this.#typing.timer);
        this.#typing = null;
      }
      if (!this.#isViewing(conversationId)) this.#unread.set(conversationId, (this.#unread.get(conversationId) ?? 0) + 1);
    }
    const conv = this.#conversations.get(conversationId);
    if (conv && newest && (!conv.lastMessage || newest.seq >= conv.lastMessage.seq)) this.#conversations.set(conversationId, { ...conv, lastMessage: newest });
    // A conversation the team (or another tab) just wrote in becomes the one shown.
    if (newest && conversationId !== this.#activeId) this.#setActive(conversationId);
    this.#emitUnread();
    this.#markRead();
    this.#render();
  }

  #isViewing(conversationId: string): boolean {
    return this.#open && this.#activeId === conversationId && (typeof document === 'undefined' || document.visibilityState === 'visible');
  }

  #markRead(): void {
    const id = this.#activeId;
    if (!id || !this.#isViewing(id) || !this.#rt) return;
    const msgs = [...(this.#messages.get(id)?.values() ?? [])].filter((m) => m.senderType !== 'visitor');
    const last = msgs.sort((a, b) => a.seq - b.seq)[msgs.length - 1];
    if ((this.#unread.get(id) ?? 0) !== 0) {
      this.#unread.set(id, 0);
      this.#emitUnread();
      this.#render();
    }
    if (last && this.#readSent.get(id) !== last.id && this.#rt.send({ op: 'read', conversationId: id, messageId: last.id })) {
      this.#readSent.set(id, last.id);
    }
  }

  #emitUnread(): void {
    const total = this.unreadCount;
    if (total === this.#lastUnreadTotal) return;
    this.#lastUnreadTotal = total;
    this.#o.emit('unreadCountChange', total);
  }

  async send(content: string): Promise<void> {
    const text = content.trim();
    if (!text || this.#destroyed) return;
    const active = this.#activeId ? this.#conversations.get(this.#activeId) : undefined;
    const clientId = newClientId();
    this.#pending.set(clientId, {
      clientId,
      content: text,
      createdAt: new Date().toISOString(),
      state: 'sending',
      conversationId: active && active.status !== 'closed' ? active.id : null,
    });
    this.#render();
    await this.#post(clientId);
  }

  /** Sends (or re-sends, same clientId: the server never duplicates) a pending message. */
  async #post(clientId: string): Promise<void> {
    const p = this.#pending.get(clientId);
    if (!p) return;
    p.state = 'sending';
    this.#render();
    try {
      const res = await this.#api.send(p.conversationId ? { conversationId: p.conversationId, content: p.content, clientId } : { content: p.content, clientId });
      if (this.#destroyed) return;
      this.#pending.delete(clientId);
      const conv = res.conversation;
      if (conv) {
        const isNew = !this.#conversations.has(conv.id);
        this.#conversations.set(conv.id, { ...this.#conversations.get(conv.id), ...conv });
        if (isNew) {
          this.#unread.set(conv.id, 0);
          this.#historyLoaded.add(conv.id); // we just created it
          this.#sync.watch(conv.id, null);
        }
        if (this.#activeId !== conv.id) this.#setActive(conv.id);
        this.#watchActiveChannel();
      }
      this.#sync.ingest(res.message);
    } catch (e) {
      const pend = this.#pending.get(clientId);
      if (pend) pend.state = 'failed';
      this.#o.emit('error', e);
    }
    this.#render();
  }

  /** A button of a message block: the server stores its label as the visitor's message. */
  async #postback(press: { key: string; buttonId: string }): Promise<void> {
    const id = this.#activeId;
    if (!id) return;
    try {
      const res = await this.#api.postback(id, { messageId: press.key, buttonId: press.buttonId });
      if (!this.#destroyed) this.#sync.ingest(res.message);
    } catch (e) {
      this.#o.emit('error', e);
    }
    this.#render();
  }

  // ---------------------------------------------------------------- realtime events

  #onEvent(ev: RealtimeEvent): void {
    const data = (ev.data ?? {}) as Record<string, unknown>;
    const conversationId = typeof data.conversationId === 'string' ? data.conversationId : undefined;
    switch (ev.event) {
      case 'message:new':
      case 'conversation:updated': {
        const conv = data.conversation as VisitorConversation | undefined;
        if (conv?.id) {
          this.#conversations.set(conv.id, { ...this.#conversations.get(conv.id), ...conv });
          this.#render();
        }
        break;
      }
      case 'agent:typing': {
        if (conversationId !== this.#activeId) break;
        if (this.#typing) clearTimeout(this.#typing.timer);
        this.#typing = data.typing
          ? {
              userId: typeof data.userId === 'string' ? data.userId : null,
              timer: setTimeout(() => {
                this.#typing = null;
                this.#render();
              }, TYPING_EXPIRE_MS),
            }
          : null;
        this.#render();
        break;
      }
      case 'site:availability': {
        if (typeof data.online !== 'boolean') break;
        this.#site = { ...this.#site, online: data.online, inOfficeHours: data.inOfficeHours === true, agentsOnline: Number(data.agentsOnline) || 0 };
        this.#render();
        break;
      }
      case 'conversation:presence': {
        if (conversationId !== this.#activeId) break;
        const agents = Array.isArray(data.agents) ? (data.agents as AgentView[]) : [];
        this.#agents = agents.filter((a) => a && typeof a.name === 'string').map((a) => ({ id: String(a.id), name: a.name }));
        this.#render();
        break;
      }
      case 'message:read': {
        if (!conversationId || this.#readByVisitor(data.by)) break;
        const msg = this.#messages.get(conversationId)?.get(String(data.messageId));
        const seq = msg ? msg.seq : Number.MAX_SAFE_INTEGER;
        if (seq > (this.#readUpTo.get(conversationId) ?? -1)) this.#readUpTo.set(conversationId, seq);
        this.#render();
        break;
      }
      default:
        // Anything else is a plugin's (`<plugin>:<name>`): its widget module may subscribe.
        this.#o.emit('realtime', ev);
    }
  }

  #readByVisitor(by: unknown): boolean {
    if (!by) return false;
    if (typeof by === 'string') return by === this.#visitor.id || by === 'visitor';
    const b = by as { type?: string; senderType?: string; kind?: string; id?: string };
    return b.type === 'visitor' || b.senderType === 'visitor' || b.kind === 'visitor' || b.id === this.#visitor.id;
  }

  #onLocalTyping(typing: boolean): void {
    clearTimeout(this.#typingIdle);
    if (!typing) {
      this.#sendTyping(false);
      return;
    }
    if (Date.now() - this.#typingSentAt > TYPING_THROTTLE_MS) {
      if (this.#activeId && this.#rt.send({ op: 'typing', conversationId: this.#activeId, typing: true })) this.#typingSentAt = Date.now();
    }
    this.#typingIdle = setTimeout(() => this.#sendTyping(false), TYPING_IDLE_MS);
  }

  #sendTyping(typing: boolean): void {
    clearTimeout(this.#typingIdle);
    if (typing || !this.#typingSentAt) return;
    this.#typingSentAt = 0;
    if (this.#activeId) this.#rt?.send({ op: 'typing', conversationId: this.#activeId, typing: false });
  }

  async #saveEmail(email: string): Promise<void> {
    try {
      await this.identify({ email });
      this.#emailSaved = email;
    } catch (e) {
      this.#o.emit('error', e);
    }
    this.#render();
  }

  // ---------------------------------------------------------------- view

  #agentName(id: string | null | undefined): string | undefined {
    if (!id) return undefined;
    const a = this.#agents.find((x) => x.id === id);
    if (a) return a.name;
    for (const c of this.#conversations.values()) if (c.assignee?.id === id) return c.assignee.name;
    return undefined;
  }

  #viewMessages(): ViewMessage[] {
    const id = this.#activeId;
    const out: ViewMessage[] = [];
    if (id) {
      const readUpTo = this.#readUpTo.get(id) ?? -1;
      const list = [...(this.#messages.get(id)?.values() ?? [])].sort((a, b) => a.seq - b.seq);
      for (const m of list) {
        const mine = m.senderType === 'visitor';
        out.push({
          key: m.id,
          content: m.content,
          mine,
          senderType: m.senderType,
          author: mine ? undefined : m.senderType === 'system' ? undefined : (this.#agentName(m.senderId) ?? this.#site.name),
          createdAt: m.createdAt,
          state: mine ? (m.readAt || m.seq <= readUpTo ? 'seen' : 'sent') : undefined,
          metadata: m.metadata,
        });
      }
    }
    for (const p of this.#pending.values()) {
      if (p.conversationId && p.conversationId !== id) continue;
      out.push({ key: p.clientId, content: p.content, mine: true, senderType: 'visitor', createdAt: p.createdAt, state: p.state });
    }
    return out;
  }

  #render(): void {
    if (this.#destroyed || !this.#launcher) return;
    this.#launcher.setUnread(this.unreadCount);
    const el = this.#messenger;
    if (!el) return;
    const w = this.#site.widget ?? {};
    el.strings = this.#strings;
    el.locale = this.#locale;
    el.siteName = this.#site.name ?? '';
    el.logoUrl = safeUrl(w.logoUrl);
    el.greeting = typeof w.greeting === 'string' ? w.greeting : null;
    el.online = this.#site.online !== false;
    el.messages = this.#viewMessages();
    el.agents = this.#agents;
    el.typingName = this.#typing ? (this.#agentName(this.#typing.userId) ?? this.#strings.someone) : null;
    el.connection = this.#connection;
    const email = this.#emailSaved ?? this.#visitor.email ?? null;
    el.askEmail = this.#site.online === false && !email;
    el.emailSaved = email;
    el.loading = this.#historyLoading;
    el.poweredBy = this.#poweredBy;
  }
}
