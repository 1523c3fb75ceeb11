import { createHttpClient, type HttpClient, type Message, type VisitorConversation } from '@charla/client';
import type { WidgetLook } from '../ui/theme.js';

export interface OfficeHours {
  timezone: string;
  days: Array<{ day: number; open: string; close: string }>;
}

export interface SiteInfo {
  /** Absent from servers before live availability (the widget then keeps the init state). */
  id?: string;
  name: string;
  widget: WidgetLook & { officeHours?: OfficeHours | null };
  online: boolean;
  inOfficeHours?: boolean;
  agentsOnline?: number;
}

export interface VisitorInfo {
  id: string;
  name?: string | null;
  email?: string | null;
}

export interface InitResponse {
  visitorToken: string;
  visitor: VisitorInfo;
  site: SiteInfo;
  conversations: VisitorConversation[];
  /** What plugins add to the boot (`widget:init` hook), e.g. billing's `branding: {poweredBy}`. */
  extensions?: { branding?: { poweredBy?: boolean } } & Record<string, unknown>;
  /** Widget modules of the plugins on for the account (loaded by app/plugin-host.ts). */
  plugins?: Array<{ name: string; url: string; data: Record<string, unknown> }>;
}

export interface UserData {
  email?: string;
  name?: string;
  externalId?: string;
  userHash?: string;
  attributes?: Record<string, unknown>;
}

/** The visitor side of API.md ("Widget"), bound to one server and the current visitor token. */
export class WidgetApi {
  readonly http: HttpClient;

  constructor(apiBase: string, token: () => string | null) {
    this.http = createHttpClient({ baseUrl: apiBase, token, credentials: 'omit' });
  }

  init(body: { appId: string; visitorToken?: string; user?: UserData; locale?: string }): Promise<InitResponse> {
    return this.http.request('POST', '/api/v1/widget/init', body);
  }

  async conversations(): Promise<VisitorConversation[]> {
    return (await this.http.request<{ conversations: VisitorConversation[] }>('GET', '/api/v1/widget/conversations')).conversations;
  }

  async messages(conversationId: string, after: string | undefined, limit: number): Promise<Message[]> {
    const q = new URLSearchParams({ limit: String(limit) });
    if (after) q.set('after', after);
    const r = await this.http.request<{ messages: Message[] }>('GET', `/api/v1/widget/conversations/${encodeURIComponent(conversationId)}/messages?${q}`);
    return r.messages;
  }

  send(body: { conversationId?: string; content: string; clientId: string }): Promise<{ message: Message; conversation: VisitorConversation }> {
    return this.http.request('POST', '/api/v1/widget/messages', body);
  }

  /** Presses a button of a message block (docs/plugins.md "Message blocks"). */
  postback(conversationId: string, body: { messageId: string; buttonId: string }): Promise<{ message: Message; conversation: VisitorConversation }> {
    return this.http.request('POST', `/api/v1/widget/conversations/${encodeURIComponent(conversationId)}/postback`, body);
  }

  identify(user: UserData): Promise<{ visitorToken: string; visitor: VisitorInfo }> {
    return this.http.request('POST', '/api/v1/widget/identify', user);
  }

  track(name: string, properties?: Record<string, unknown>): Promise<unknown> {
    return this.http.request('POST', '/api/v1/widget/track', properties === undefined ? { name } : { name, properties });
  }

  page(page: { url: string; title?: string }): Promise<unknown> {
    return this.http.request('POST', '/api/v1/widget/page', page, { keepalive: true });
  }
}
