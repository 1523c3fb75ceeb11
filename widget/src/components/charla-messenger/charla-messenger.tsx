import { Component, Element, Event, Host, Method, Prop, State, Watch, h, type EventEmitter } from '@stencil/core';
import type { Strings } from '../../shared/i18n';
import { linkify } from '../../shared/linkify';
import { blockViews } from '@charla/client';
import type { AgentView, BlockRenderer, PanelView, SuggestionView, ViewMessage } from '../../shared/view-types';

/**
 * The chat window: header (site, online state, agent presence), the message log, the
 * offline e-mail form and the composer. Pure view: props in, events out; the widget's
 * controller does the network work.
 *
 * @part window - the dialog box
 * @part header - the coloured header
 * @part log - the scrolling message list
 * @part composer - the message form
 */
@Component({ tag: 'charla-messenger', styleUrl: 'charla-messenger.css', shadow: true })
export class CharlaMessenger {
  @Element() el!: HTMLElement;

  /** Texts in the widget's language. */
  @Prop() strings!: Strings;
  /** BCP-47 language for timestamps. */
  @Prop() locale = 'en';
  /** The site's name, shown in the header. */
  @Prop() siteName = '';
  /** The site's logo or avatar (https URL). */
  @Prop() logoUrl?: string | null;
  /** The greeting shown at the top of the conversation. */
  @Prop() greeting?: string | null;
  /** Whether the team is online (inside office hours with an agent connected). */
  @Prop() online = true;
  /** The conversation, oldest first. */
  @Prop() messages: ViewMessage[] = [];
  /** Agents currently viewing the conversation. */
  @Prop() agents: AgentView[] = [];
  /** The plugins' lines under the header (`api.status`, e.g. the inbox's queue position), shown as text while no agent is connected. */
  @Prop() statuses: string[] = [];
  /** Name of the agent currently typing, or null. */
  @Prop() typingName?: string | null;
  /** Realtime connection status; anything but `open` shows a "reconnecting" notice. */
  @Prop() connection: 'connecting' | 'open' | 'reconnecting' | 'closed' = 'open';
  /** Ask for an e-mail address (offline and the visitor left none). */
  @Prop() askEmail = false;
  /** The e-mail address the visitor left, if any. */
  @Prop() emailSaved?: string | null;
  /** History still loading. */
  @Prop() loading = false;
  /** Plugins' tabs (`api.panel`): with any, a tab list (conversation first) shows under the header. */
  @Prop() panels: PanelView[] = [];
  /** Plugins' renderers of their own block types (`api.renderBlock`); other blocks use the text fallback. */
  @Prop() renderers: Record<string, BlockRenderer> = {};
  /** Plugins' suggestions (`api.suggest`), shown as text above the composer. */
  @Prop() suggestions: SuggestionView[] = [];
  /** Show "Powered by Charla" (the account's plan may remove it). */
  @Prop() poweredBy = false;

  /** The visitor submits a message. */
  @Event({ eventName: 'charlaSend' }) charlaSend!: EventEmitter<{ content: string }>;
  /** The visitor retries a failed message. */
  @Event({ eventName: 'charlaRetry' }) charlaRetry!: EventEmitter<{ key: string }>;
  /** The visitor starts or stops typing (the controller throttles). */
  @Event({ eventName: 'charlaTyping' }) charlaTyping!: EventEmitter<{ typing: boolean }>;
  /** The visitor closes the window (header button or Escape). */
  @Event({ eventName: 'charlaClose' }) charlaClose!: EventEmitter<void>;
  /** The visitor presses a button of a message block (`key`: the message id). */
  @Event({ eventName: 'charlaPostback' }) charlaPostback!: EventEmitter<{ key: string; buttonId: string }>;
  /** The composer's text changed (`''` once sent); the plugin host debounces it for `onCompose`. */
  @Event({ eventName: 'charlaDraft' }) charlaDraft!: EventEmitter<{ text: string }>;
  /** The visitor leaves an e-mail address in the offline form. */
  @Event({ eventName: 'charlaEmail' }) charlaEmail!: EventEmitter<{ email: string }>;

  @State() draft = '';
  /** The logo failed to load: show the initial instead of a broken image. */
  @State() logoBroken = false;
  @State() emailError = false;
  /** The selected tab: `'chat'` or a panel's key. */
  @State() tab = 'chat';

  private textarea?: HTMLTextAreaElement;
  private log?: HTMLElement;
  private stickToBottom = true;
  /** The panel key drawn last (a panel is drawn when it becomes the selected tab). */
  private drawn: string | null = null;
  private panes = new Map<string, HTMLElement>();
  private tabs = new Map<string, HTMLElement>();
  /** Which renderer drew each plugin block element (drawn once, again only for a new renderer). */
  private drawnBlocks = new WeakMap<HTMLElement, BlockRenderer>();

  /** Moves keyboard focus to the message box. */
  @Method()
  async focusComposer(): Promise<void> {
    this.textarea?.focus();
  }

  /** Puts `text` in the message box as a draft (the visitor still sends it), e.g. `showNewMessage`. */
  @Method()
  async setDraft(text: string): Promise<void> {
    this.draft = text;
    if (this.textarea) this.textarea.value = text;
  }

  /** Selects a tab (`'chat'` or a panel's key); a panel is drawn again. */
  @Method()
  async showTab(key: string): Promise<void> {
    this.drawn = null;
    this.tab = key;
    this.drawPanel();
  }

  /** Draws the selected panel again (the window reopened on it). */
  @Method()
  async redraw(): Promise<void> {
    this.drawn = null;
    this.drawPanel();
  }

  @Watch('panels')
  protected onPanels(): void {
    if (this.tab !== 'chat' && !this.panels.some((p) => p.key === this.tab)) this.tab = 'chat';
  }

  private drawPanel(): void {
    const p = this.tab === 'chat' ? undefined : this.panels.find((x) => x.key === this.tab);
    const pane = p && this.panes.get(p.key);
    if (!p || !pane || this.drawn === p.key) return;
    this.drawn = p.key;
    p.render(pane);
  }

  private select(key: string, focus = false): void {
    if (key !== this.tab) this.drawn = null;
    this.tab = key;
    if (focus) this.tabs.get(key)?.focus();
  }

  /** Arrow keys, Home and End move between the tabs (WAI-ARIA tabs, automatic activation). */
  private onTabKey = (ev: KeyboardEvent) => {
    const keys = ['chat', ...this.panels.map((p) => p.key)];
    const i = keys.indexOf(this.tab);
    const to = ev.key === 'ArrowRight' ? i + 1 : ev.key === 'ArrowLeft' ? i - 1 + keys.length : ev.key === 'Home' ? 0 : ev.key === 'End' ? keys.length - 1 : -1;
    if (to < 0) return;
    ev.preventDefault();
    this.select(keys[to % keys.length], true);
  };

  @Watch('logoUrl')
  logoChanged(): void {
    this.logoBroken = false;
  }

  @Watch('messages')
  @Watch('typingName')
  protected onMessages(): void {
    if (this.log) this.stickToBottom = this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 80;
  }

  componentDidRender(): void {
    if (this.log && this.stickToBottom) this.log.scrollTop = this.log.scrollHeight;
    this.drawPanel();
  }

  private submit = (ev: Event) => {
    ev.preventDefault();
    const content = this.draft.trim();
    if (!content) return;
    this.charlaSend.emit({ content });
    this.draft = '';
    if (this.textarea) this.textarea.value = '';
    this.charlaTyping.emit({ typing: false });
    this.charlaDraft.emit({ text: '' });
    this.stickToBottom = true;
  };

  private onInput = (ev: Event) => {
    this.draft = (ev.target as HTMLTextAreaElement).value;
    this.charlaTyping.emit({ typing: this.draft.length > 0 });
    this.charlaDraft.emit({ text: this.draft });
  };

  private onKeyDown = (ev: KeyboardEvent) => {
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) this.submit(ev);
  };

  private onHostKeyDown = (ev: KeyboardEvent) => {
    if (ev.key === 'Escape') {
      ev.stopPropagation();
      this.charlaClose.emit();
    }
  };

  private submitEmail = (ev: Event) => {
    ev.preventDefault();
    const input = (ev.target as HTMLFormElement).querySelector('input');
    const email = (input?.value ?? '').trim();
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
      this.emailError = true;
      input?.focus();
      return;
    }
    this.emailError = false;
    this.charlaEmail.emit({ email });
  };

  private time(iso: string): string {
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return '';
    try {
      return d.toLocaleTimeString(this.locale, { hour: '2-digit', minute: '2-digit' });
    } catch {
      return d.toISOString().slice(11, 16);
    }
  }

  private renderText(content: string) {
    return linkify(content).map((t) =>
      t.href ? (
        <a href={t.href} target="_blank" rel="noopener noreferrer">
          {t.text}
        </a>
      ) : (
        t.text
      ),
    );
  }

  /**
   * A message's blocks, in order: a plugin's renderer draws its own types (`api.renderBlock`)
   * into an empty element, once; every other block goes through the text fallback.
   */
  private renderBlocks(m: ViewMessage) {
    const raw = m.metadata?.blocks;
    if (!Array.isArray(raw)) return null;
    return (raw.slice(0, 10) as Array<Record<string, unknown> | null>).map((b, i) => {
      const type = typeof b?.type === 'string' ? b.type : '';
      const draw = this.renderers?.[type];
      if (b && draw) {
        return (
          <div
            class={{ block: true, plugin: true, [`block-${type}`]: true }}
            key={`${m.key}:${i}:${type}`}
            ref={(el) => {
              if (!el || this.drawnBlocks.get(el) === draw) return;
              this.drawnBlocks.set(el, draw);
              el.replaceChildren();
              draw(b, el, { messageId: m.key, press: (buttonId) => this.charlaPostback.emit({ key: m.key, buttonId }) });
            }}
          />
        );
      }
      return blockViews({ blocks: [b] })?.map((v) => (
        <div class={{ block: true, [`block-${v.type}`]: true }} key={`${m.key}:${i}`}>
          {v.text.map((line) => <p>{line}</p>)}
          {v.buttons.map((x) => (
            <button type="button" class="choice" onClick={() => this.charlaPostback.emit({ key: m.key, buttonId: x.id })}>
              {x.label}
            </button>
          ))}
        </div>
      ));
    });
  }

  private renderMessage(m: ViewMessage, i: number) {
    const s = this.strings;
    const prev = this.messages[i - 1];
    const showAuthor = !m.mine && m.author && (!prev || prev.mine || prev.author !== m.author);
    const state = m.state;
    return (
      <li class={{ msg: true, mine: m.mine, theirs: !m.mine, [m.senderType]: true, failed: state === 'failed' }} key={m.key}>
        {showAuthor ? <span class="author">{m.author}{m.senderType === 'bot' ? <span class="badge">{s.bot}</span> : null}</span> : null}
        <p class="bubble">{this.renderText(m.content)}</p>
        {this.renderBlocks(m)}
        <span class="meta">
          <time dateTime={m.createdAt}>{this.time(m.createdAt)}</time>
          {m.mine && state ? <span class="state"> · {state === 'sending' ? s.sending : state === 'seen' ? s.seen : state === 'failed' ? s.failed : s.sent}</span> : null}
          {state === 'failed' ? (
            <button type="button" class="retry" onClick={() => this.charlaRetry.emit({ key: m.key })}>
              {s.retry}
            </button>
          ) : null}
        </span>
      </li>
    );
  }

  render() {
    const s = this.strings;
    if (!s) return <Host />;
    const presence = this.agents.length ? s.agentConnected(this.agents.map((a) => a.name).join(', ')) : null;
    const panels = this.panels ?? [];
    const chat = this.tab === 'chat' || !panels.length;
    const tabs = [{ key: 'chat', title: s.conversation }, ...panels];
    return (
      <Host onKeyDown={this.onHostKeyDown}>
        <section class="window" part="window" role="dialog" aria-label={s.dialog(this.siteName)}>
          <header part="header">
            {this.logoUrl && !this.logoBroken ? <img class="logo" src={this.logoUrl} alt="" onError={() => (this.logoBroken = true)} /> : <span class="logo placeholder" aria-hidden="true">{(this.siteName || '?').slice(0, 1).toUpperCase()}</span>}
            <div class="titles">
              <h2>{this.siteName}</h2>
              <p class="status">
                <span class={{ dot: true, on: this.online }} aria-hidden="true" />
                {this.online ? s.online : s.offline}
              </p>
              {presence ? <p class="presence">{presence}</p> : null}
              {!presence ? (this.statuses ?? []).map((x) => <p class="presence status-line">{x}</p>) : null}
            </div>
            <button type="button" class="close" aria-label={s.minimize} onClick={() => this.charlaClose.emit()}>
              <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
                <path d="M6 9l6 6 6-6" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
              </svg>
            </button>
          </header>
          {panels.length ? (
            <div class="tabs" role="tablist" aria-label={s.dialog(this.siteName)} onKeyDown={this.onTabKey}>
              {tabs.map((x) => (
                <button
                  type="button"
                  role="tab"
                  key={'tab:' + x.key}
                  id={'charla-tab-' + x.key}
                  aria-controls={'charla-pane-' + x.key}
                  aria-selected={x.key === this.tab ? 'true' : 'false'}
                  tabindex={x.key === this.tab ? 0 : -1}
                  ref={(b) => b && this.tabs.set(x.key, b)}
                  onClick={() => this.select(x.key)}
                >
                  {x.title}
                </button>
              ))}
            </div>
          ) : null}
          {panels.map((p) => (
            <div
              class="pane"
              role="tabpanel"
              key={'pane:' + p.key}
              id={'charla-pane-' + p.key}
              aria-labelledby={'charla-tab-' + p.key}
              hidden={p.key !== this.tab}
              ref={(el) => el && this.panes.set(p.key, el)}
            />
          ))}
          <div class="chat" key="chat" id="charla-pane-chat" role={panels.length ? 'tabpanel' : undefined} aria-labelledby={panels.length ? 'charla-tab-chat' : undefined} hidden={!chat}>
          {this.connection === 'reconnecting' || this.connection === 'connecting' ? (
            <p class="banner" role="status">
              {s.reconnecting}
            </p>
          ) : null}
          <ol class="log" part="log" role="log" aria-live="polite" aria-label={s.messages} ref={(el) => (this.log = el)} tabindex="0">
            {this.greeting ? (
              <li class="msg theirs greeting" key="greeting">
                <p class="bubble">{this.renderText(this.greeting)}</p>
              </li>
            ) : null}
            {this.messages.map((m, i) => this.renderMessage(m, i))}
            {this.loading ? <li class="loading" key="loading" aria-hidden="true"><span /><span /><span /></li> : null}
          </ol>
          {this.askEmail ? (
            <form class="email" onSubmit={this.submitEmail} noValidate>
              <p>{s.offlineLeaveMessage}</p>
              <div class="row">
                <label htmlFor="charla-email">{s.email}</label>
                <input id="charla-email" type="email" autoComplete="email" required aria-invalid={this.emailError ? 'true' : 'false'} aria-describedby="charla-email-error" />
                <button type="submit">{s.save}</button>
              </div>
              <p id="charla-email-error" class="error" role="alert">
                {this.emailError ? s.invalidEmail : ''}
              </p>
            </form>
          ) : this.emailSaved && !this.online ? (
            <p class="note">{s.emailSaved(this.emailSaved)}</p>
          ) : null}
          <p class="typing" aria-live="polite">
            {this.typingName ? s.typing(this.typingName) : ''}
          </p>
          {this.suggestions?.length ? (
            <ul class="suggestions" aria-label={s.suggestions}>
              {this.suggestions.map((x) => (
                <li key={x.key}>
                  <button type="button" onClick={() => x.select()}>
                    <span class="s-title">{x.title}</span>
                    {x.description ? <span class="s-desc">{x.description}</span> : null}
                  </button>
                </li>
              ))}
            </ul>
          ) : null}
          <form class="composer" part="composer" onSubmit={this.submit}>
            <textarea
              ref={(el) => (this.textarea = el)}
              aria-label={s.message}
              placeholder={s.placeholder}
              rows={1}
              maxLength={10000}
              value={this.draft}
              onInput={this.onInput}
              onKeyDown={this.onKeyDown}
            />
            <button type="submit" class="send" aria-label={s.send} disabled={!this.draft.trim()}>
              <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
                <path d="M3 20l18-8L3 4v6l12 2-12 2z" fill="currentColor" />
              </svg>
            </button>
          </form>
          {this.poweredBy ? (
            <p class="brand" part="brand">
              <a href="https://charla.chat" target="_blank" rel="noopener">{s.poweredBy}</a>
            </p>
          ) : null}
          </div>
        </section>
      </Host>
    );
  }
}
