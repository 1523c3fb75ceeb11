import t from 'tap';
import { resolveLocale, stringsFor } from '../src/shared/i18n.js';
import { linkify } from '../src/shared/linkify.js';
import { contrast, readableOn, safeColor, safeUrl, themeFrom } from '../src/ui/theme.js';
import { replayQueue, type CharlaApi } from '../src/app/sdk.js';

t.test('linkify: only http(s) URLs become links; everything else stays text', async (t) => {
  t.same(linkify('see https://example.com/a?b=1. ok'), [{ text: 'see ' }, { text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' }, { text: '. ok' }]);
  t.same(linkify('javascript:alert(1) data:text/html,<b>x</b>'), [{ text: 'javascript:alert(1) data:text/html,<b>x</b>' }]);
  t.same(linkify('<img src=x onerror=alert(1)>'), [{ text: '<img src=x onerror=alert(1)>' }], 'HTML is just text');
  t.same(linkify('(http://a.b/c)'), [{ text: '(' }, { text: 'http://a.b/c', href: 'http://a.b/c' }, { text: ')' }]);
  t.same(linkify(''), []);
});

t.test('locale: explicit wins, then the browser, English by default', async (t) => {
  t.equal(resolveLocale('es', ['en-US']), 'es');
  t.equal(resolveLocale(undefined, ['es-MX', 'en']), 'es');
  t.equal(resolveLocale(undefined, ['fr-FR']), 'en');
  t.equal(resolveLocale('en', 'es-ES'), 'en');
  const es = stringsFor('es');
  t.same([es.openChat, es.closeChat, es.message, es.email], ['Abrir chat', 'Cerrar chat', 'Mensaje', 'Correo electrónico']);
  const en = stringsFor('en');
  t.same([en.openChat, en.closeChat, en.message, en.email], ['Open chat', 'Close chat', 'Message', 'Email']);
});

t.test('theme: colours are validated and text stays readable', async (t) => {
  t.equal(safeColor('#0f766e', '#000'), '#0f766e');
  t.equal(safeColor('red;} body{display:none', '#000'), '#000', 'no CSS injection');
  t.equal(safeUrl('javascript:alert(1)'), null);
  t.equal(safeUrl('https://cdn.example.com/logo.png'), 'https://cdn.example.com/logo.png');
  t.equal(safeUrl('http://cdn.example.com/logo.png'), null, 'http: is not shown (mixed content)');
  t.equal(readableOn('#ffff00'), '#111827');
  t.equal(readableOn('#1e3a8a'), '#ffffff');
  t.ok(contrast('#000000', '#ffffff') > 20);
  const th = themeFrom({ primaryColor: '#fde047', backgroundColor: '#ffffff', textColor: '#fefefe' });
  t.equal(th.onPrimary, '#111827');
  t.ok(contrast(th.text, th.background) >= 4.5, 'unreadable text colour replaced');
});

t.test('replayQueue: init first (queued or from data-app-id), then the rest in order', async (t) => {
  const calls: unknown[][] = [];
  const api = ((...args: unknown[]) => calls.push(args)) as unknown as CharlaApi;
  replayQueue(api, [['identify', { email: 'a@b.c' }], ['init', { appId: 'A' }], ['open']], 'B');
  t.same(calls, [['init', { appId: 'A' }], ['identify', { email: 'a@b.c' }], ['open']], 'queued init wins over data-app-id');
  calls.length = 0;
  replayQueue(api, [['track', 'x']], 'B');
  t.same(calls, [['init', { appId: 'B' }], ['track', 'x']], 'auto-init from data-app-id');
  calls.length = 0;
  replayQueue(api, [], undefined);
  t.same(calls, [], 'no appId: nothing');
});

t.test('plugin-ui: the composer hook is debounced, suggestions are capped and cleared', async (t) => {
  const { createPluginUi, COMPOSE_DEBOUNCE_MS, MAX_SUGGESTIONS } = await import('../src/app/plugin-ui.js');
  // The messenger element is a plain EventTarget with the props the UI sets.
  const el = Object.assign(new EventTarget(), { panels: [] as unknown[], suggestions: [] as Array<{ key: string; select(): void }>, showTab: async (k: string) => void (el.tab = k), redraw: async () => undefined, tab: 'chat' });
  const ui = createPluginUi({
    api: 'http://x', open: () => undefined, close: () => undefined,
    listen: () => () => undefined,
    widget: { isOpen: true, locale: 'en', messenger: async () => el as never } as never,
  });
  t.teardown(() => ui.stop());
  await new Promise((r) => setTimeout(r, 0));
  const heard: string[] = [];
  ui.composers.add((x) => heard.push(x));
  const type = (text: string) => el.dispatchEvent(new CustomEvent('charlaDraft', { detail: { text } }));
  const started = Date.now();
  for (const x of ['r', 're', 'ref', 'refund']) type(x);
  await new Promise((r) => setTimeout(r, COMPOSE_DEBOUNCE_MS + 100));
  t.same(heard, ['refund'], 'one call, with the last text');
  t.ok(Date.now() - started >= COMPOSE_DEBOUNCE_MS, 'after the pause');
  const safe = <A extends unknown[]>(fn?: (...a: A) => void) => (...a: A) => fn?.(...a);
  const chosen: string[] = [];
  ui.suggest('kb', Array.from({ length: 8 }, (_, i) => ({ id: String(i), title: `T${i}`, onSelect: () => chosen.push(String(i)) })), safe);
  ui.suggest('bot', [{ id: 'x', title: 'X', onSelect: () => undefined }], safe);
  t.equal(el.suggestions.length, MAX_SUGGESTIONS, `at most ${MAX_SUGGESTIONS} in all`);
  el.suggestions[1].select();
  t.same(chosen, ['1'], 'select runs onSelect');
  t.same(el.suggestions, [], 'and clears them');
  ui.suggest('kb', [{ id: 'a', title: 'A', onSelect: () => undefined }], safe);
  type('  ');
  t.same(el.suggestions, [], 'an emptied box clears them');
  t.equal(heard.at(-1), '', 'and tells the composers at once');
  ui.setPanel('kb:help', { id: 'help', title: 'Help', render: () => undefined }, safe);
  ui.setPanel('bot:x', { id: 'x', title: { es: 'Equis', en: 'X' }, render: () => undefined }, safe);
  ui.setPanel('kb:help', { id: 'help', title: 'Help 2', render: () => undefined }, safe);
  t.same((el.panels as Array<{ title: string }>).map((p) => p.title), ['Help 2', 'X'], 'same key: replaced in place; the title in the widget\'s language (en fallback)');
  ui.status('kb', 'You are next');
  ui.status('bot', 'Bot on');
  t.same((el as unknown as { statuses: string[] }).statuses, ['You are next', 'Bot on'], 'status lines, one per plugin');
  ui.status('bot', null);
  t.same((el as unknown as { statuses: string[] }).statuses, ['You are next'], 'null removes the plugin\'s line');
  const warn = console.warn;
  const warned: unknown[] = [];
  console.warn = (...a: unknown[]) => void warned.push(a.join(' '));
  ui.renderBlock({ name: 'kb', url: '', data: {}, blocks: ['article'] }, 'article', () => undefined, safe);
  ui.renderBlock({ name: 'kb', url: '', data: {}, blocks: ['article'] }, 'quick-replies', () => undefined, safe);
  console.warn = warn;
  t.same(Object.keys((el as unknown as { renderers: object }).renderers), ['article'], 'a plugin renders only its own block types');
  t.match(warned, [/cannot render block type "quick-replies"/], 'another type is refused with a warning');
  ui.drop('kb');
  t.same(Object.keys((el as unknown as { renderers: object }).renderers), [], 'drop removes its renderers');
  t.same((el.panels as Array<{ key: string }>).map((p) => p.key), ['bot:x'], 'drop removes one plugin\'s tabs');
  t.same((el as unknown as { statuses: string[] }).statuses, [], 'and its status line');
});
