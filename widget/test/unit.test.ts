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
