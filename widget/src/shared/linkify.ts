/** A piece of message text: plain text, or an http(s) link to render as a safe anchor. */
export type TextToken = { text: string; href?: undefined } | { text: string; href: string };

const URL_RE = /\bhttps?:\/\/[^\s<>"']+/gi;
const TRAILING = /[.,;:!?)\]}'"»]+$/;

/**
 * Splits message text into text and link tokens. Only `http:`/`https:` URLs become links
 * (never `javascript:` or `data:`); the caller renders text tokens as text nodes, so no
 * visitor or agent text is ever parsed as HTML.
 */
export function linkify(input: string): TextToken[] {
  const out: TextToken[] = [];
  let last = 0;
  for (const match of input.matchAll(URL_RE)) {
    let url = match[0];
    const trail = TRAILING.exec(url);
    if (trail) url = url.slice(0, url.length - trail[0].length);
    const start = match.index ?? 0;
    let href: string | undefined;
    try {
      const u = new URL(url);
      if (u.protocol === 'http:' || u.protocol === 'https:') href = u.href;
    } catch {
      href = undefined;
    }
    if (!href) continue;
    if (start > last) out.push({ text: input.slice(last, start) });
    out.push({ text: url, href });
    last = start + url.length;
  }
  if (last < input.length) out.push({ text: input.slice(last) });
  return out;
}
