import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ensureAdminBuild } from '../src/admin-build.js';
import { loadConfig } from '../src/config.js';

const adminDir = dirname(createRequire(import.meta.url).resolve('@charla/admin/package.json'));
const manifest = join(adminDir, 'dist', 'browser', 'plugins.json');

t.test('charla start keeps an admin build that already has the enabled plugins\' UI', async (t) => {
  if (!existsSync(manifest)) {
    t.comment('NOT RUN: the admin is not built (npm run build)');
    if (process.env.CHARLA_REQUIRE_ALL === '1') t.fail('the admin build is required');
    return;
  }
  const built = (JSON.parse(readFileSync(manifest, 'utf8')) as { plugins: Array<{ name: string }> }).plugins.map((p) => p.name);
  t.ok(built.includes('conversations'), 'the default build contains the conversations UI');
  const logs: string[] = [];
  const config = loadConfig({ plugins: ['conversations'] }, { NODE_ENV: 'test' });
  t.equal(ensureAdminBuild(config, (m) => logs.push(m)), 'current');
  t.same(logs, [], 'nothing to rebuild, nothing printed');
});

t.test('a plugin without admin UI never triggers a rebuild', async (t) => {
  if (!existsSync(manifest)) return t.pass('admin not built');
  const config = loadConfig({ plugins: ['conversations', 'no-such-plugin-xyz'] }, { NODE_ENV: 'test' });
  t.equal(ensureAdminBuild(config, () => undefined), 'current');
});

t.test('an enabled plugin whose admin UI is not in the build is detected', async (t) => {
  if (!existsSync(manifest)) return t.pass('admin not built');
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'charla-ui-plugin-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: '@acme/charla-plugin-shiny', version: '1.0.0', charla: { admin: './src/admin/index.ts' } }));
  const config = loadConfig({ plugins: ['conversations', dir] }, { NODE_ENV: 'test' });
  t.equal(ensureAdminBuild(config, () => undefined, { dryRun: true }), 'would-rebuild');
});
