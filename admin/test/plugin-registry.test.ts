/**
 * The build-time plugin UI registry: enabled plugins are found from their package.json,
 * and an unknown slot or a duplicate contribution id stops the build with a clear message.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const script = join(dirname(fileURLToPath(import.meta.url)), '../scripts/generate-plugin-registry.mjs');

function fixture(plugins: Record<string, { admin?: string; elements?: unknown[] } | null>): string {
  const dir = mkdtempSync(join(tmpdir(), 'charla-registry-'));
  for (const [name, def] of Object.entries(plugins)) {
    mkdirSync(join(dir, name, 'src/admin'), { recursive: true });
    const charla: Record<string, unknown> = {};
    if (def?.admin) {
      charla['admin'] = './src/admin/index.ts';
      writeFileSync(join(dir, name, 'src/admin/index.ts'), def.admin);
    }
    if (def?.elements) charla['adminElements'] = def.elements;
    writeFileSync(join(dir, name, 'package.json'), JSON.stringify({ name: `@charla/plugin-${name}`, version: '1.0.0', ...(def ? { charla } : {}) }));
  }
  return dir;
}

function run(dir: string, env: Record<string, string> = {}) {
  const out = join(dir, 'out/plugin-registry.ts');
  const res = spawnSync(process.execPath, [script], {
    env: { ...process.env, CHARLA_PLUGINS_DIR: dir, CHARLA_ADMIN_REGISTRY_OUT: out, CHARLA_PLUGINS: '', ...env },
    encoding: 'utf8',
  });
  return { ...res, out };
}

const entry = (name: string, slots: string) => `export default { name: '${name}', slots: [${slots}] };\n`;
const slot = (id: string, where: string) => `{ id: '${id}', slot: '${where}', loadComponent: () => import('./x') }`;

t.test('discovers plugins with charla.admin and writes the registry', async (t) => {
  const dir = fixture({
    tags: { admin: entry('tags', slot('tags/panel/v1', 'conversation.sidebar')) },
    serveronly: null,
    widgets: { elements: [{ id: 'widgets/card/v1', slot: 'dashboard.cards', element: { tagName: 'x-card', src: '/plugins/widgets/card.js' } }] },
  });
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const res = run(dir);
  t.equal(res.status, 0, res.stderr);
  const text = readFileSync(res.out, 'utf8');
  t.match(text, /import plugin0 from '\.\.\/tags\/src\/admin\/index';/, 'imports the Angular entry');
  t.match(text, /x-card/, 'includes the prebuilt custom element contribution');
  t.notMatch(text, /serveronly/, 'a plugin without admin UI is left out');
  const manifest = JSON.parse(readFileSync(join(dirname(res.out), 'plugins.json'), 'utf8'));
  t.same(manifest.plugins.map((p: { name: string }) => p.name), ['tags', 'widgets']);
  t.match(manifest.key, /^[0-9a-f]{16}$/, 'the plugin set has a key');
});

t.test('an unknown slot fails the build with a clear message', async (t) => {
  const dir = fixture({ tags: { admin: entry('tags', slot('tags/panel/v1', 'conversation.footer')) } });
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const res = run(dir);
  t.equal(res.status, 1);
  t.match(res.stderr, /plugin "tags": contribution "tags\/panel\/v1" targets unknown slot "conversation\.footer" \(known slots: conversation\.sidebar/);
  t.match(res.stderr, /the admin was not built/);
});

t.test('a duplicate id fails the build, naming both plugins', async (t) => {
  const dir = fixture({
    alpha: { admin: entry('alpha', slot('alpha/panel/v1', 'dashboard.cards')) },
    beta: { admin: entry('beta', slot('alpha/panel/v1', 'dashboard.cards')) },
  });
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const res = run(dir);
  t.equal(res.status, 1);
  t.match(res.stderr, /plugin "beta": duplicate contribution id "alpha\/panel\/v1" \(already used by plugin "alpha"\)/);
});

t.test('CHARLA_PLUGINS selects plugins and names a missing one', async (t) => {
  const dir = fixture({
    alpha: { admin: entry('alpha', slot('alpha/panel/v1', 'dashboard.cards')) },
    beta: { admin: entry('beta', slot('beta/panel/v1', 'dashboard.cards')) },
  });
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const only = run(dir, { CHARLA_PLUGINS: 'beta' });
  t.equal(only.status, 0, only.stderr);
  t.notMatch(readFileSync(only.out, 'utf8'), /alpha/);
  const missing = run(dir, { CHARLA_PLUGINS: 'beta,nope' });
  t.equal(missing.status, 1);
  t.match(missing.stderr, /enabled plugin "nope" \(CHARLA_PLUGINS\) was not found/);
});
