import { createRequire } from 'node:module';
import type MarkdownIt from 'markdown-it';
import type sanitizeHtml from 'sanitize-html';

/**
 * Article bodies are Markdown, stored as written and rendered here: markdown-it with raw
 * HTML turned off, then sanitize-html with an allow-list, so neither Markdown nor
 * anything smuggled through it can bring a script, an event handler, a style, an SVG or
 * a `javascript:`/`data:` URL (API-features.md: "no script, no event handlers, no
 * `javascript:` URLs, ever"). Links get `rel="noopener nofollow"` and open in a new tab.
 */
const sanitizeOptions = (lib: typeof sanitizeHtml): sanitizeHtml.IOptions => ({
  allowedTags: ['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p', 'br', 'hr', 'strong', 'em', 's', 'del', 'blockquote', 'ul', 'ol', 'li', 'code', 'pre', 'a', 'img', 'table', 'thead', 'tbody', 'tr', 'th', 'td'],
  allowedAttributes: { a: ['href', 'title', 'rel', 'target'], img: ['src', 'alt', 'title'], ol: ['start'], th: ['style'], td: ['style'] },
  // Table cell alignment is the only style markdown-it writes; nothing else survives.
  allowedStyles: { th: { 'text-align': [/^(left|right|center)$/] }, td: { 'text-align': [/^(left|right|center)$/] } },
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  allowedSchemesByTag: { img: ['http', 'https'] },
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  transformTags: {
    a: lib.simpleTransform('a', { rel: 'noopener nofollow', target: '_blank' }),
  },
});

// markdown-it and sanitize-html (with postcss and htmlparser2) are loaded at the first
// article rendered, not at start (79 modules fewer to load when the server starts).
const require = createRequire(import.meta.url);
type Markdown = ReturnType<typeof MarkdownIt>;
let markdownIt: Markdown | undefined;
const markdown = (): Markdown => (markdownIt ??= new (require('markdown-it') as typeof MarkdownIt)({ html: false, linkify: true, typographer: false }));
let sanitizer: { sanitize: typeof sanitizeHtml; options: sanitizeHtml.IOptions } | undefined;
const sanitize = (html: string): string => {
  if (!sanitizer) {
    const lib = require('sanitize-html') as typeof sanitizeHtml;
    sanitizer = { sanitize: lib, options: sanitizeOptions(lib) };
  }
  return sanitizer.sanitize(html, sanitizer.options);
};

/** The sanitized HTML of an article body. */
export function renderMarkdown(body: string): string {
  return sanitize(markdown().render(body));
}

/** The plain text of an article body (for search snippets and meta descriptions): what a reader sees, without markup. */
export function plainText(body: string): string {
  const parts: string[] = [];
  for (const block of markdown().parse(body, {})) {
    if (block.type === 'inline') {
      for (const child of block.children ?? []) {
        if (child.type === 'text' || child.type === 'code_inline') parts.push(child.content);
        else if (child.type === 'softbreak' || child.type === 'hardbreak') parts.push(' ');
      }
      parts.push(' ');
    } else if (block.type === 'fence' || block.type === 'code_block') {
      parts.push(block.content, ' ');
    }
  }
  return parts.join('').replace(/\s+/g, ' ').trim();
}
