import type { Conversation } from '@charla/admin/sdk';

export type StatusTab = 'active' | 'open' | 'pending' | 'closed';
export type AssigneeFilter = 'all' | 'me' | 'unassigned' | string;

export interface InboxFilter {
  status: StatusTab;
  assignee: AssigneeFilter;
  siteId: string;
  /** Only conversations with this tag ('' = any); set from the inbox URL's `?tag=`. */
  tag: string;
}

export const DEFAULT_FILTER: InboxFilter = { status: 'active', assignee: 'all', siteId: '', tag: '' };

/** Query string of GET /api/v1/inbox/conversations for a filter (no status = open + pending). */
export function filterQuery(filter: InboxFilter, status: StatusTab = filter.status, limit = 50): Record<string, string> {
  const q: Record<string, string> = { limit: String(limit) };
  if (status !== 'active') q['status'] = status;
  if (filter.assignee !== 'all') q['assignee'] = filter.assignee;
  if (filter.siteId) q['siteId'] = filter.siteId;
  if (filter.tag) q['tag'] = filter.tag;
  return q;
}

/** Does a conversation belong in the list shown for `filter`? */
export function matchesFilter(c: Conversation, filter: InboxFilter, meId: string | null): boolean {
  const statusOk = filter.status === 'active' ? c.status === 'open' || c.status === 'pending' : c.status === filter.status;
  if (!statusOk) return false;
  if (filter.siteId && c.siteId !== filter.siteId) return false;
  if (filter.tag && !(c.tags ?? []).includes(filter.tag)) return false;
  switch (filter.assignee) {
    case 'all':
      return true;
    case 'me':
      return !!meId && c.assigneeId === meId;
    case 'unassigned':
      return !c.assigneeId;
    default:
      return c.assigneeId === filter.assignee;
  }
}

/** Newest activity first. */
export function byActivity(a: Conversation, b: Conversation): number {
  const ta = Date.parse(a.lastMessage?.createdAt ?? a.updatedAt) || 0;
  const tb = Date.parse(b.lastMessage?.createdAt ?? b.updatedAt) || 0;
  return tb - ta || (a.id < b.id ? 1 : -1);
}

/**
 * Merge a conversation coming from an event into a list: replaced, inserted or removed
 * according to the filter, then sorted. Fields the event lacks (e.g. the visitor) are kept.
 */
export function mergeConversation(list: readonly Conversation[], incoming: Conversation, filter: InboxFilter, meId: string | null): Conversation[] {
  const i = list.findIndex((c) => c.id === incoming.id);
  const merged: Conversation = i >= 0 ? { ...list[i], ...stripUndefined(incoming), visitor: incoming.visitor ?? list[i].visitor } : incoming;
  const rest = i >= 0 ? list.filter((_, j) => j !== i) : list.slice();
  if (!matchesFilter(merged, filter, meId)) return rest;
  rest.push(merged);
  return rest.sort(byActivity);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
