#!/usr/bin/env node
// Runs the docker/ checks with tap (from the repository root):
//
//   node docker/test/run.mjs topology   static checks, the scaled topology behind nginx,
//                                       concurrent migrations (needs PostgreSQL on
//                                       127.0.0.1:5432, Redis on 127.0.0.1:6379,
//                                       /usr/sbin/nginx, and `npm run build` done) — ~1 min
//   node docker/test/run.mjs build      the Dockerfile's build steps in a clean copy — several minutes
//   node docker/test/run.mjs all        both
//
// The plugin set matches the workspaces' .taprc files (tap rebuilds its Test class when
// the set changes, which would disturb test runs in progress elsewhere in the repo).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const suites = {
  topology: { timeout: 600, files: ['docker/test/static.test.mjs', 'docker/test/scaled-topology.test.mjs', 'docker/test/concurrent-migrations.test.mjs'] },
  build: { timeout: 3600, files: ['docker/test/build-steps.test.mjs'] },
};
const which = process.argv[2] ?? 'topology';
const chosen = which === 'all' ? Object.values(suites) : [suites[which]];
if (!chosen[0]) {
  console.error(`usage: node docker/test/run.mjs ${Object.keys(suites).join('|')}|all`);
  process.exit(2);
}
const timeout = Math.max(...chosen.map((s) => s.timeout));
const files = chosen.flatMap((s) => s.files);
const args = ['tap', '--plugin=!@tapjs/typescript', '--disable-coverage', `--timeout=${timeout}`, '--jobs=1', ...files];
const child = spawn('npx', args, { cwd: root, stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
