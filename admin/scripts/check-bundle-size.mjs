#!/usr/bin/env node
/**
 * Fails the build when the JavaScript the login screen needs (index.html's scripts and
 * modulepreloads, plus the login page's lazy chunk) exceeds the budget (gzip).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET = Number(process.env.CHARLA_ADMIN_LOGIN_BUDGET_KB ?? 150) * 1024;
const dist = join(dirname(fileURLToPath(import.meta.url)), '../dist/browser');
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const initial = new Set([...html.matchAll(/(?:src|href)="([^"]+\.js)"/g)].map((m) => m[1]));
// The login page chunk: the lazy chunk whose code contains the login form's id.
for (const f of readdirSync(dist).filter((f) => f.endsWith('.js'))) {
  if (!initial.has(f) && readFileSync(join(dist, f), 'utf8').includes('login-password')) initial.add(f);
}
let total = 0;
for (const f of initial) {
  const size = gzipSync(readFileSync(join(dist, f)), { level: 9 }).length;
  total += size;
  console.log(`[bundle-size] ${f}: ${(size / 1024).toFixed(1)} KB gzip`);
}
const line = `[bundle-size] login screen JS: ${(total / 1024).toFixed(1)} KB gzip (budget ${(BUDGET / 1024).toFixed(0)} KB)`;
if (total > BUDGET) {
  console.error(`${line} — over budget`);
  process.exit(1);
}
console.log(line);
