#!/usr/bin/env node
// `npm test`: every workspace's tests, one package after another, then one closing
// line with the totals. Tests that need PostgreSQL/Redis/Chromium run when
// DATABASE_URL / REDIS_URL / /usr/bin/chromium are present and say so when not;
// CHARLA_REQUIRE_ALL=1 turns "not run" into a failure.
import { spawn } from 'node:child_process';

const args = ['lerna', 'run', 'test', '--concurrency', '1', '--stream', '--no-prefix', '--no-bail', ...process.argv.slice(2)];
const child = spawn('npx', args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
let passed = 0;
let failed = 0;
let notRun = 0;
const scan = (chunk) => {
  const text = String(chunk);
  for (const m of text.matchAll(/# \{ total: (\d+), pass: (\d+)(?:, fail: (\d+))?/g)) {
    passed += Number(m[2]);
    failed += Number(m[3] ?? 0);
  }
  notRun += (text.match(/# NOT RUN:/g) ?? []).length;
};
child.stdout.on('data', (c) => { process.stdout.write(c); scan(c); });
child.stderr.on('data', (c) => { process.stderr.write(c); scan(c); });
child.on('close', (code) => {
  if (notRun) console.log(`\n${notRun} test file(s) printed NOT RUN (missing PostgreSQL, Redis or Chromium); see above.`);
  console.log(`\ntests: ${passed} passed, ${failed} failed`);
  process.exit(code ?? 1);
});
