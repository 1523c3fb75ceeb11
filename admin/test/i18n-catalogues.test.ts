/**
 * Issue 24: every admin catalogue — the shell's and each plugin's src/admin/i18n — says the
 * same things in English and Spanish: the same keys, the same placeholders, well-formed
 * messages, and counts as ICU plurals ("1 disponible", never "1 disponibles").
 */
import t from 'tap';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { formatMessage, isPlural, parseMessage, placeholdersOf } from '../src/sdk/message-format.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Placeholders that are counts: each must be a plural. */
const COUNTS = ['n', 'count'];
/** Messages whose `{n}` is a position, not a count ("Number 3 in the queue"). */
const NOT_COUNTS = new Set(['inbox.queue.position']);

const catalogues: Array<{ name: string; dir: string }> = [{ name: 'admin (shell)', dir: join(root, 'admin/src/app/i18n') }];
for (const p of readdirSync(join(root, 'plugins')).sort()) {
  const dir = join(root, 'plugins', p, 'src/admin/i18n');
  if (existsSync(dir)) catalogues.push({ name: `plugins/${p}`, dir });
}

t.test('the catalogues are found: the shell and the built-in plugins with an admin', async (t) => {
  const names = catalogues.map((c) => c.name);
  for (const n of ['admin (shell)', 'plugins/conversations', 'plugins/inbox', 'plugins/knowledge-base', 'plugins/webhooks']) t.ok(names.includes(n), n);
});

for (const c of catalogues) {
  t.test(`${c.name}: es and en have the same keys, placeholders and plurals`, async (t) => {
    for (const f of ['en.ts', 'es.ts']) t.ok(existsSync(join(c.dir, f)), `${relative(root, c.dir)}/${f} exists`);
    const load = async (f: string) => Object.values((await import(pathToFileURL(join(c.dir, f)).href)) as Record<string, Record<string, string>>)[0];
    const en = await load('en.ts');
    const es = await load('es.ts');
    t.same(Object.keys(es).filter((k) => !(k in en)), [], 'no key only in Spanish');
    t.same(Object.keys(en).filter((k) => !(k in es)), [], 'no key only in English');
    const problems: string[] = [];
    for (const [key, english] of Object.entries(en)) {
      const spanish = es[key];
      if (spanish === undefined) continue;
      let ok = true;
      for (const [lang, text] of [['en', english], ['es', spanish]] as const) {
        if (typeof text !== 'string' || !text.trim()) problems.push(`${key} (${lang}): empty`);
        try {
          parseMessage(text);
        } catch (e) {
          problems.push(`${key} (${lang}): ${(e as Error).message}`);
          ok = false;
        }
      }
      if (!ok) continue;
      const pe = placeholdersOf(english).join(',');
      const ps = placeholdersOf(spanish).join(',');
      if (pe !== ps) problems.push(`${key}: placeholders differ, en {${pe}} es {${ps}}`);
      for (const name of COUNTS) {
        if (NOT_COUNTS.has(key)) continue;
        for (const [lang, text] of [['en', english], ['es', spanish]] as const) {
          if (placeholdersOf(text).includes(name) && !isPlural(text, name)) problems.push(`${key} (${lang}): {${name}} is a count, write it as {${name}, plural, one {…} other {…}}`);
        }
      }
    }
    t.same(problems, [], 'every message well formed, same placeholders, counts as plurals');
  });
}

t.test('plural messages read right in both languages', async (t) => {
  const inbox = {
    en: (await import('../../plugins/inbox/src/admin/i18n/en.js')).EN,
    es: (await import('../../plugins/inbox/src/admin/i18n/es.js')).ES,
  };
  t.equal(formatMessage(inbox.es['inbox.load.available'], { n: 1 }, 'es'), '1 disponible');
  t.equal(formatMessage(inbox.es['inbox.load.available'], { n: 2 }, 'es'), '2 disponibles');
  t.equal(formatMessage(inbox.es['inbox.load.available'], { n: 0 }, 'es'), '0 disponibles');
  t.equal(formatMessage(inbox.es['inbox.board.online'], { n: 1 }, 'es'), '1 conectado');
  t.equal(formatMessage(inbox.en['inbox.load.available'], { n: 1 }, 'en'), '1 available');
  const conv = {
    en: (await import('../../plugins/conversations/src/admin/i18n/en.js')).EN,
    es: (await import('../../plugins/conversations/src/admin/i18n/es.js')).ES,
  };
  t.equal(formatMessage(conv.en['conversations.count'], { n: 1 }, 'en'), '1 conversation');
  t.equal(formatMessage(conv.en['conversations.count'], { n: 5 }, 'en'), '5 conversations');
  t.equal(formatMessage(conv.es['conversations.count'], { n: 1 }, 'es'), '1 conversación');
  t.equal(formatMessage(conv.es['conversations.count'], { n: '99+' }, 'es'), '99+ conversaciones', 'a non-number takes "other"');
  t.equal(formatMessage('{n, plural, =0 {nobody} one {# person} other {# people}} here, {who}', { n: 0, who: 'Ana' }, 'en'), 'nobody here, Ana', 'exact =0 first');
  t.equal(formatMessage('Hello {name}', {}, 'en'), 'Hello {name}', 'a missing param stays visible');
  t.equal(formatMessage('Use {{visitor.name}}, {who}', { who: 'Ana' }, 'en'), 'Use {{visitor.name}}, Ana', '{{…}} is literal');
  t.throws(() => parseMessage('{n, plural, one {# x}}'), SyntaxError, 'a plural needs "other"');
  t.throws(() => parseMessage('oops {n'), SyntaxError, 'an unclosed placeholder is refused');
  t.throws(() => parseMessage('{n, select, a {x} other {y}}'), SyntaxError, 'only plural is supported');
});
