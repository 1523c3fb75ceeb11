#!/usr/bin/env node
// `npm start`: build what is missing or stale, then run `charla start`.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync, spawn } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;

function newest(dir) {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'dist' || e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const packages = [['core', 'core/dist/index.js'], ['core/client', 'core/client/dist/index.js'], ['widget', 'widget/dist/loader.js'], ['admin', 'admin/dist/browser/index.html']];
for (const dir of readdirSync(join(root, 'plugins'))) packages.push([`plugins/${dir}`, `plugins/${dir}/dist/server/index.js`]);
const stale = packages.filter(([dir, out]) => {
  if (!existsSync(join(root, dir, 'package.json'))) return false;
  const o = join(root, out);
  return !existsSync(o) || statSync(o).mtimeMs < newest(join(root, dir, 'src'));
});
if (stale.length) {
  console.log(`charla: building ${stale.map(([d]) => d).join(', ')} …`);
  const r = spawnSync('npx', ['lerna', 'run', 'build', '--stream'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
const server = spawn(process.execPath, [join(root, 'core/bin/charla.js'), 'start', ...process.argv.slice(2)], { stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => server.kill(sig));
server.on('exit', (code) => process.exit(code ?? 0));
