import t from 'tap';
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';

// The plugin boundary, checked on the sources: a plugin (plugins/*, templates/plugin,
// templates/examples/*) imports core only through its public entry points and other
// plugins only through their package entry, never their files; and its code does not
// reach for what the public API withholds (another plugin's models, the Sequelize
// instance, unguarded raw SQL, the raw container on app.charla).

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Public entry points: core's, and the admin's SDK for a plugin's admin screens. */
const CORE_ENTRIES = new Set(['@charla/core', '@charla/core/widget', '@charla/admin/sdk', '@charla/admin/plugin-api']);
const TEST_ONLY = new Set(['@charla/core/testing']);

/** What a plugin's code must not touch (checked in src/, not tests). */
const FORBIDDEN_CODE: Array<[RegExp, string]> = [
  [/\bconversationModels\b/, 'another plugin\'s models (use the ConversationsData service)'],
  [/\.sequelize\b/, 'the Sequelize instance (use ctx.db)'],
  [/\bdb\.query\s*[<(]/, 'unguarded raw SQL (use ctx.db.scope(accountId).query)'],
  [/\bdb\.model\s*[<(]/, 'a model looked up by name'],
  [/\bapp\.charla\b|\.charla\.(container|db)\b/, 'the raw container or database on app.charla (use ctx)'],
];

/** The conversations plugin's own services in the container; other plugins use its ConversationsData service. */
const CONVERSATIONS_INTERNALS: [RegExp, string] = [/\b(?:c|cradle)\.(?:conversations|visitors|messages)\b/, 'the conversations plugin\'s internal services (use the ConversationsData service)'];

interface Violation { file: string; what: string }

/** The import specifiers of a TypeScript source (static, dynamic and `export … from`). */
function importsOf(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(/(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/gm)) {
    out.push(m[1] ?? m[2] ?? m[3]);
  }
  return out;
}

/** Checks one file of the plugin at `pluginRoot`; `isTest` allows @charla/core/testing. */
export function checkFile(pluginRoot: string, file: string, source: string, isTest: boolean): Violation[] {
  const found: Violation[] = [];
  const rel = relative(root, file);
  for (const spec of importsOf(source)) {
    if (spec.startsWith('.')) {
      const target = resolve(dirname(file), spec);
      // Tests may share the admin's and the widget's end-to-end harnesses (test tools, not plugin API).
      if (isTest && (target.startsWith(join(root, 'admin', 'test') + sep) || target.startsWith(join(root, 'widget', 'test', 'e2e') + sep))) continue;
      if (target !== pluginRoot && !target.startsWith(pluginRoot + sep)) found.push({ file: rel, what: `imports ${spec}, outside its own package` });
    } else if (spec.startsWith('@charla/')) {
      if (CORE_ENTRIES.has(spec) || (isTest && TEST_ONLY.has(spec))) continue;
      if (/^@charla\/plugin-[a-z0-9-]+$/.test(spec)) continue;
      found.push({ file: rel, what: `imports ${spec}: plugins use @charla/core${isTest ? ', @charla/core/testing' : ''}, @charla/core/widget, @charla/admin/sdk or another plugin's package entry` });
    } else if (/(^|\/)core\/(src|dist)\//.test(spec) || /(^|\/)plugins\/[^/]+\/(src|dist)\//.test(spec)) {
      found.push({ file: rel, what: `imports ${spec}: another package's internals` });
    } else if (!spec.startsWith('node:') && !builtinModules.includes(spec.split('/')[0])) {
      continue; // an npm dependency of the plugin
    }
  }
  if (!isTest) {
    const code = source.replace(/\/\*[\s\S]*?\*\/|(^|[^:])\/\/.*$/gm, '$1'); // comments may name what code must not do
    const rules = pluginRoot.endsWith(join('plugins', 'conversations')) ? FORBIDDEN_CODE : [...FORBIDDEN_CODE, CONVERSATIONS_INTERNALS];
    for (const [pattern, what] of rules) if (pattern.test(code)) found.push({ file: rel, what: `uses ${what}` });
  }
  return found;
}

function tsFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    if (name === 'node_modules' || name === 'dist') return [];
    const p = join(dir, name);
    return statSync(p).isDirectory() ? tsFiles(p) : /\.ts$/.test(name) && !name.endsWith('.d.ts') ? [p] : [];
  });
}

const pluginRoots = [
  ...readdirSync(join(root, 'plugins')).map((n) => join(root, 'plugins', n)),
  join(root, 'templates', 'plugin'),
  ...readdirSync(join(root, 'templates', 'examples')).map((n) => join(root, 'templates', 'examples', n)),
].filter((p) => existsSync(join(p, 'package.json')));

t.test('the checker catches each kind of back door (so a clean run means something)', async (t) => {
  const pr = join(root, 'plugins', 'inbox');
  const f = join(pr, 'src', 'server', 'x.ts');
  const bad = (src: string, isTest = false) => checkFile(pr, f, src, isTest).map((v) => v.what);
  t.match(bad("import { Database } from '../../../../core/src/db/database.js';"), [/outside its own package/]);
  t.match(bad("import { Database } from '../../../../core/src/db/database.js';", true), [/outside its own package/], 'in tests too');
  t.match(bad("import { defineModels } from '../../../conversations/src/server/models.js';"), [/outside its own package/]);
  t.match(bad("import x from '@charla/plugin-conversations/src/server/models.js';"), [/imports @charla\/plugin-conversations\/src/]);
  t.match(bad("import { x } from '@charla/admin/src/app/app.js';"), [/imports @charla\/admin\/src/]);
  t.match(bad("import { startTestServer } from '@charla/core/testing';"), [/imports @charla\/core\/testing/], 'testing helpers only in tests');
  t.same(bad("import { startTestServer } from '@charla/core/testing';", true), []);
  t.match(bad("export * from '@charla/core/dist/db/tenancy.js';"), [/imports @charla\/core\/dist/]);
  t.match(bad("const m = await import('@charla/core/src/server.js');"), [/imports @charla\/core\/src/]);
  t.match(bad('const { conversationModels: cm } = this.c;'), [/another plugin's models/]);
  t.match(bad('await c.db.sequelize.query("DELETE FROM users")'), [/Sequelize instance/]);
  t.match(bad("await db.query('SELECT 1')"), [/unguarded raw SQL/]);
  t.match(bad("db.model('Conversation')"), [/looked up by name/]);
  t.match(bad('app.charla.container.register({})'), [/app\.charla/]);
  t.match(bad('await ctx.container.cradle.conversations.systemUpdate(a, id, {})'), [/internal services/]);
  t.same(checkFile(join(root, 'plugins', 'conversations'), join(root, 'plugins', 'conversations', 'src', 'x.ts'), 'this.c.conversations.publisher', false), [], 'the conversations plugin uses its own services');
  t.same(bad("import { Op } from '@charla/core';\nimport { ConversationsData } from '@charla/plugin-conversations';\nimport { x } from './y.js';\n// never db.query( here\nawait ctx.db.scope(a).query('… :accountId')"), [], 'the public API passes');
});

t.test('plugins and example plugins use only the public API', async (t) => {
  t.ok(pluginRoots.some((p) => p.endsWith(join('plugins', 'inbox'))) && pluginRoots.some((p) => p.includes(join('templates', 'examples'))), 'found the built-in and example plugins');
  for (const pr of pluginRoots) {
    const violations = [
      ...tsFiles(join(pr, 'src')).flatMap((f) => checkFile(pr, f, readFileSync(f, 'utf8'), false)),
      ...tsFiles(join(pr, 'test')).flatMap((f) => checkFile(pr, f, readFileSync(f, 'utf8'), true)),
    ];
    t.same(violations, [], relative(root, pr));
  }
});
