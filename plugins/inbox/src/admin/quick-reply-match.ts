import type { QuickReply } from './inbox-api';

/** The shortcut being typed ("/ref" → "ref", "/" → ""), or null when the draft is not a quick-reply command. */
export function quickReplyQuery(draft: string): string | null {
  const m = /^\/([a-z0-9_-]{0,40})$/i.exec(draft.trim());
  return m ? m[1].toLowerCase() : null;
}

/** Quick replies whose shortcut starts with the query: an exact match first, then by shortcut; at most `limit`. */
export function matchQuickReplies(list: readonly QuickReply[], query: string, limit = 8): QuickReply[] {
  const norm = (s: string) => s.replace(/^\//, '').toLowerCase();
  return list
    .filter((r) => norm(r.shortcut).startsWith(query))
    .sort((a, b) => Number(norm(b.shortcut) === query) - Number(norm(a.shortcut) === query) || norm(a.shortcut).localeCompare(norm(b.shortcut)))
    .slice(0, limit);
}
