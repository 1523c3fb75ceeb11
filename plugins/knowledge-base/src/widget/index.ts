/**
 * The knowledge base in the chat widget: a "Help" / "Ayuda" tab with a search box,
 * results (title and highlighted snippet), the article and "Did this help?"; and, while
 * the visitor types a message, the best articles as suggestions above the composer
 * (choosing one opens it in the tab). Only published articles: the widget routes
 * (/api/v1/widget/kb/…) never return anything else. Built into dist/widget/index.js by
 * tsconfig.widget.json; loaded when the messenger first opens (not eager).
 *
 * Safety: every string from the server goes in as text, except the article's HTML, which
 * the server rendered from Markdown and sanitized (sanitize-html) — the one place HTML
 * goes in, inside the widget's shadow root. The snippets' `<mark>` highlights are turned
 * into nodes here, never parsed as HTML.
 */
import type { WidgetPanelHandle, WidgetPluginApi, WidgetPluginCleanup, WidgetProblem } from '@charla/core/widget';

interface Hit {
  id: string;
  slug: string;
  title: string;
  /** HTML-escaped text with the matched words in `<mark>`. */
  snippet: string;
}
interface Article {
  id: string;
  slug: string;
  title: string;
  html: string;
  updatedAt: string;
}

/** The search (and the suggestions) wait this long after the last keystroke. */
const SEARCH_DEBOUNCE_MS = 250;
/** Words shorter than this (in all) do not ask for suggestions. */
const SUGGEST_MIN_CHARS = 3;

const STRINGS = {
  en: {
    tab: 'Help', search: 'Search articles', placeholder: 'Search our help articles…', results: 'Articles',
    none: 'No articles found', searching: 'Searching…', failed: 'The articles could not be loaded. Try again.',
    back: 'Back', helped: 'Did this help?', yes: 'Yes', no: 'No', thanks: 'Thanks for your feedback!',
    hint: 'Type a few words to find an answer.', gone: 'This article is no longer available.', read: 'Read the article',
  },
  es: {
    tab: 'Ayuda', search: 'Buscar artículos', placeholder: 'Busca en nuestros artículos de ayuda…', results: 'Artículos',
    none: 'No encontramos artículos', searching: 'Buscando…', failed: 'No se pudieron cargar los artículos. Inténtalo de nuevo.',
    back: 'Volver', helped: '¿Te ha sido útil?', yes: 'Sí', no: 'No', thanks: '¡Gracias por tu opinión!',
    hint: 'Escribe unas palabras para encontrar una respuesta.', gone: 'Este artículo ya no está disponible.', read: 'Leer el artículo',
  },
};

const CSS = `
.kb{display:flex;flex-direction:column;gap:10px}
.kb input{width:100%;padding:9px 12px;border:1px solid color-mix(in srgb,var(--charla-text,#1f2937) 25%,transparent);border-radius:10px;font:inherit;background:var(--charla-bg,#fff);color:inherit}
.kb ul{list-style:none;margin:0;padding:0;display:flex;flex-direction:column;gap:6px}
.kb .hit{width:100%;text-align:left;padding:8px 10px;border:1px solid color-mix(in srgb,var(--charla-text,#1f2937) 15%,transparent);border-radius:10px;background:none;color:inherit;font:inherit;cursor:pointer}
.kb .hit strong{display:block}
.kb .hit span{display:block;font-size:12px;opacity:.8;overflow-wrap:anywhere}
.kb mark{background:color-mix(in srgb,var(--charla-primary,#2563eb) 25%,transparent);color:inherit;border-radius:2px}
.kb .status{margin:0;font-size:13px;opacity:.8}
.kb .back{align-self:flex-start;border:0;background:none;color:var(--charla-primary,#2563eb);font:inherit;font-weight:600;cursor:pointer;padding:2px 0}
.kb h3{margin:0;font-size:16px}
.kb .body{overflow-wrap:anywhere;line-height:1.5}
.kb .body img{max-width:100%}
.kb .body a{color:var(--charla-primary,#2563eb)}
.kb .feedback{display:flex;align-items:center;gap:8px;flex-wrap:wrap;border-top:1px solid color-mix(in srgb,var(--charla-text,#1f2937) 12%,transparent);padding-top:10px}
.kb .feedback p{margin:0}
.kb .feedback button{padding:5px 14px;border-radius:8px;border:1px solid var(--charla-primary,#2563eb);background:none;color:inherit;font:inherit;cursor:pointer}
.kb :focus-visible{outline:2px solid var(--charla-primary,#2563eb);outline-offset:2px}
`;

/** `&#38;`, `&amp;`… back to characters (the snippet is HTML-escaped by the server). */
function unescape(s: string): string {
  return s
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n: string) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[e] ?? '');
}

/** The snippet as nodes: text, and `<mark>` elements for the highlights. Never innerHTML. */
export function snippetNodes(doc: Document, snippet: string): Node[] {
  const out: Node[] = [];
  let marked = false;
  for (const part of String(snippet).split(/(<mark>|<\/mark>)/)) {
    if (part === '<mark>') marked = true;
    else if (part === '</mark>') marked = false;
    else if (part) {
      const text = doc.createTextNode(unescape(part));
      if (marked) {
        const m = doc.createElement('mark');
        m.append(text);
        out.push(m);
      } else out.push(text);
    }
  }
  return out;
}

/** The snippet as plain text (for the suggestions, which are text only). */
export function snippetText(snippet: string): string {
  return unescape(String(snippet).replace(/<\/?mark>/g, ''));
}

export default function setup(api: WidgetPluginApi): WidgetPluginCleanup {
  const s = api.locale === 'es' ? STRINGS.es : STRINGS.en;
  let root: HTMLElement | undefined;
  let query = '';
  let hits: Hit[] | null = null;
  let status = s.hint;
  /** The article shown, or null for the search. */
  let article: Article | { id: string; missing: true } | null = null;
  let feedbackSent = false;
  let searchSeq = 0;
  let suggestSeq = 0;
  let searchTimer: ReturnType<typeof setTimeout> | undefined;
  let live = true;
  /** An element with properties (`textContent`, `onclick`…) and children: text stays text. */
  function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Record<string, unknown> = {}, ...kids: Array<Node | string>): HTMLElementTagNameMap[K] {
    const e = Object.assign(document.createElement(tag), props);
    e.append(...kids);
    return e;
  }

  const search = async (q: string) => {
    const seq = ++searchSeq;
    query = q;
    if (!q.trim()) {
      hits = null;
      status = s.hint;
      draw();
      return;
    }
    status = s.searching;
    drawResults();
    try {
      const r = await api.request<{ articles: Hit[] }>('GET', `/kb/search?q=${encodeURIComponent(q.slice(0, 200))}&limit=8`);
      if (seq !== searchSeq) return;
      hits = r.articles;
      status = r.articles.length ? '' : s.none;
    } catch {
      if (seq !== searchSeq) return;
      hits = [];
      status = s.failed;
    }
    drawResults();
  };

  const open = async (id: string) => {
    feedbackSent = false;
    try {
      article = await api.request<Article>('GET', `/kb/articles/${encodeURIComponent(id)}`);
    } catch (e) {
      article = (e as WidgetProblem).status === 404 ? { id, missing: true } : null;
      if (!article) status = s.failed;
    }
    draw();
    root?.querySelector<HTMLElement>('.back')?.focus();
  };

  const feedback = async (id: string, helpful: boolean) => {
    try {
      await api.request('POST', `/kb/articles/${encodeURIComponent(id)}/feedback`, { helpful });
      feedbackSent = true;
    } catch {
      /* the buttons stay: the visitor may try again */
    }
    draw();
    root?.querySelector<HTMLElement>('.feedback')?.focus();
  };

  /** Only the results and the status (typing in the box must not lose its focus). */
  const drawResults = () => {
    const list = root?.querySelector('ul');
    const p = root?.querySelector('.status');
    if (!list || !p) return;
    p.textContent = status;
    list.replaceChildren(
      ...(hits ?? []).map((h) =>
        el('li', {}, el('button', { type: 'button', className: 'hit', onclick: () => void open(h.id) }, el('strong', { textContent: h.title }), el('span', {}, ...snippetNodes(document, h.snippet)))),
      ),
    );
  };

  const draw = () => {
    if (!root || !live) return;
    const box = root.querySelector('.kb') ?? root.appendChild(el('div', { className: 'kb' }));
    if (!article) {
      let input = box.querySelector('input');
      if (!input) {
        input = el('input', { type: 'search', placeholder: s.placeholder, value: query, autocomplete: 'off' });
        input.setAttribute('aria-label', s.search);
        input.addEventListener('input', () => {
          clearTimeout(searchTimer);
          const q = (input as HTMLInputElement).value;
          searchTimer = setTimeout(() => void search(q), SEARCH_DEBOUNCE_MS);
        });
        const list = el('ul');
        list.setAttribute('aria-label', s.results);
        const p = el('p', { className: 'status' });
        p.setAttribute('role', 'status');
        box.replaceChildren(input, p, list);
      }
      drawResults();
      return;
    }
    const a = article;
    const back = el('button', { type: 'button', className: 'back', textContent: `← ${s.back}`, onclick: () => ((article = null), draw(), root?.querySelector('input')?.focus()) });
    if ('missing' in a) {
      box.replaceChildren(back, el('p', { className: 'status', textContent: s.gone }));
      return;
    }
    const body = el('div', { className: 'body' });
    // The server's Markdown rendering, sanitized there: the one place HTML goes in.
    body.innerHTML = a.html;
    for (const link of body.querySelectorAll('a')) link.target = '_blank';
    const fb = el('div', { className: 'feedback', tabIndex: -1 });
    fb.setAttribute('role', 'group');
    fb.setAttribute('aria-label', s.helped);
    if (feedbackSent) fb.append(el('p', { textContent: s.thanks }));
    else fb.append(el('p', { textContent: s.helped }), el('button', { type: 'button', textContent: s.yes, onclick: () => void feedback(a.id, true) }), el('button', { type: 'button', textContent: s.no, onclick: () => void feedback(a.id, false) }));
    box.replaceChildren(back, el('h3', { textContent: a.title }), body, fb);
  };

  const panel: WidgetPanelHandle = api.panel({
    id: 'help',
    title: { en: STRINGS.en.tab, es: STRINGS.es.tab },
    render(container) {
      if (root !== container) {
        root = container;
        container.append(el('style', { textContent: CSS }));
      }
      draw();
    },
  });

  // Article cards in messages (`type: 'article'` blocks, e.g. from a bot): open in the Help tab.
  api.renderBlock('article', (block, container) => {
    const id = String(block.id);
    container.append(
      el('p', {}, el('strong', { textContent: String(block.title ?? '') })),
      ...(typeof block.description === 'string' && block.description ? [el('p', { textContent: block.description })] : []),
      el('button', { type: 'button', className: 'choice', textContent: s.read, onclick: () => void open(id).then(() => panel.show()) }),
    );
  });

  // Suggestions while the visitor types a message: the best published articles.
  const off = api.onCompose(async (text) => {
    const seq = ++suggestSeq;
    if (text.length < SUGGEST_MIN_CHARS) return api.suggest([]);
    try {
      const r = await api.request<{ articles: Hit[] }>('GET', `/kb/search?q=${encodeURIComponent(text.slice(0, 200))}&limit=3`);
      if (seq !== suggestSeq) return;
      api.suggest(r.articles.map((h) => ({ id: h.id, title: h.title, description: snippetText(h.snippet), onSelect: () => void open(h.id).then(() => panel.show()) })));
    } catch {
      /* no suggestions this time */
    }
  });

  return () => {
    live = false;
    clearTimeout(searchTimer);
    off();
  };
}
