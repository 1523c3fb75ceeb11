/**
 * The admin's message syntax: `{name}` placeholders and ICU plurals, e.g.
 * `{n, plural, one {# disponible} other {# disponibles}}` (`#` is the number; `=0 {…}`
 * for an exact value; categories from Intl.PluralRules of the locale: one, few, many, other…).
 * A value that is not a number (e.g. "99+") takes `other`; `{{…}}` is literal. No dependencies: the plugins'
 * catalogues are checked with it in node too (admin/test/i18n-catalogues.test.ts).
 */

type Part = string | { name: string; plural?: Record<string, Part[]> };

const cache = new Map<string, Part[]>();

/** Parses `text`; throws a SyntaxError naming the problem for a malformed message. */
export function parseMessage(text: string): Part[] {
  const hit = cache.get(text);
  if (hit) return hit;
  let i = 0;
  const parse = (inPlural: boolean): Part[] => {
    const out: Part[] = [];
    let buf = '';
    while (i < text.length) {
      const ch = text[i];
      if (ch === '}') {
        if (!inPlural) throw new SyntaxError(`unbalanced "}" at ${i} in ${JSON.stringify(text)}`);
        break;
      }
      if (ch !== '{') {
        buf += ch;
        i++;
        continue;
      }
      // `{{…}}` is literal text (e.g. quick-reply variables shown in a hint).
      if (text[i + 1] === '{') {
        const end = text.indexOf('}}', i);
        if (end < 0) throw new SyntaxError(`unclosed "{{" at ${i} in ${JSON.stringify(text)}`);
        buf += text.slice(i, end + 2);
        i = end + 2;
        continue;
      }
      const close = text.indexOf('}', i);
      const head = /^\{\s*(\w+)\s*(?:,\s*(\w+)\s*,)?/.exec(text.slice(i));
      if (!head || close < 0) throw new SyntaxError(`malformed placeholder at ${i} in ${JSON.stringify(text)}`);
      if (buf) out.push(buf);
      buf = '';
      const name = head[1];
      if (!head[2]) {
        if (text[i + head[0].length] !== '}') throw new SyntaxError(`malformed placeholder {${name}…} in ${JSON.stringify(text)}`);
        out.push({ name });
        i += head[0].length + 1;
        continue;
      }
      if (head[2] !== 'plural') throw new SyntaxError(`unsupported "${head[2]}" in ${JSON.stringify(text)} (only plural)`);
      i += head[0].length;
      const plural: Record<string, Part[]> = {};
      for (;;) {
        while (text[i] === ' ') i++;
        if (text[i] === '}') {
          i++;
          break;
        }
        const sel = /^(=\d+|zero|one|two|few|many|other)\s*\{/.exec(text.slice(i));
        if (!sel) throw new SyntaxError(`bad plural case at ${i} in ${JSON.stringify(text)}`);
        i += sel[0].length;
        plural[sel[1]] = parse(true);
        if (text[i] !== '}') throw new SyntaxError(`unclosed plural case in ${JSON.stringify(text)}`);
        i++;
      }
      if (!plural.other) throw new SyntaxError(`plural without "other" in ${JSON.stringify(text)}`);
      out.push({ name, plural });
    }
    if (buf) out.push(buf);
    return out;
  };
  const parts = parse(false);
  if (i < text.length) throw new SyntaxError(`unbalanced "}" in ${JSON.stringify(text)}`);
  cache.set(text, parts);
  return parts;
}

/** The placeholder names a message uses (plural ones included). */
export function placeholdersOf(text: string): string[] {
  const names = new Set<string>();
  const walk = (parts: Part[]) => {
    for (const p of parts) {
      if (typeof p === 'string') continue;
      names.add(p.name);
      if (p.plural) for (const c of Object.values(p.plural)) walk(c);
    }
  };
  walk(parseMessage(text));
  return [...names].sort();
}

/** Whether `name` is used as a plural in `text`. */
export function isPlural(text: string, name: string): boolean {
  return parseMessage(text).some((p) => typeof p !== 'string' && p.name === name && !!p.plural);
}

const rules = new Map<string, Intl.PluralRules>();

/** Formats `text` for `locale`; a missing param stays as `{name}`. A malformed message is shown as is. */
export function formatMessage(text: string, params: Record<string, unknown> | undefined, locale: string): string {
  if (!params || !text.includes('{')) return text;
  let parts: Part[];
  try {
    parts = parseMessage(text);
  } catch {
    return text;
  }
  let pr = rules.get(locale);
  if (!pr) rules.set(locale, (pr = new Intl.PluralRules(locale)));
  const render = (list: Part[], hash: string | undefined): string =>
    list
      .map((p) => {
        if (typeof p === 'string') return hash === undefined ? p : p.replace(/#/g, hash);
        const v = params[p.name];
        if (!p.plural) return v === undefined ? `{${p.name}}` : String(v);
        const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : NaN;
        const c = (Number.isFinite(n) && (p.plural[`=${n}`] ?? p.plural[pr.select(n)])) || p.plural.other;
        return render(c, v === undefined ? `{${p.name}}` : String(v));
      })
      .join('');
  return render(parts, undefined);
}
