#!/usr/bin/env node
// Builds widget/dist/: loader.js (stable name) + content-hashed chunks + manifest.json,
// then enforces the size budgets (scripts/check-size.mjs).
//   1. Stencil compiles the <charla-messenger> component (build/stencil/).
//   2. tsc type-checks the plain TypeScript (loader, launcher, services).
//   3. esbuild bundles the launcher chunk; the messenger and the plugin host (plugins'
//      widget modules, notice cards) are split into lazy chunks of their own.
//   4. File names get a hex content hash (the server caches /\.[0-9a-f]{8,}\./ forever).
//   5. esbuild bundles loader.js with the launcher's hashed name baked in.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { checkSize } from './check-size.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const step = (msg) => console.log(`[widget] ${msg}`);

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`[widget] failed: ${cmd} ${args.join(' ')}`);
    process.exit(r.status ?? 1);
  }
}

rmSync(dist, { recursive: true, force: true });
rmSync(join(root, 'build'), { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

step('stencil: compiling <charla-messenger>');
let stencilDir = dirname(require.resolve('@stencil/core'));
while (!existsSync(join(stencilDir, 'bin', 'stencil'))) stencilDir = dirname(stencilDir);
const stencilBin = join(stencilDir, 'bin', 'stencil');
run(process.execPath, [stencilBin, 'build', '--config', 'stencil.config.ts']);

// Stencil also writes dist/types (declarations we do not ship): start dist afresh.
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

step('tsc: type-checking loader, launcher and services');
run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json']);

const common = {
  bundle: true,
  minify: true,
  target: ['es2022', 'chrome94', 'firefox93', 'safari15.4', 'edge94'],
  conditions: ['charla-source'],
  legalComments: 'none',
  define: { __CHARLA_VERSION__: JSON.stringify(pkg.version) },
  logLevel: 'warning',
};

step('esbuild: launcher + lazy messenger');
const app = await esbuild.build({
  ...common,
  entryPoints: { launcher: join(root, 'src/app/boot.ts') },
  format: 'esm',
  splitting: true,
  outdir: dist,
  entryNames: '[name].[hash]',
  chunkNames: '[name].[hash]',
  write: false,
  metafile: true,
});

// esbuild hashes are base32 and content-derived (they cover imported chunks too); turn each
// into hex so the server's /\.[0-9a-f]{8,}\./ rule recognises the file as immutable.
const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const toHex = (h) => {
  let bits = '';
  for (const c of h) {
    const v = B32.indexOf(c);
    if (v < 0) return createHash('sha256').update(h).digest('hex').slice(0, 10);
    bits += v.toString(2).padStart(5, '0');
  }
  return BigInt('0b' + bits).toString(16).padStart(Math.ceil(bits.length / 4), '0');
};
const renames = new Map();
for (const f of app.outputFiles) {
  const base = f.path.slice(dist.length + 1);
  const m = /^(.+)\.([A-Z0-9]{8})\.js$/.exec(base);
  if (!m) throw new Error(`unexpected esbuild output name ${base}`);
  renames.set(base, `${m[1].toLowerCase()}.${toHex(m[2])}.js`);
}
const rename = (text) => {
  for (const [from, to] of renames) text = text.split(from).join(to);
  return text;
};
const graph = {};
for (const f of app.outputFiles) {
  const from = f.path.slice(dist.length + 1);
  writeFileSync(join(dist, renames.get(from)), rename(f.text));
}
for (const [out, meta] of Object.entries(app.metafile.outputs)) {
  const name = renames.get(out.split('/').pop());
  if (!name) continue;
  graph[name] = {
    static: meta.imports.filter((i) => i.kind === 'import-statement').map((i) => renames.get(i.path.split('/').pop())),
    dynamic: meta.imports.filter((i) => i.kind === 'dynamic-import').map((i) => renames.get(i.path.split('/').pop())),
  };
}
const launcher = [...renames.values()].find((n) => n.startsWith('launcher.'));
const messenger = [...renames.values()].find((n) => n.startsWith('messenger.'));
const pluginHost = [...renames.values()].find((n) => n.startsWith('plugin-host.'));
if (!launcher || !messenger || !pluginHost) throw new Error('launcher, messenger or plugin-host chunk missing');

step('esbuild: loader.js');
await esbuild.build({
  ...common,
  entryPoints: [join(root, 'src/loader/loader.ts')],
  format: 'iife',
  outfile: join(dist, 'loader.js'),
  define: { ...common.define, __CHARLA_LAUNCHER__: JSON.stringify(launcher) },
});
graph['loader.js'] = { static: [], dynamic: [launcher] };

const report = checkSize(dist, { graph, loader: 'loader.js', launcher, messenger, pluginHost });
writeFileSync(
  join(dist, 'manifest.json'),
  JSON.stringify({ version: pkg.version, loader: 'loader.js', launcher, messenger, pluginHost, files: report.files, graph, budgets: report.budgets }, null, 2) + '\n',
);
if (!report.ok) process.exit(1);
step('done: ' + Object.keys(report.files).join(', '));
