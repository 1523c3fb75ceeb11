#!/usr/bin/env node
// Gathers what the Charla server needs at run time into one folder (the Docker
// runtime stage copies it to /app):
//   - the root package.json (and LICENSE when present),
//   - node_modules as left by `npm prune --omit=dev` (moved, not copied: run this last),
//   - for every workspace linked from node_modules: its package.json, what its
//     `files` field lists (or `dist` when it has none), and its own node_modules if any.
// No sources, tests or dev dependencies. Usage (from the repository root):
//   node docker/stage-runtime.mjs .runtime
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const root = process.cwd();
const outArg = process.argv[2];
if (!outArg) {
  console.error('usage: node docker/stage-runtime.mjs <output folder>');
  process.exit(2);
}
const out = resolve(root, outArg);
if (!existsSync(join(root, 'package.json')) || !existsSync(join(root, 'node_modules'))) {
  console.error('stage-runtime: run it from the repository root after npm ci / build / prune');
  process.exit(1);
}
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

/** Workspace folders (relative to root) that node_modules links to. */
function linkedWorkspaces() {
  const found = new Set();
  const nm = join(root, 'node_modules');
  const visit = (dir) => {
    for (const e of readdirSync(dir)) {
      const p = join(dir, e);
      if (e.startsWith('@') && dirname(p) === nm && lstatSync(p).isDirectory()) { visit(p); continue; }
      if (!lstatSync(p).isSymbolicLink()) continue;
      const target = resolve(dirname(p), readlinkSync(p));
      const rel = relative(root, target);
      if (rel && !rel.startsWith('..') && !rel.split(sep).includes('node_modules') && existsSync(join(target, 'package.json'))) found.add(rel);
    }
  };
  visit(nm);
  return [...found].sort();
}

const copy = (rel) => {
  const from = join(root, rel);
  if (!existsSync(from)) return false;
  mkdirSync(dirname(join(out, rel)), { recursive: true });
  cpSync(from, join(out, rel), { recursive: true, verbatimSymlinks: true, filter: (src) => !src.endsWith('.tsbuildinfo') });
  return true;
};

copy('package.json');
for (const f of ['LICENSE', 'LICENSE.md', 'NOTICE']) copy(f);

const workspaces = linkedWorkspaces();
for (const ws of workspaces) {
  const pkg = JSON.parse(readFileSync(join(root, ws, 'package.json'), 'utf8'));
  const entries = Array.isArray(pkg.files) && pkg.files.length ? pkg.files : ['dist'];
  copy(join(ws, 'package.json'));
  const copied = entries.filter((f) => copy(join(ws, f)));
  if (copy(join(ws, 'node_modules'))) copied.push('node_modules');
  console.log(`stage-runtime: ${pkg.name} (${ws}): ${copied.join(', ') || 'package.json only'}`);
}

renameSync(join(root, 'node_modules'), join(out, 'node_modules'));
console.log(`stage-runtime: ${workspaces.length} workspaces and node_modules staged in ${relative(root, out) || out}`);
