import { escapeHtml } from '../html.js';
import type { WidgetConfig } from '@charla/core';
import { HELP_STRINGS, type HelpLanguage } from './strings.js';

/**
 * The public help center's HTML, rendered on the server: no script, every value escaped
 * here (article bodies arrive already sanitized by markdown.ts), themed with the site's
 * widget colours and logo.
 */

const COLOR = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i;
const color = (value: string | undefined, fallback: string) => (value && COLOR.test(value) ? value : fallback);
const safeUrl = (url: string | null | undefined) => (url && /^https?:\/\//i.test(url) ? url : null);

/** No script may run here; styles are the page's own; images may come from anywhere over http(s). */
export const HELP_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src https: http: data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

export interface SiteLook { name: string; appId: string; widget: WidgetConfig }
export interface ListedArticle { slug: string; title: string; category: string | null; snippet?: string }

interface Page { lang: HelpLanguage; site: SiteLook; title: string; description: string; canonical: string; main: string; query?: string }

function layout({ lang, site, title, description, canonical, main, query }: Page): string {
  const t = HELP_STRINGS[lang];
  const primary = color(site.widget.primaryColor, '#4f46e5');
  const background = color(site.widget.backgroundColor, '#ffffff');
  const text = color(site.widget.textColor, '#111827');
  const logo = safeUrl(site.widget.logoUrl);
  const home = `/help/${encodeURIComponent(site.appId)}`;
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<meta name="description" content="${escapeHtml(description)}">
<meta name="robots" content="index, follow">
<link rel="canonical" href="${escapeHtml(canonical)}">
<meta property="og:title" content="${escapeHtml(title)}">
<meta property="og:description" content="${escapeHtml(description)}">
<style>
:root { --primary: ${primary}; --bg: ${background}; --text: ${text}; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.6 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--bg); color: var(--text); }
header { background: var(--primary); color: #fff; padding: 2rem 1rem 2.5rem; }
header .inner, main { max-width: 46rem; margin: 0 auto; }
header a.brand { color: #fff; text-decoration: none; display: flex; align-items: center; gap: .75rem; font-weight: 600; font-size: 1.25rem; }
header img { height: 2.5rem; width: auto; border-radius: .375rem; background: #fff; }
form { margin-top: 1.25rem; display: flex; gap: .5rem; }
input[type=search] { flex: 1; padding: .75rem 1rem; border: 0; border-radius: .5rem; font: inherit; color: #111827; }
button { padding: .75rem 1.25rem; border: 2px solid #fff; border-radius: .5rem; background: transparent; color: #fff; font: inherit; font-weight: 600; cursor: pointer; }
main { padding: 1.5rem 1rem 4rem; }
h2 { font-size: 1.1rem; margin: 2rem 0 .5rem; }
ul.articles { list-style: none; padding: 0; margin: 0; }
ul.articles li { padding: .75rem 0; border-bottom: 1px solid color-mix(in srgb, var(--text) 12%, transparent); }
ul.articles a { color: var(--primary); font-weight: 600; text-decoration: none; }
ul.articles p { margin: .25rem 0 0; font-size: .925rem; opacity: .85; }
mark { background: color-mix(in srgb, var(--primary) 22%, transparent); color: inherit; border-radius: .2rem; }
article a { color: var(--primary); }
article img { max-width: 100%; }
article pre { overflow-x: auto; padding: 1rem; border-radius: .5rem; background: color-mix(in srgb, var(--text) 6%, transparent); }
.meta { font-size: .875rem; opacity: .7; }
nav.crumbs a { color: var(--primary); }
</style>
</head>
<body>
<header><div class="inner">
<a class="brand" href="${home}">${logo ? `<img src="${escapeHtml(logo)}" alt="">` : ''}<span>${escapeHtml(site.name)} · ${escapeHtml(t.helpCenter)}</span></a>
<form role="search" method="get" action="${home}">
<input type="search" name="q" value="${escapeHtml(query ?? '')}" placeholder="${escapeHtml(t.search)}" aria-label="${escapeHtml(t.search)}" maxlength="200">
<button type="submit">${escapeHtml(t.searchButton)}</button>
</form>
</div></header>
<main>
${main}
</main>
</body>
</html>`;
}

function articleList(site: SiteLook, articles: ListedArticle[]): string {
  const home = `/help/${encodeURIComponent(site.appId)}`;
  return `<ul class="articles">${articles.map((a) => `<li><a href="${home}/${encodeURIComponent(a.slug)}">${escapeHtml(a.title)}</a>${a.snippet ? `<p>${a.snippet}</p>` : ''}</li>`).join('')}</ul>`;
}

/** The home page: published articles grouped by category, or search results for `query`. */
export function homePage(input: { lang: HelpLanguage; site: SiteLook; canonical: string; articles: ListedArticle[]; query?: string }): string {
  const { lang, site, articles, query } = input;
  const t = HELP_STRINGS[lang];
  let main: string;
  if (query) {
    main = `<h1>${escapeHtml(t.results(articles.length, query))}</h1>${articles.length ? articleList(site, articles) : `<p>${escapeHtml(t.noResults)}</p>`}`;
  } else if (!articles.length) {
    main = `<h1>${escapeHtml(t.helpCenter)}</h1><p>${escapeHtml(t.empty)}</p>`;
  } else {
    const groups = new Map<string, ListedArticle[]>();
    const byTitle = [...articles].sort((x, y) => x.title.localeCompare(y.title, lang));
    for (const a of byTitle) groups.set(a.category ?? '', [...(groups.get(a.category ?? '') ?? []), a]);
    const names = [...groups.keys()].sort((x, y) => (x === '' ? 1 : y === '' ? -1 : x.localeCompare(y, lang)));
    main = `<h1>${escapeHtml(t.helpCenter)}</h1>${names.map((name) => `<section><h2>${escapeHtml(name || t.uncategorized)}</h2>${articleList(site, groups.get(name)!)}</section>`).join('')}`;
  }
  const title = query ? `${query} · ${site.name} ${t.helpCenter}` : `${site.name} · ${t.helpCenter}`;
  const description = articles.length ? `${t.helpCenter} ${site.name}: ${articles.slice(0, 5).map((a) => a.title).join(' · ')}`.slice(0, 160) : `${t.helpCenter} ${site.name}`;
  return layout({ lang, site, title, description, canonical: input.canonical, main, query });
}

/** One article: its sanitized HTML, a description for search engines from its text. */
export function articlePage(input: { lang: HelpLanguage; site: SiteLook; canonical: string; title: string; html: string; text: string; updatedAt: Date; locale: string }): string {
  const { lang, site } = input;
  const t = HELP_STRINGS[lang];
  const description = input.text.length > 160 ? `${input.text.slice(0, 157).replace(/\s+\S*$/, '')}…` : input.text;
  const main = `<nav class="crumbs"><a href="/help/${encodeURIComponent(site.appId)}">← ${escapeHtml(t.back)}</a></nav>
<article lang="${escapeHtml(input.locale)}"><h1>${escapeHtml(input.title)}</h1>
<p class="meta">${escapeHtml(t.updated)} <time datetime="${input.updatedAt.toISOString()}">${escapeHtml(input.updatedAt.toISOString().slice(0, 10))}</time></p>
${input.html}</article>`;
  return layout({ lang, site, title: `${input.title} · ${site.name}`, description: description || input.title, canonical: input.canonical, main });
}
