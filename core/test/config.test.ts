import t from 'tap';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError, loadConfig } from '@charla/core';
import { publicUrlNotice } from '../src/config.js';

// Configuration: validated at start; every problem on its own line naming the variable;
// `charla start` with a bad environment exits 1 with those lines.

const coreDir = resolve(import.meta.dirname, '..');
const cwd = mkdtempSync(join(tmpdir(), 'charla-config-'));
t.teardown(() => rmSync(cwd, { recursive: true, force: true }));

function problemsOf(env: Record<string, string>, overrides = {}): string[] {
  return problemsOfIn(cwd, env, overrides);
}

function problemsOfIn(dir: string, env: Record<string, string>, overrides = {}): string[] {
  try {
    loadConfig(overrides, env, dir);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

t.test('defaults: port 3000, SQLite in ./data, open sign-up, PUBLIC_URL from the port', async (t) => {
  const c = loadConfig({}, {}, cwd);
  t.match(c, { port: 3000, host: '0.0.0.0', dataDir: join(cwd, 'data'), publicUrl: 'http://localhost:3000', signup: 'open', databaseUrl: undefined, redisUrl: undefined, trustProxy: false });
  t.same(c.rateLimits.loginFailuresPerEmail, { max: 10, windowSeconds: 900 }, 'API.md: 10 failed logins per e-mail per 15 min');
  t.same(c.rateLimits.authPerIp, { max: 30, windowSeconds: 60 }, 'API.md: 30 auth requests per IP per minute');
  t.same(c.rateLimits.widgetInitPerIp, { max: 60, windowSeconds: 60 });
  t.same(c.rateLimits.messagesPerVisitor, { max: 20, windowSeconds: 10 });
  t.equal(loadConfig({}, { PORT: '8080' }, cwd).publicUrl, 'http://localhost:8080');
});

t.test('environment values are read and typed', async (t) => {
  const c = loadConfig({}, {
    PORT: '4000', PUBLIC_URL: 'https://chat.example.com/', DATABASE_URL: 'postgres://u@h/db', REDIS_URL: 'redis://h:6379', SIGNUP: 'invite-only',
    RATE_LIMIT_AUTH_PER_IP: '5/30', RATE_LIMIT_LOGIN_FAILURES: '3/60', TRUST_PROXY: '1', OPERATOR_EMAILS: 'Ops@Example.com, b@example.com',
  }, cwd);
  t.match(c, { port: 4000, publicUrl: 'https://chat.example.com', databaseUrl: 'postgres://u@h/db', redisUrl: 'redis://h:6379', signup: 'invite-only', trustProxy: 1 });
  t.same(c.rateLimits.authPerIp, { max: 5, windowSeconds: 30 });
  t.same(c.rateLimits.loginFailuresPerEmail, { max: 3, windowSeconds: 60 });
  t.same(c.operatorEmails, ['ops@example.com', 'b@example.com']);
});

t.test('invalid values: ConfigError with exactly one line per problem, each naming the variable', async (t) => {
  const problems = problemsOf({ PORT: 'abc', DATABASE_URL: 'mysql://root@localhost/charla', SIGNUP: 'maybe', RATE_LIMIT_AUTH_PER_IP: 'x' });
  t.equal(problems.length, 4, `four problems, four lines:\n${problems.join('\n')}`);
  for (const name of ['PORT', 'DATABASE_URL', 'SIGNUP', 'RATE_LIMIT_AUTH_PER_IP']) {
    t.equal(problems.filter((p) => p.startsWith(name)).length, 1, `one line for ${name}`);
  }
  t.ok(problems.every((p) => !p.includes('\n')), 'each problem is one line');
  t.match(problems.find((p) => p.startsWith('SIGNUP')), /open.*invite-only/, 'SIGNUP lists the allowed values');
  t.match(problems.find((p) => p.startsWith('PORT')), /integer.*"abc"/);
  t.notOk(problems.join('\n').includes('root@localhost'), 'URLs (which may hold passwords) are not echoed');
  try {
    loadConfig({}, { SIGNUP: 'maybe' }, cwd);
    t.fail('should throw');
  } catch (err) {
    t.type(err, ConfigError);
    t.match((err as Error).message, /invalid configuration:\n {2}- SIGNUP/);
  }
});

t.test('more invalid values are each reported', async (t) => {
  const cases: Array<[Record<string, string>, string]> = [
    [{ PORT: '70000' }, 'PORT'],
    [{ PUBLIC_URL: 'ftp://example.com' }, 'PUBLIC_URL'],
    [{ REDIS_URL: 'http://localhost:6379' }, 'REDIS_URL'],
    [{ JWT_SECRET: 'too-short' }, 'JWT_SECRET'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ DEFAULT_PLAN: 'gold' }, 'DEFAULT_PLAN'],
    [{ SESSION_TTL_SECONDS: '1.5' }, 'SESSION_TTL_SECONDS'],
    [{ RATE_LIMIT_LOGIN_FAILURES: '0/60' }, 'RATE_LIMIT_LOGIN_FAILURES'],
    [{ SMTP_URL: 'mail.example.com' }, 'SMTP_URL'],
  ];
  for (const [env, name] of cases) {
    const problems = problemsOf(env);
    t.equal(problems.length, 1, `${JSON.stringify(env)}: one problem (${problems.join(' | ')})`);
    t.ok(problems[0]?.startsWith(name), `names ${name}: ${problems[0]}`);
  }
  t.equal(problemsOf({}, { signup: 'sometimes' }).length, 1, 'overrides are validated too');
});

t.test('charla.config.json: read from the working directory; a broken file is a clear error', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'charla-config-file-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'charla.config.json'), JSON.stringify({ plugins: ['conversations', './my-plugin'], signup: 'invite-only' }));
  const c = loadConfig({}, {}, dir);
  t.same(c.plugins, ['conversations', './my-plugin']);
  t.equal(c.signup, 'invite-only');
  t.same(loadConfig({}, { CHARLA_PLUGINS: 'a, b' }, dir).plugins, ['a', 'b'], 'CHARLA_PLUGINS wins over the file');
  writeFileSync(join(dir, 'charla.config.json'), '{ not json');
  t.throws(() => loadConfig({}, {}, dir), ConfigError);
  t.match(problemsOfIn(dir, { CHARLA_CONFIG: 'missing.json' }), [/^CHARLA_CONFIG: file .*missing\.json does not exist/]);
});

/**
 * Builds the current sources (emit only: type checking is the lint/tsc job's) into a
 * private folder with a copy of bin/charla.js, so the CLI under test is never a stale
 * dist/ and the shared dist/ is never rewritten under other tests' feet. The folder is
 * under node_modules/.cache so the build finds core's dependencies.
 */
function buildCli(): { dir: string; status: number | null; output: string } {
  const dir = join(coreDir, '..', 'node_modules', '.cache', `charla-cli-test-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  const tsc = join(coreDir, '..', 'node_modules', 'typescript', 'bin', 'tsc');
  const run = spawnSync(process.execPath, [tsc, '-p', join(coreDir, 'tsconfig.build.json'), '--noCheck', '--declaration', 'false', '--sourceMap', 'false', '--outDir', join(dir, 'dist')], { encoding: 'utf8', timeout: 110_000 });
  mkdirSync(join(dir, 'bin'), { recursive: true });
  copyFileSync(join(coreDir, 'bin', 'charla.js'), join(dir, 'bin', 'charla.js'));
  copyFileSync(join(coreDir, 'package.json'), join(dir, 'package.json'));
  return { dir, status: run.status, output: `${run.stdout}${run.stderr}`.slice(-2000) };
}

t.test('`charla start` with a bad environment exits 1 with one clear line per problem', async (t) => {
  const build = buildCli();
  t.teardown(() => rmSync(build.dir, { recursive: true, force: true }));
  t.equal(build.status, 0, `core's sources compile for the CLI:\n${build.output}`);
  if (build.status !== 0) return;
  const dataDir = join(cwd, 'cli-data');
  const run = spawnSync(process.execPath, [join(build.dir, 'bin', 'charla.js'), 'start'], {
    cwd,
    encoding: 'utf8',
    timeout: 30_000,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, PORT: 'abc', DATABASE_URL: 'mysql://root:hunter2@localhost/charla', SIGNUP: 'maybe', RATE_LIMIT_AUTH_PER_IP: 'x' },
  });
  t.equal(run.status, 1, `exit code 1 (stdout: ${run.stdout}, stderr: ${run.stderr})`);
  const lines = run.stderr.trim().split('\n');
  t.equal(lines.length, 4, `one line per problem:\n${run.stderr}`);
  for (const name of ['PORT', 'DATABASE_URL', 'SIGNUP', 'RATE_LIMIT_AUTH_PER_IP']) {
    t.ok(lines.some((l) => l.startsWith(`charla: invalid configuration: ${name}`)), `a line for ${name}`);
  }
  t.notMatch(run.stderr, /hunter2|\n\s+at /, 'no secrets, no stack trace');
  t.throws(() => statSync(dataDir), 'nothing was created: the server did not start');
});

t.test('the first-start output says which PUBLIC_URL is in use and how to set it', async (t) => {
  const byDefault = publicUrlNotice(loadConfig({}, { PORT: '3100' }, cwd), {});
  t.match(byDefault, 'PUBLIC_URL is http://localhost:3100', 'the URL in use');
  t.match(byDefault, /default: set .*PUBLIC_URL=https:\/\/chat\.example\.com/, 'and how to set it');
  const set = publicUrlNotice(loadConfig({}, { PUBLIC_URL: 'https://chat.acme.test/' }, cwd), { PUBLIC_URL: 'https://chat.acme.test/' });
  t.match(set, /PUBLIC_URL is https:\/\/chat\.acme\.test .*\(from the PUBLIC_URL variable\)\.$/);
  t.notMatch(set, /default/);
});
