import { runInContext, createContext, type Context } from 'node:vm';

/** Lower case without accents: "Devolución" and "DEVOLUCION" both fold to "devolucion". */
export function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase();
}

/** The words of a text, folded (letters and digits; everything else separates words). */
export function words(text: string): string[] {
  return fold(text).split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

/** Whether `keyword` (one word or a phrase) appears in `haystack` as whole words, in sequence. */
export function hasKeyword(haystack: string[], keyword: string): boolean {
  const needle = words(keyword);
  if (!needle.length) return false;
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

export function keywordsMatch(content: string, keywords: string[], match: 'any' | 'all'): boolean {
  const haystack = words(content);
  return match === 'all' ? keywords.every((k) => hasKeyword(haystack, k)) : keywords.some((k) => hasKeyword(haystack, k));
}

export const MAX_PATTERN_LENGTH = 200;
/** A pattern's run on one message is stopped after this long (and counts as no match). */
export const PATTERN_TIME_LIMIT_MS = 50;

/**
 * Why a pattern is refused, or null when it is accepted. Besides compiling, the check
 * refuses what makes backtracking explode or is not needed to match words: nested
 * quantifiers (`(a+)+`, `(a*)*`, `(a|b+)*`), a quantified group with alternatives
 * (`(a|a)*`), backreferences and lookbehind. Every accepted pattern still runs with a
 * time limit (`PatternRunner`).
 */
export function unsafePattern(pattern: string): string | null {
  if (pattern.length > MAX_PATTERN_LENGTH) return `the pattern is longer than ${MAX_PATTERN_LENGTH} characters`;
  try {
    new RegExp(pattern, 'iu');
  } catch (err) {
    return `the pattern is not a valid regular expression (${(err as Error).message})`;
  }
  if (/\\[1-9]|\\k</.test(pattern)) return 'backreferences are not allowed';
  if (/\(\?<[=!]/.test(pattern)) return 'lookbehind is not allowed';
  // Walk the groups: a group that holds a quantifier or an alternation, and is itself quantified, is refused.
  const stack: Array<{ quantified: boolean; alternation: boolean }> = [];
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\') { i++; continue; }
    if (inClass) { if (ch === ']') inClass = false; continue; }
    if (ch === '[') { inClass = true; continue; }
    if (ch === '(') { stack.push({ quantified: false, alternation: false }); continue; }
    if (ch === '|' && stack.length) { stack[stack.length - 1].alternation = true; continue; }
    const quantifier = ch === '*' || ch === '+' || ch === '?' || (ch === '{' && /^\{\d+(,\d*)?\}/.test(pattern.slice(i)));
    if (quantifier && stack.length && !(ch === '?' && pattern[i - 1] === '(')) {
      // `x?` inside a group does not repeat: only `*`, `+` and `{n,}` count as a repetition inside.
      if (ch !== '?') stack[stack.length - 1].quantified = true;
    }
    if (ch === ')') {
      const group = stack.pop();
      const next = pattern[i + 1];
      const repeated = next === '*' || next === '+' || (next === '{' && /^\{\d+,\d*\}/.test(pattern.slice(i + 1))) || (next === '{' && /^\{(\d+)\}/.test(pattern.slice(i + 1)) && Number(/^\{(\d+)\}/.exec(pattern.slice(i + 1))![1]) > 1);
      if (group && repeated && (group.quantified || group.alternation)) return 'a repeated group may not contain repetitions or alternatives (e.g. (a+)+ or (a|b)*): such patterns can take forever';
      if (group && stack.length && (group.quantified || repeated)) stack[stack.length - 1].quantified = true;
    }
  }
  return null;
}

/**
 * Runs accepted patterns with a time limit, in a context of its own (one per plugin
 * instance: no module-level state). `node:vm`'s timeout interrupts a regular
 * expression mid-backtrack; a pattern that runs out of time is no match.
 */
export class PatternRunner {
  private readonly context: Context = createContext({});

  /** Whether an accepted pattern matches (a refused one never runs). */
  test(pattern: string, content: string): boolean {
    return unsafePattern(pattern) === null && this.timed(pattern, content);
  }

  /** The second line of defence on its own: any pattern, stopped after PATTERN_TIME_LIMIT_MS (then false). */
  timed(pattern: string, content: string): boolean {
    this.context.p = pattern;
    this.context.s = content;
    try {
      return runInContext('new RegExp(p, "iu").test(s)', this.context, { timeout: PATTERN_TIME_LIMIT_MS }) === true;
    } catch {
      return false;
    } finally {
      this.context.p = undefined;
      this.context.s = undefined;
    }
  }
}
