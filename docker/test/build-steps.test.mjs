// The Dockerfile's build, without Docker: copy the build context (the repository's
// files, less .dockerignore) to a temp folder, run there every RUN of the builder stage
// after `COPY . .` (npm ci, npm run build, npm prune --omit=dev, staging) with the
// builder's ENV, then treat the staged folder as the runtime image: check it holds only
// production files, run the image's ENTRYPOINT with `migrate`, then with its CMD
// (`start`), and pass its HEALTHCHECK (/readyz). Takes several minutes.
//
//   npx tap --disable-coverage --timeout=3600 docker/test/build-steps.test.mjs
//
// Commands are read from docker/Dockerfile, so this checks the file as written. Two
// things differ from a real image build, both about the machine rather than the
// steps: the toolchain lines before `COPY . .` (apt-get, npm -g) are not run, and
// npm_config_nodedir keeps this machine's value (the image points it at its own headers).
import t from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UNSET, cleanup, freePort, httpStatus, repoRoot, startProcess, tempDir, waitReady } from './lib.mjs';

t.teardown(cleanup);

/** The Dockerfile as instructions: continuation lines joined, comments dropped, split into stages. */
export function parseDockerfile(text) {
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const stages = [];
  for (const line of lines) {
    const m = /^(\w+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const [, op, rest] = [m[0], m[1].toUpperCase(), m[2]];
    if (op === 'FROM') stages.push({ name: /\sAS\s+(\S+)/i.exec(rest)?.[1] ?? String(stages.length), steps: [] });
    else if (stages.length) stages.at(-1).steps.push({ op, rest });
  }
  return stages;
}

/** `KEY=value KEY2="v 2"` (ENV) → object. */
function parseEnv(rest) {
  const out = {};
  for (const m of rest.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("([^"]*)"|\S*)/g)) out[m[1]] = m[3] ?? m[2];
  return out;
}
const execForm = (rest) => JSON.parse(rest.trim());

/** .dockerignore semantics, the subset used: globs with *, ** and ?, anchored at the root, `!` exceptions, last match wins. */
function dockerignore(text) {
  const rules = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).map((l) => {
    const negate = l.startsWith('!');
    const glob = (negate ? l.slice(1) : l).replace(/^\/+/, '').replace(/\/+$/, '');
    const re = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*\//g, '\u0000').replace(/\*\*/g, '.*').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]').replace(/\u0000/g, '(?:.*/)?');
    return { negate, re: new RegExp(`^${re}$`) };
  });
  return (path) => {
    const prefixes = path.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'));
    let ignored = false;
    for (const r of rules) if (prefixes.some((p) => r.re.test(p))) ignored = !r.negate;
    return ignored;
  };
}

t.test('the Dockerfile builder steps work in a clean copy and the staged runtime starts', async (t) => {
  const stages = parseDockerfile(readFileSync(join(repoRoot, 'docker/Dockerfile'), 'utf8'));
  const builder = stages.find((s) => s.name === 'builder');
  const runtime = stages.at(-1);
  t.ok(builder && runtime && builder !== runtime, 'Dockerfile has a builder stage and a runtime stage');

  // The build context.
  const work = tempDir('build-steps');
  const app = join(work, 'app');
  const ignored = dockerignore(readFileSync(join(repoRoot, '.dockerignore'), 'utf8'));
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repoRoot, maxBuffer: 64 << 20 })
    .toString().split('\0').filter(Boolean)
    .filter((f) => !ignored(f) && existsSync(join(repoRoot, f)));
  for (const f of files) {
    mkdirSync(dirname(join(app, f)), { recursive: true });
    cpSync(join(repoRoot, f), join(app, f));
  }
  t.ok(files.length > 50, `build context copied: ${files.length} files (git ls-files less .dockerignore)`);
  t.notOk(files.some((f) => f.includes('node_modules/') || /(^|\/)dist\//.test(f)), 'no node_modules or dist in the context');

  // The builder: its ENV, then every RUN after `COPY . .`.
  const env = {};
  let afterCopy = false;
  const commands = [];
  for (const { op, rest } of builder.steps) {
    if (op === 'ENV') Object.assign(env, parseEnv(rest));
    if (op === 'COPY' && /^\.\s+\.$/.test(rest.trim())) afterCopy = true;
    if (op === 'RUN' && afterCopy) commands.push(rest.replace(/^(--\S+\s+)+/, '')); // drop --mount=… flags
  }
  delete env.npm_config_nodedir; // this machine's npm config says where Node's headers are
  t.ok(commands.some((c) => /^npm ci\b/.test(c)) && commands.some((c) => /^npm run build\b/.test(c)) && commands.some((c) => /^npm prune --omit=dev\b/.test(c)), `builder runs: ${commands.join(' → ')}`);
  // A docker build sees only the Dockerfile's ENV and ARGs, not this shell's settings.
  const buildEnv = { ...process.env, ...env, NODE_OPTIONS: '', NODE_V8_COVERAGE: '' };
  for (const k of Object.keys(UNSET)) delete buildEnv[k];
  for (const command of commands) {
    const t0 = Date.now();
    const r = spawnSync('/bin/sh', ['-c', command], { cwd: app, env: buildEnv, encoding: 'utf8', maxBuffer: 256 << 20, timeout: 40 * 60_000 });
    const secs = Math.round((Date.now() - t0) / 1000);
    if (r.status !== 0) {
      t.fail(`${command} failed (exit ${r.status}${r.signal ? `, ${r.signal}` : ''}) after ${secs}s:\n${`${r.stdout}\n${r.stderr}`.slice(-6000)}`);
      return;
    }
    t.pass(`${command} (${secs}s)`);
  }

  // The runtime stage: what it copies from the builder becomes /app.
  const copyStep = runtime.steps.find((s) => s.op === 'COPY' && /--from=builder/.test(s.rest));
  const [src] = copyStep.rest.replace(/(--\S+\s+)+/, '').trim().split(/\s+/);
  const image = join(app, src.replace(/^\/app\/?/, ''));
  t.ok(existsSync(join(image, 'package.json')), `runtime files staged in ${src}`);
  const listing = (dir) => (existsSync(dir) ? readdirSync(dir) : []);
  t.ok(existsSync(join(image, 'core/dist/cli.js')) && existsSync(join(image, 'core/bin/charla.js')), 'core is built');
  t.ok(existsSync(join(image, 'plugins/conversations/dist/server/index.js')), 'the conversations plugin is built');
  t.ok(existsSync(join(image, 'admin/dist/browser/index.html')), 'the admin is built');
  t.ok(existsSync(join(image, 'widget/dist/loader.js')), 'the widget is built');
  const sources = ['core/src', 'plugins/conversations/src', 'admin/src', 'widget/src', 'core/test'].filter((d) => existsSync(join(image, d)));
  t.same(sources, [], 'no sources or tests in the runtime');
  const devDeps = ['typescript', 'tap', 'tsx', 'lerna', 'eslint', '@angular/build', '@angular/cli'].filter((d) => existsSync(join(image, 'node_modules', d)));
  t.same(devDeps, [], 'no dev dependencies in the runtime');
  const sqlite = join(image, 'node_modules/sqlite3/build/Release');
  t.ok(listing(sqlite).some((f) => f.endsWith('.node')), 'sqlite3 native addon built');

  // ENTRYPOINT + `migrate`, then ENTRYPOINT + CMD, with the runtime ENV; HEALTHCHECK.
  const runtimeEnv = {};
  for (const s of runtime.steps) if (s.op === 'ENV') Object.assign(runtimeEnv, parseEnv(s.rest));
  const entry = execForm(runtime.steps.find((s) => s.op === 'ENTRYPOINT').rest);
  const cmd = execForm(runtime.steps.find((s) => s.op === 'CMD').rest);
  t.same([...entry, ...cmd].slice(-2), ['core/bin/charla.js', 'start'], 'the image runs charla start');
  const port = await freePort();
  const dataDir = tempDir('build-steps-data');
  const runEnv = {
    ...UNSET, ...runtimeEnv, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, PUBLIC_URL: `http://127.0.0.1:${port}`,
  };
  const definedEnv = (extra) => Object.fromEntries(Object.entries({ ...process.env, NODE_OPTIONS: '', NODE_V8_COVERAGE: '', ...extra }).filter(([, v]) => v !== undefined));
  const [bin, ...args] = entry;
  const migrate = spawnSync(bin === 'node' ? process.execPath : bin, [...args, 'migrate'], { cwd: image, env: definedEnv(runEnv), encoding: 'utf8', timeout: 120_000 });
  t.equal(migrate.status, 0, `charla migrate in the runtime: ${(migrate.stdout + migrate.stderr).trim().split('\n').at(-1)}`);
  const server = startProcess('runtime', bin === 'node' ? process.execPath : bin, [...args, ...cmd], { cwd: image, env: runEnv });
  const base = `http://127.0.0.1:${port}`;
  await waitReady(base, server, 120_000);
  t.pass('the pruned, staged app answers /readyz 200');

  const health = runtime.steps.find((s) => s.op === 'HEALTHCHECK');
  const hc = execForm(health.rest.slice(health.rest.indexOf('CMD') + 3));
  const probe = spawnSync(hc[0] === 'node' ? process.execPath : hc[0], hc.slice(1), { env: definedEnv(runEnv), timeout: 10_000 });
  t.equal(probe.status, 0, 'the HEALTHCHECK command passes');

  const openapi = await (await fetch(`${base}/api/docs/json`)).json();
  t.ok(Object.keys(openapi.paths ?? {}).some((p) => p.startsWith('/api/v1/widget/')), 'the default plugins are loaded (widget API present)');
  for (const [path, what] of [['/admin/', 'the admin'], ['/widget/loader.js', 'the widget loader'], ['/demo', 'the demo page'], ['/api/docs/json', 'the OpenAPI document'], ['/metrics', 'the metrics']]) {
    t.equal(await httpStatus(base + path), 200, `${path} serves ${what}`);
  }
  const adminHtml = await (await fetch(`${base}/admin/`)).text();
  t.notMatch(adminHtml, /not built/, 'the admin page is the built app');
  t.notMatch(server.output, /Angular toolchain is not installed/, 'the built admin already holds the enabled plugins\' UI');
});
