#!/usr/bin/env node
// Prints the results table of docs/security.md from the last tap run of this workspace
// (.tap/test-results): assertions tried and passed per file. Usage, after `npx tap`:
//   node scripts/results.mjs "SQLite"   (the label names the backend of that run)
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = new URL('../.tap/test-results/test/', import.meta.url).pathname;
const label = process.argv[2] ?? 'this run';
const rows = [];
let tried = 0;
let passed = 0;
let todo = 0;
for (const f of readdirSync(dir).filter((x) => x.endsWith('.test.ts.tap')).sort()) {
  const lines = readFileSync(join(dir, f), 'utf8').split('\n');
  // Leaf assertions: "ok N - …" lines that are not subtest summaries ("# time=").
  const leaves = lines.filter((l) => /^\s*(not )?ok \d+/.test(l) && !/# time=/.test(l));
  const notRun = lines.filter((l) => /NOT RUN/.test(l)).length;
  const t = leaves.filter((l) => /# TODO/.test(l)).length;
  const p = leaves.filter((l) => /^\s*ok /.test(l)).length;
  tried += leaves.length;
  passed += p;
  todo += t;
  rows.push(`| ${f.replace('.tap', '')} | ${leaves.length} | ${p} | ${t ? `${t} known (todo)` : ''}${notRun ? ` ${notRun} NOT RUN` : ''} |`);
}
console.log(`| file (${label}) | cases tried | passed | notes |\n|---|---|---|---|\n${rows.join('\n')}\n| **total** | **${tried}** | **${passed}** | ${todo ? `${todo} known defects marked todo` : ''} |`);
