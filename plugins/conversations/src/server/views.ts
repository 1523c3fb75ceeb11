import type { ConversationRow, MessageRow, MessageSnapshot, PageViewRow, VisitorRow } from './models.js';

const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);

export interface MessageView {
  id: string; conversationId: string; seq: number; senderType: MessageRow['senderType']; senderId: string | null;
  content: string; private: boolean; clientId?: string; metadata?: Record<string, unknown>; createdAt: string; readAt: string | null;
}

export function messageView(m: MessageRow): MessageView {
  return {
    id: m.id, conversationId: m.conversationId, seq: Number(m.seq), senderType: m.senderType, senderId: m.senderId,
    content: m.content, private: !!m.private,
    ...(m.clientId ? { clientId: m.clientId } : {}),
    ...(m.metadata ? { metadata: m.metadata } : {}),
    createdAt: iso(m.createdAt)!, readAt: iso(m.readAt),
  };
}

export function snapshot(m: MessageRow): MessageSnapshot {
  return { id: m.id, seq: Number(m.seq), senderType: m.senderType, senderId: m.senderId ?? null, content: m.content.slice(0, 200), private: !!m.private, createdAt: iso(m.createdAt)! };
}

export interface VisitorView {
  id: string; siteId: string; name: string | null; email: string | null; externalId: string | null; verified: boolean;
  attributes: Record<string, unknown>; country: string | null; language: string | null;
  firstSeenAt: string; lastSeenAt: string; visitCount: number; pageViewCount: number; currentUrl: string | null; currentTitle: string | null;
  online?: boolean; pages?: Array<{ url: string; title: string | null; at: string }>;
}

/** The visitor as agents see it. */
export function visitorView(v: VisitorRow, extra: { online?: boolean; pages?: PageViewRow[] } = {}): VisitorView {
  return {
    id: v.id, siteId: v.siteId, name: v.name, email: v.email, externalId: v.externalId, verified: !!v.verified,
    attributes: (typeof v.attributes === 'string' ? JSON.parse(v.attributes) : v.attributes) ?? {},
    country: v.country, language: v.language,
    firstSeenAt: iso(v.firstSeenAt)!, lastSeenAt: iso(v.lastSeenAt)!, visitCount: Number(v.visitCount), pageViewCount: Number(v.pageViewCount ?? 0),
    currentUrl: v.currentUrl, currentTitle: v.currentTitle,
    ...(extra.online !== undefined ? { online: extra.online } : {}),
    ...(extra.pages ? { pages: extra.pages.map((p) => ({ url: p.url, title: p.title, at: iso(p.createdAt)! })) } : {}),
  };
}

/** What the visitor learns about itself. */
export function selfVisitorView(v: VisitorRow): { id: string; name?: string; email?: string } {
  return { id: v.id, ...(v.name ? { name: v.name } : {}), ...(v.email ? { email: v.email } : {}) };
}

export interface AgentConversationView {
  id: string; status: ConversationRow['status']; siteId: string; visitorId: string; visitor?: VisitorView;
  assigneeId: string | null; priority: string; channel: string; tags: string[];
  lastMessage: MessageSnapshot | null; unreadCount: number; lastSeq: number;
  firstResponseAt: string | null; resolvedAt: string | null; lastActivityAt: string; createdAt: string; updatedAt: string;
}

export function conversationView(c: ConversationRow, visitor?: VisitorRow): AgentConversationView {
  return {
    id: c.id, status: c.status, siteId: c.siteId, visitorId: c.visitorId,
    ...(visitor ? { visitor: visitorView(visitor) } : {}),
    assigneeId: c.assigneeId, priority: c.priority, channel: c.channel, tags: (typeof c.tags === 'string' ? JSON.parse(c.tags) : c.tags) ?? [],
    lastMessage: parse(c.lastMessage), unreadCount: Number(c.unreadByAgents), lastSeq: Number(c.lastSeq),
    firstResponseAt: iso(c.firstResponseAt), resolvedAt: iso(c.resolvedAt), lastActivityAt: iso(c.lastActivityAt)!,
    createdAt: iso(c.createdAt)!, updatedAt: iso(c.updatedAt)!,
  };
}

export interface VisitorConversationView {
  id: string; status: ConversationRow['status']; assignee: { id: string; name: string } | null;
  lastMessage: MessageSnapshot | null; unreadCount: number; createdAt: string; updatedAt: string;
}

/** The conversation as its visitor sees it: no private notes, no internal fields. */
export function visitorConversationView(c: ConversationRow, assigneeName?: string | null): VisitorConversationView {
  return {
    id: c.id, status: c.status,
    assignee: c.assigneeId ? { id: c.assigneeId, name: assigneeName ?? 'Agent' } : null,
    lastMessage: parse(c.lastPublicMessage), unreadCount: Number(c.unreadByVisitor),
    createdAt: iso(c.createdAt)!, updatedAt: iso(c.updatedAt)!,
  };
}

function parse<T>(v: T | string | null): T | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? (JSON.parse(v) as T) : v;
}
