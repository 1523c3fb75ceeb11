import type { Cradle } from '@charla/core';

/** One conversation as reports see it (the conversations created in a report's range). */
export interface ConversationFact {
  id: string;
  siteId: string;
  visitorId: string;
  /** `web` or `app`. */
  channel: string;
  status: 'open' | 'pending' | 'closed';
  assigneeId: string | null;
  tags: string[];
  /** The visitor's page when it was opened. */
  startUrl: string | null;
  createdAt: Date;
  firstVisitorMessageAt: Date | null;
  /** The first public reply by a person (agent or API key). */
  firstResponseAt: Date | null;
  /** Who wrote that reply (null: an API key, or no reply yet). */
  firstResponderId: string | null;
  /** When it was last closed (null while open or pending). */
  resolvedAt: Date | null;
}

export interface ReportRange {
  /** Conversations (or messages) created at or after this instant … */
  since: Date;
  /** … and before this one. */
  until: Date;
  siteId?: string;
}

/** Aggregate reads for reports, always for one account, over indexed date ranges. */
export interface ReportPort {
  /** The conversations created in the range, oldest first. */
  conversations(accountId: string, range: ReportRange): Promise<ConversationFact[]>;
  /** Public replies written by each agent in the range (by message time; site: the conversation's). */
  agentReplies(accountId: string, range: ReportRange): Promise<Array<{ userId: string; replies: number }>>;
}

const date = (v: unknown): Date | null => (v === null || v === undefined ? null : v instanceof Date ? v : new Date(String(v)));
const check = (range: ReportRange) => {
  for (const k of ['since', 'until'] as const) if (!(range[k] instanceof Date) || Number.isNaN(range[k].getTime())) throw new TypeError(`${k} must be a valid Date`);
  if (range.siteId !== undefined && typeof range.siteId !== 'string') throw new TypeError('siteId must be a string');
};

export function reportPort(c: Cradle): ReportPort {
  return {
    async conversations(accountId, range) {
      check(range);
      // The first responder: the sender of the first public agent message (messages_conversation_seq).
      const rows = await c.db.scope(accountId).query<Record<string, unknown>>(
        `SELECT c.id, c.site_id, c.visitor_id, c.channel, c.status, c.assignee_id, c.tags, c.start_url, c.created_at,
                c.first_visitor_message_at, c.first_response_at, c.resolved_at,
                (SELECT m.sender_id FROM messages m WHERE m.account_id = :accountId AND m.conversation_id = c.id
                   AND m.sender_type = 'agent' AND m.private = :no ORDER BY m.seq LIMIT 1) AS first_responder_id
           FROM conversations c
          WHERE c.account_id = :accountId AND c.created_at >= :since AND c.created_at < :until${range.siteId !== undefined ? ' AND c.site_id = :siteId' : ''}
          ORDER BY c.created_at, c.id`,
        { since: range.since, until: range.until, no: false, ...(range.siteId !== undefined ? { siteId: range.siteId } : {}) },
      );
      return rows.map((r) => ({
        id: String(r.id), siteId: String(r.site_id), visitorId: String(r.visitor_id), channel: String(r.channel ?? 'web'),
        status: r.status as ConversationFact['status'], assigneeId: (r.assignee_id as string | null) ?? null,
        tags: ((typeof r.tags === 'string' ? JSON.parse(r.tags) : r.tags) as string[] | null) ?? [],
        startUrl: (r.start_url as string | null) ?? null, createdAt: date(r.created_at)!,
        firstVisitorMessageAt: date(r.first_visitor_message_at), firstResponseAt: date(r.first_response_at),
        firstResponderId: (r.first_responder_id as string | null) ?? null, resolvedAt: date(r.resolved_at),
      }));
    },
    async agentReplies(accountId, range) {
      check(range);
      const rows = await c.db.scope(accountId).query<{ sender_id: string; n: number | string }>(
        `SELECT m.sender_id, COUNT(*) AS n
           FROM messages m${range.siteId !== undefined ? ' JOIN conversations c ON c.id = m.conversation_id AND c.account_id = :accountId' : ''}
          WHERE m.account_id = :accountId AND m.created_at >= :since AND m.created_at < :until
            AND m.sender_type = 'agent' AND m.private = :no AND m.sender_id IS NOT NULL${range.siteId !== undefined ? ' AND c.site_id = :siteId' : ''}
          GROUP BY m.sender_id`,
        { since: range.since, until: range.until, no: false, ...(range.siteId !== undefined ? { siteId: range.siteId } : {}) },
      );
      return rows.map((r) => ({ userId: r.sender_id, replies: Number(r.n) })).sort((a, b) => (a.userId < b.userId ? -1 : 1));
    },
  };
}
