#!/usr/bin/env node
// Size budgets (issue 4), measured on gzip (level 9):
//   eager  = loader.js + the launcher chunk + its static imports: what loads before the
//            visitor interacts (bubble visible)            ≤ 12 KB
//   total  = eager + the messenger chunk + its static imports: window open,
//            conversation shown                            ≤ 35 KB
//   plugins = the plugin-host chunk + its static imports: loaded before interaction
//            only on sites whose account has plugins with a widget module (on top of
//            eager and of those modules themselves)         ≤ 2 KB
// Used by build.mjs (fails the build), and runnable alone: `node scripts/check-size.mjs`.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync } from 'node:zlib';

export const BUDGETS = { eager: 12 * 1024, total: 35 * 1024, plugins: 2 * 1024 };

export function checkSize(dist, { graph, loader, launcher, messenger, pluginHost }, budgets = BUDGETS) {
  const files = {};
  for (const name of readdirSync(dist).filter((n) => n.endsWith('.js'))) {
    const buf = readFileSync(join(dist, name));
    files[name] = { bytes: buf.length, gzip: gzipSync(buf, { level: 9 }).length, brotli: brotliCompressSync(buf).length };
  }
  const closure = (start) => {
    const seen = new Set();
    const walk = (n) => {
      if (!n || seen.has(n)) return;
      seen.add(n);
      for (const s of graph[n]?.static ?? []) walk(s);
    };
    for (const s of start) walk(s);
    return seen;
  };
  const eagerSet = closure([loader, launcher]);
  const totalSet = closure([loader, launcher, messenger]);
  const sum = (set) => [...set].reduce((a, n) => a + (files[n]?.gzip ?? 0), 0);
  const eager = sum(eagerSet);
  const total = sum(totalSet);
  const pluginSet = pluginHost ? new Set([...closure([pluginHost])].filter((n) => !eagerSet.has(n))) : new Set();
  const plugins = sum(pluginSet);
  const kb = (n) => (n / 1024).toFixed(1) + ' KB';
  const ok = eager <= budgets.eager && total <= budgets.total && plugins <= budgets.plugins;
  console.log(`[widget] size (gzip): before interaction ${kb(eager)} / ${kb(budgets.eager)} [${[...eagerSet].join(' + ')}]`);
  console.log(`[widget] size (gzip): window open      ${kb(total)} / ${kb(budgets.total)}`);
  if (pluginHost) console.log(`[widget] size (gzip): plugin host      ${kb(plugins)} / ${kb(budgets.plugins)} [${[...pluginSet].join(' + ')}], only with plugin widget modules (before interaction then: ${kb(eager + plugins)} + the modules)`);
  if (eager > budgets.eager) console.error(`[widget] BUDGET EXCEEDED: ${kb(eager)} loaded before interaction (max ${kb(budgets.eager)})`);
  if (total > budgets.total) console.error(`[widget] BUDGET EXCEEDED: ${kb(total)} with the window open (max ${kb(budgets.total)})`);
  if (plugins > budgets.plugins) console.error(`[widget] BUDGET EXCEEDED: the plugin host is ${kb(plugins)} (max ${kb(budgets.plugins)})`);
  return { ok, files, budgets: { eager: { gzip: eager, max: budgets.eager }, total: { gzip: total, max: budgets.total }, plugins: { gzip: plugins, max: budgets.plugins } } };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
  const manifest = JSON.parse(readFileSync(join(dist, 'manifest.json'), 'utf8'));
  const r = checkSize(dist, manifest);
  process.exit(r.ok ? 0 : 1);
}
