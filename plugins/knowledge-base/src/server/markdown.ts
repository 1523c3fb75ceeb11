import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';

/**
 * Article bodies are Markdown, stored as written and rendered here: markdown-it with raw
 * HTML turned off, then sanitize-html with an allow-list, so neither Markdown nor
 * anything smuggled through it can bring a script, an event handler, a style, an SVG or
 * a `javascript:`/`data:` URL (API-features.md: "no script, no event handlers, no
 * `javascript:` URLs, ever"). Links get `rel="noopener nofollow"` and open in a new tab.
 */
const markdown = new MarkdownIt({ html: false, linkify: true, typographer: false });

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: ['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p', 'br', 'hr', 'strong', 'em', 's', 'del', 'blockquote', 'ul', 'ol', 'li', 'code', 'pre', 'a', 'img', 'table', 'thead', 'tbody', 'tr', 'th', 'td'],
  allowedAttributes: { a: ['href', 'title', 'rel', 'target'], img: ['src', 'alt', 'title'], ol: ['start'], th: ['style'], td: ['style'] },
  // Table cell alignment is the only style markdown-it writes; nothing else survives.
  allowedStyles: { th: { 'text-align': [/^(left|right|center)$/] }, td: { 'text-align': [/^(left|right|center)$/] } },
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  allowedSchemesByTag: { img: ['http', 'https'] },
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  transformTags: {
    a: sanitizeHtml.simpleTransform('a', { rel: 'noopener nofollow', target: '_blank' }),
  },
};

/** The sanitized HTML of an article body. */
export function renderMarkdown(body: string): string {
  return sanitizeHtml(markdown.render(body), SANITIZE);
}

/** The plain text of an article body (for search snippets and meta descriptions): what a reader sees, without markup. */
export function plainText(body: string): string {
  const parts: string[] = [];
  for (const block of markdown.parse(body, {})) {
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
