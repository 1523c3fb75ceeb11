import type { FastifyInstance } from 'fastify';
import { CoreErrors } from '../errors.js';

/** Deepest nesting of arrays and objects a request body may have (every route). */
export const MAX_JSON_DEPTH = 64;

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });
const LONE_SURROGATE = /\p{Cs}/u; // in a `u` regex only unpaired surrogates are code points of category Cs
/**
 * A `\uD800`–`\uDFFF` escape: after a fatal UTF-8 decode the only way a surrogate gets
 * into the parsed value, so a body without one (nearly all) skips the walk of its strings.
 */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/**
 * Nesting depth of a JSON text, counted on the text before parsing (strings skipped), so
 * an 8,000-level body is refused without recursing into it anywhere — parsing, cloning,
 * validation or storage.
 */
export function jsonDepth(text: string, stopAbove = Infinity): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > max && (max = depth) > stopAbove) return max;
    } else if (c === 93 || c === 125) depth--;
  }
  return max;
}

/** The first string (key or value) holding a lone UTF-16 surrogate, as a JSON path, or null. */
function loneSurrogateAt(value: unknown, path = '$'): string | null {
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? path : null;
  if (!value || typeof value !== 'object') return null;
  for (const [k, v] of Object.entries(value)) {
    const at = `${path}${Array.isArray(value) ? `[${k}]` : `.${k}`}`;
    if (LONE_SURROGATE.test(k)) return at;
    const found = loneSurrogateAt(v, at);
    if (found) return found;
  }
  return null;
}

/**
 * The `application/json` parser of every route: Fastify's own (prototype-poisoning
 * refusal included) behind three checks that answer 400 instead of storing something
 * else than was sent or overflowing the stack later: bytes that are not UTF-8, nesting
 * deeper than MAX_JSON_DEPTH, and strings with lone surrogates (`"\ud800"`), which
 * PostgreSQL and UTF-8 encoders would otherwise silently turn into U+FFFD.
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = fatalUtf8.decode(body as Buffer);
    } catch {
      return done(CoreErrors.badRequest('The body is not valid UTF-8.'), undefined);
    }
    if (jsonDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) return done(CoreErrors.badRequest(`The body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels.`), undefined);
    void parse(request, text, (err, value) => {
      if (err) return done(err, undefined);
      const at = SURROGATE_ESCAPE.test(text) ? loneSurrogateAt(value) : null;
      if (at) return done(CoreErrors.badRequest(`${at} contains a lone UTF-16 surrogate (half of a surrogate pair, e.g. "\\ud83d" without its partner): send well-formed text.`), undefined);
      done(null, value);
    });
  });
}
