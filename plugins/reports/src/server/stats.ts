import type { ConversationFact } from '@charla/plugin-conversations';
import { dayOf } from './time-zone.js';

/**
 * The figures of a set of conversations, in a form that adds up: a day's rollup row is one
 * of these, and a report is the sum of its days' rows (and of the live parts of the range).
 * Durations are kept as lists of seconds, so medians and p90 stay exact after merging.
 */
export interface Stats {
  conversations: number;
  resolved: number;
  byDay: Record<string, number>;
  bySite: Record<string, number>;
  byChannel: Record<string, number>;
  /** Seconds from the visitor's first message (or the start) to the first public reply. */
  firstResponse: number[];
  /** Seconds from the start to the close, of closed conversations. */
  resolution: number[];
  pages: Record<string, number>;
  tags: Record<string, number>;
  agents: Record<string, { conversations: number; replies: number; firstResponse: number[] }>;
}

export const emptyStats = (): Stats => ({ conversations: 0, resolved: 0, byDay: {}, bySite: {}, byChannel: {}, firstResponse: [], resolution: [], pages: {}, tags: {}, agents: {} });

const bump = (o: Record<string, number>, k: string, n = 1) => { o[k] = (o[k] ?? 0) + n; };
const agent = (s: Stats, userId: string) => (s.agents[userId] ??= { conversations: 0, replies: 0, firstResponse: [] });
const seconds = (from: Date, to: Date) => Math.max(0, Math.round((to.getTime() - from.getTime()) / 1000));

/** Counts one conversation (created in the report's range) into `s`, its day taken in `timeZone`. */
export function addConversation(s: Stats, c: ConversationFact, timeZone: string): void {
  s.conversations++;
  bump(s.byDay, dayOf(c.createdAt, timeZone));
  bump(s.bySite, c.siteId);
  bump(s.byChannel, c.channel || 'web');
  if (c.startUrl) bump(s.pages, c.startUrl);
  for (const tag of c.tags) bump(s.tags, tag);
  if (c.assigneeId) agent(s, c.assigneeId).conversations++;
  if (c.firstResponseAt) {
    const fr = seconds(c.firstVisitorMessageAt ?? c.createdAt, c.firstResponseAt);
    s.firstResponse.push(fr);
    if (c.firstResponderId) agent(s, c.firstResponderId).firstResponse.push(fr);
  }
  if (c.status === 'closed') {
    s.resolved++;
    if (c.resolvedAt) s.resolution.push(seconds(c.createdAt, c.resolvedAt));
  }
}

export function addReplies(s: Stats, replies: Array<{ userId: string; replies: number }>): void {
  for (const r of replies) agent(s, r.userId).replies += r.replies;
}

/** `into` += `from`. */
export function mergeStats(into: Stats, from: Stats): Stats {
  into.conversations += from.conversations;
  into.resolved += from.resolved;
  for (const k of ['byDay', 'bySite', 'byChannel', 'pages', 'tags'] as const) for (const [key, n] of Object.entries(from[k])) bump(into[k], key, n);
  into.firstResponse.push(...from.firstResponse);
  into.resolution.push(...from.resolution);
  for (const [userId, a] of Object.entries(from.agents)) {
    const to = agent(into, userId);
    to.conversations += a.conversations;
    to.replies += a.replies;
    to.firstResponse.push(...a.firstResponse);
  }
  return into;
}

/** Nearest-rank percentile (p in 0…100) of an ascending list; null when empty. */
export function percentile(sorted: number[], p: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

export const average = (xs: number[]): number | null => (xs.length ? Math.round(xs.reduce((a, b) => a + b, 0) / xs.length) : null);
const ascending = (xs: number[]) => [...xs].sort((a, b) => a - b);
const byCount = <T extends { count: number }>(key: (x: T) => string) => (a: T, b: T) => b.count - a.count || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

export interface Overview {
  range: { from: string; to: string; timezone: string; siteId: string | null };
  conversations: { total: number; resolved: number; unresolved: number; byDay: Array<{ date: string; count: number }>; bySite: Array<{ siteId: string; name: string; count: number }>; byChannel: Array<{ channel: string; count: number }> };
  firstResponse: { count: number; averageSeconds: number | null; medianSeconds: number | null; p90Seconds: number | null };
  resolution: { count: number; averageSeconds: number | null; medianSeconds: number | null };
  topPages: Array<{ url: string; conversations: number }>;
  agents: Array<{ userId: string; name: string; conversations: number; replies: number; averageFirstResponseSeconds: number | null }>;
  tags: Array<{ tag: string; count: number }>;
}

export const TOP_PAGES = 10;

/** The API answer for `s`: every day of the range listed (zeros too), names from the account. */
export function overviewOf(s: Stats, ctx: { range: Overview['range']; days: string[]; siteNames: Map<string, string>; memberNames: Map<string, string> }): Overview {
  const fr = ascending(s.firstResponse);
  const res = ascending(s.resolution);
  return {
    range: ctx.range,
    conversations: {
      total: s.conversations, resolved: s.resolved, unresolved: s.conversations - s.resolved,
      byDay: ctx.days.map((date) => ({ date, count: s.byDay[date] ?? 0 })),
      bySite: Object.entries(s.bySite).map(([siteId, count]) => ({ siteId, name: ctx.siteNames.get(siteId) ?? '', count })).sort(byCount((x) => x.name + x.siteId)),
      byChannel: Object.entries(s.byChannel).map(([channel, count]) => ({ channel, count })).sort(byCount((x) => x.channel)),
    },
    firstResponse: { count: fr.length, averageSeconds: average(fr), medianSeconds: percentile(fr, 50), p90Seconds: percentile(fr, 90) },
    resolution: { count: res.length, averageSeconds: average(res), medianSeconds: percentile(res, 50) },
    topPages: Object.entries(s.pages).map(([url, count]) => ({ url, count })).sort(byCount((x) => x.url)).slice(0, TOP_PAGES).map((x) => ({ url: x.url, conversations: x.count })),
    agents: Object.entries(s.agents)
      .map(([userId, a]) => ({ userId, name: ctx.memberNames.get(userId) ?? '', conversations: a.conversations, replies: a.replies, averageFirstResponseSeconds: average(a.firstResponse) }))
      .sort((a, b) => b.conversations - a.conversations || b.replies - a.replies || (a.name + a.userId < b.name + b.userId ? -1 : 1)),
    tags: Object.entries(s.tags).map(([tag, count]) => ({ tag, count })).sort(byCount((x) => x.tag)),
  };
}
