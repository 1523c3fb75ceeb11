import t from 'tap';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createPlugin } from '../src/create-plugin.js';

const repo = resolve(import.meta.dirname, '..', '..');

t.test('create-plugin refuses bad names and existing folders', async (t) => {
  await t.rejects(createPlugin('Bad Name', { cwd: repo, quiet: true }), /invalid/);
  await t.rejects(createPlugin('x', { cwd: repo, quiet: true }), /invalid/);
  await t.rejects(createPlugin('../escape', { cwd: repo, quiet: true }), /invalid/);
  await t.rejects(createPlugin('conversations', { cwd: repo, quiet: true }), /already exists/);
});

t.test('a scaffolded plugin has its names filled in and its own tests pass', async (t) => {
  const name = `tmpl-${randomBytes(3).toString('hex')}`;
  // Inside the repo so @charla/core resolves, outside plugins/* so it is not a workspace.
  const dir = join(repo, 'templates', '.scaffold-test', name);
  t.teardown(() => rmSync(join(repo, 'templates', '.scaffold-test'), { recursive: true, force: true }));
  await createPlugin(name, { cwd: repo, dir, quiet: true });
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  t.equal(pkg.name, `@charla/plugin-${name}`);
  const snake = name.replace(/-/g, '_');
  t.ok(existsSync(join(dir, 'src', 'server', 'migrations', `20260101-0001-${snake}-init.ts`)), 'file names filled in');
  const src = readFileSync(join(dir, 'src', 'server', 'index.ts'), 'utf8');
  t.notMatch(src, /__NAME|__Name__/, 'no placeholder left');
  t.notMatch(readFileSync(join(dir, 'src', 'widget', 'index.ts'), 'utf8'), /__NAME|__Name__/, 'none in the widget module either');
  const run = spawnSync(process.execPath, [join(repo, 'node_modules', 'tap', 'dist', 'esm', 'run.mjs')], { cwd: dir, encoding: 'utf8', env: { ...process.env }, timeout: 120_000 });
  t.equal(run.status, 0, `the new plugin's tests pass:\n${run.stdout.slice(-1500)}\n${run.stderr.slice(-800)}`);
  // Its widget module was built (by its tests, as `npm run build` does) into a browser module with its name in it.
  const widget = readFileSync(join(dir, 'dist', 'widget', 'index.js'), 'utf8');
  t.match(widget, new RegExp(`track\\('${name}\\.notice-clicked'`), 'the widget module is built, names filled in');
  t.notMatch(widget, /^import /m, 'and self-contained');
  // Its admin entry passes the admin build's registry checks (slots, ids, routes).
  const reg = spawnSync(process.execPath, [join(repo, 'admin', 'scripts', 'generate-plugin-registry.mjs'), '--check'], { cwd: join(repo, 'admin'), encoding: 'utf8', env: { ...process.env, CHARLA_PLUGINS: `conversations,${dir}` }, timeout: 60_000 });
  t.equal(reg.status, 0, `the admin registry accepts the new plugin's admin entry:\n${reg.stdout}${reg.stderr}`);
});
