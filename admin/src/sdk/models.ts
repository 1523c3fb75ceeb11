/** Shapes of the server's JSON (see shared API.md). Shared by the shell and plugin UIs. */
import type { OfficeHours, SenderType } from './wire.generated';

// Generated from the server's schemas (scripts/wire-types.mjs); move a type there when it gets a schema.
export type { ApiKey, ApiKeyScope, OfficeHours, OfficeHoursDay, SenderType } from './wire.generated';

export type Role = 'owner' | 'admin' | 'agent';

export interface User {
  id: string;
  name: string;
  email: string;
  role: Role;
}

export interface Account {
  id: string;
  name: string;
  plan?: string;
}

export interface SessionPayload {
  token?: string;
  csrfToken?: string;
  user: User;
  account: Account;
}

export interface WidgetLook {
  primaryColor?: string;
  backgroundColor?: string;
  textColor?: string;
  logoUrl?: string | null;
  greeting?: string;
  position?: 'right' | 'left' | string;
  officeHours?: OfficeHours | null;
}

export interface Site {
  id: string;
  name: string;
  appId: string;
  domain?: string | null;
  widget: WidgetLook;
  snippet?: string;
  identityVerification?: { required: boolean; secret?: string };
  createdAt?: string;
}

export interface VisitedPage {
  url: string;
  title?: string | null;
  at?: string;
}

export interface Visitor {
  id: string;
  name?: string | null;
  email?: string | null;
  externalId?: string | null;
  attributes?: Record<string, unknown> | null;
  country?: string | null;
  language?: string | null;
  firstSeenAt?: string | null;
  lastSeenAt?: string | null;
  visitCount?: number | null;
  currentUrl?: string | null;
  pages?: VisitedPage[] | null;
  online?: boolean;
}

export interface Message {
  id: string;
  conversationId: string;
  seq: number;
  senderType: SenderType;
  senderId?: string | null;
  content: string;
  private: boolean;
  clientId?: string | null;
  metadata?: Record<string, unknown> | null;
  createdAt: string;
  readAt?: string | null;
}

export type ConversationStatus = 'open' | 'pending' | 'closed';

export interface Conversation {
  id: string;
  status: ConversationStatus;
  siteId: string;
  visitorId?: string;
  visitor?: Visitor;
  assigneeId?: string | null;
  priority?: string | number | null;
  lastMessage?: Message | null;
  unreadCount?: number;
  /** Labels on the conversation (the tags plugin manages them). */
  tags?: string[];
  /** Where it started: `web` (the widget) or `app` (a mobile SDK). */
  channel?: string;
  createdAt: string;
  updatedAt: string;
}

export interface Invitation {
  id: string;
  email: string;
  role: Role;
  createdAt?: string;
  expiresAt?: string;
}

/** RFC 9457 problem body as the server sends it. */
export interface Problem {
  status: number;
  title?: string;
  code?: string;
  detail?: string;
}
