#!/usr/bin/env node
// `npm run bench [-- --quick] [-- --json] [-- --only=widget,latency,throughput,idle,coldstart]`
// Runs every figure against its baseline in this same run, prints a table, writes
// bench/results/<date>-<commit>.json, and with --json prints one JSON object last.
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, totalmem, loadavg } from 'node:os';
import { join } from 'node:path';
import { BENCH_DIR, REPO_DIR, gitCommit, killAll } from './lib/util.mjs';
import { removeTempDirs, startLoad } from './lib/servers.mjs';
import { browserWeights } from './parts/browser.mjs';
import { latency, throughput, idle } from './parts/realtime.mjs';
import { coldStart } from './parts/coldstart.mjs';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const asJson = argv.includes('--json');
const only = argv.find((a) => a.startsWith('--only='))?.slice(7).split(',');
const want = (part) => !only || only.includes(part);
const log = (s) => process.stderr.write(`${s}\n`);

const KB = 1024;
const MODES = {
  quick: {
    browser: { runs: 1 },
    latency: { runs: 1, rate: 500, durationMs: 1500, warmupMs: 300, drainMs: 1500, visitors: 20, agents: 2, twoInstances: true },
    throughput: { runs: 1, durationMs: 2000, warmupMs: 500, concurrency: 32, visitors: 32, profile: false, postgres: false },
    idle: { steps: [500], visitors: 100 },
    coldStart: { runs: 1 },
  },
  full: {
    browser: { runs: 3 },
    latency: { runs: 3, rate: 1000, durationMs: 6000, warmupMs: 1000, drainMs: 3000, visitors: 100, agents: 4, twoInstances: true },
    throughput: { runs: 3, durationMs: 8000, warmupMs: 1000, concurrency: 64, visitors: 64, profile: true, postgres: true },
    idle: { steps: [1000, 5000, 10000, 15000], visitors: 1000 },
    coldStart: { runs: 5 },
  },
};
const cfg = quick ? MODES.quick : MODES.full;
const rateArg = argv.find((a) => a.startsWith('--rate='));
if (rateArg) cfg.latency.rate = Number(rateArg.slice(7)); // e.g. latency at a rate the server sustains
if (argv.includes('--profile')) cfg.throughput.profile = true; // CPU profile of Charla during the SQLite throughput run

/** Charla and every built-in plugin must be built (the bench measures the built product). */
async function checkBuilt() {
  if (!existsSync(join(REPO_DIR, 'core/dist/index.js'))) return 'core/dist is missing';
  const { BUILT_IN_PLUGINS } = await import('@charla/core');
  for (const name of BUILT_IN_PLUGINS) {
    try {
      await import(`@charla/plugin-${name}`);
    } catch (err) {
      return `built-in plugin "${name}" cannot be imported (${err.code ?? err.message.split('\n')[0]})`;
    }
  }
  return null;
}

const machine = {
  cores: cpus().length, cpu: cpus()[0]?.model?.trim() ?? 'unknown', memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
  node: process.version, platform: `${process.platform}-${process.arch}`, loadAverageAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
};

async function main() {
  const notBuilt = await checkBuilt();
  if (notBuilt) {
    log(`bench: Charla is not built: ${notBuilt}. Run \`npm run build\` first.`);
    process.exit(1);
  }
  const started = Date.now();
  const commit = gitCommit();
  log(`Charla bench (${quick ? 'quick' : 'full'}) · commit ${commit} · ${machine.cores} cores (${machine.cpu}) · Node ${machine.node} · load average ${machine.loadAverageAtStart.join(' ')}`);
  log('Load generators run in their own process on the same machine (loopback): they share the cores with the servers measured.');
  const results = { mode: quick ? 'quick' : 'full', commit, date: new Date().toISOString(), machine, config: cfg, parts: {} };
  const load = await startLoad();
  const part = async (name, fn) => {
    if (!want(name)) return;
    log(`\n${name}`);
    const t0 = Date.now();
    try {
      results.parts[name] = await fn();
    } catch (err) {
      log(`  ${name} FAILED: ${err.stack ?? err}`);
      results.parts[name] = { failed: String(err.message ?? err) };
    }
    log(`  (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  };
  try {
    await part('widget', () => browserWeights(cfg.browser, log, load));
    await part('latency', () => latency(load, cfg.latency, log));
    await part('throughput', async () => {
      const sqlite = await throughput(load, cfg.throughput, log, 'sqlite');
      if (sqlite.profile) {
        log(`    CPU profile of Charla during the SQLite throughput window (${sqlite.profile.file}): busy ${sqlite.profile.busyMs} ms, idle ${sqlite.profile.idleMs} ms`);
        for (const a of sqlite.profile.areas.slice(0, 8)) log(`      ${String(a.pct).padStart(5)}%  ${a.area}`);
        for (const fn of sqlite.profile.functions.slice(0, 8)) log(`      ${String(fn.pct).padStart(5)}%  ${fn.fn}`);
      }
      const postgres = cfg.throughput.postgres ? await throughput(load, { ...cfg.throughput, profile: false }, log, 'postgres') : { notRun: 'full mode only (npm run bench)' };
      if (postgres.notRun) log(`    postgres: NOT RUN — ${postgres.notRun}`);
      return { sqlite, postgres };
    });
    await part('idle', () => idle(load, cfg.idle, log));
    await part('coldstart', () => coldStart(cfg.coldStart, log));
  } finally {
    await load.stop().catch(() => undefined);
  }
  results.seconds = Math.round((Date.now() - started) / 100) / 10;
  const { rows, flat, notes } = figures(results);
  results.figures = flat;
  results.notes = notes;
  printTable(rows, notes);
  const dir = join(BENCH_DIR, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${results.date.slice(0, 10)}-${commit}${quick ? '-quick' : ''}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  log(`\nresults: ${file} (${results.seconds} s)`);
  if (asJson) process.stdout.write(`${JSON.stringify({ mode: results.mode, commit, machine, ...flat, notes })}\n`);
}

const med = (s) => (s && typeof s.median === 'number' ? s.median : null);
const round = (x, d = 2) => (typeof x === 'number' && Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : null);

/** The table rows and the flat JSON figures. Missing parts are null with a note, never zero. */
function figures(r) {
  const p = r.parts;
  const notes = {};
  const notRun = (key, why) => { notes[key] = why; };
  const w = p.widget ?? {};
  const lat = p.latency ?? {};
  const th = p.throughput ?? {};
  const idl = p.idle ?? {};
  const cs = p.coldstart ?? {};
  const f = {};
  const spread = (s) => (s && s.runs > 1 ? ` (min ${round(s.min, 1)}, max ${round(s.max, 1)}, n=${s.runs})` : '');

  // 1. widget
  f.widgetLoaderGzipBytes = med(w.widget?.eager);
  f.widgetTotalGzipBytes = med(w.widget?.total);
  f.widgetApiJsonBytes = med(w.widget?.api);
  if (w.widget?.notRun || w.failed) notRun('widgetLoaderGzipBytes', w.widget?.notRun ?? w.failed);
  f.rocketChatLivechatGzipBytes = med(w.rocketChat?.eager);
  if (w.rocketChat?.notRun) notRun('rocketChatLivechatGzipBytes', w.rocketChat.notRun);
  f.widgetLoaderRatioVsRocketChat = f.widgetLoaderGzipBytes && f.rocketChatLivechatGzipBytes ? round(f.widgetLoaderGzipBytes / f.rocketChatLivechatGzipBytes, 3) : null;
  f.widgetTotalRatioVsRocketChat = f.widgetTotalGzipBytes && f.rocketChatLivechatGzipBytes ? round(f.widgetTotalGzipBytes / f.rocketChatLivechatGzipBytes, 3) : null;
  f.publishedIntercomBytes = 210 * 1000;
  f.publishedCrispBytes = 125 * 1000;
  f.publishedChatwootBytes = 170 * KB;
  f.adminInitialGzipBytes = med(w.admin?.initialJs);
  if (w.admin?.notRun) notRun('adminInitialGzipBytes', w.admin.notRun);

  // 2. latency
  f.latencyP50Ms = round(med(lat.charla?.p50));
  f.latencyP99Ms = round(med(lat.charla?.p99));
  f.latencySaturated = lat.charla ? lat.charla.saturated : null;
  f.rawLimitLatencyP50Ms = round(med(lat.ws?.p50));
  f.rawLimitLatencyP99Ms = round(med(lat.ws?.p99));
  f.socketioLatencyP50Ms = round(med(lat.socketio?.p50));
  f.socketioLatencyP99Ms = round(med(lat.socketio?.p99));
  f.latencyP50MsTwoInstances = round(med(lat.charlaTwoInstances?.p50));
  f.latencyP99MsTwoInstances = round(med(lat.charlaTwoInstances?.p99));
  f.latencyTwoInstancesSaturated = lat.charlaTwoInstances ? lat.charlaTwoInstances.saturated : null;
  if (lat.twoInstancesNotRun) notRun('latencyP99MsTwoInstances', lat.twoInstancesNotRun);
  if (lat.failed) notRun('latencyP99Ms', lat.failed);
  f.latencyRateMessagesPerSecond = lat.config?.rate ?? null;
  f.latencyP99Ratio = f.latencyP99Ms && f.rawLimitLatencyP99Ms ? round(f.latencyP99Ms / f.rawLimitLatencyP99Ms, 1) : null;

  // 3. throughput
  f.messagesPerSecond = round(med(th.sqlite?.charla), 0);
  f.rawLimitMessagesPerSecond = round(med(th.sqlite?.raw), 0);
  f.throughputRatio = f.messagesPerSecond && f.rawLimitMessagesPerSecond ? round(f.messagesPerSecond / f.rawLimitMessagesPerSecond, 3) : null;
  f.messagesPerSecondPostgres = round(med(th.postgres?.charla), 0);
  f.rawLimitMessagesPerSecondPostgres = round(med(th.postgres?.raw), 0);
  f.throughputRatioPostgres = f.messagesPerSecondPostgres && f.rawLimitMessagesPerSecondPostgres ? round(f.messagesPerSecondPostgres / f.rawLimitMessagesPerSecondPostgres, 3) : null;
  if (th.postgres?.notRun) notRun('messagesPerSecondPostgres', th.postgres.notRun);
  if (th.failed) notRun('messagesPerSecond', th.failed);

  // 4. idle sockets
  f.idleSocketBytes = round(idl.charlaBytesPerSocket, 0);
  f.rawLimitIdleSocketBytes = round(idl.wsBytesPerSocket, 0);
  f.idleSocketCount = idl.charla?.points?.at(-1)?.sockets ?? null;
  f.idleSocketRatio = f.idleSocketBytes && f.rawLimitIdleSocketBytes ? round(f.idleSocketBytes / f.rawLimitIdleSocketBytes, 2) : null;
  for (const pt of idl.charla?.points ?? []) f[`idleSocketBytesAt${pt.sockets}`] = round(pt.bytesPerSocket, 0);
  if (idl.failed) notRun('idleSocketBytes', idl.failed);

  // 5. cold start
  f.coldStartMs = round(med(cs.charla), 0);
  f.rawLimitColdStartMs = round(med(cs.emptyFastify), 0);
  f.coldStartRatio = f.coldStartMs && f.rawLimitColdStartMs ? round(f.coldStartMs / f.rawLimitColdStartMs, 1) : null;
  if (cs.failed) notRun('coldStartMs', cs.failed);

  const kb = (b) => (b == null ? null : `${(b / KB).toFixed(1)} KB`);
  const ms = (x) => (x == null ? null : `${x} ms`);
  const ratio = (a, b, d = 2) => (a != null && b ? `${(a / b).toFixed(d)}×` : '—');
  const pass = (v, ok) => (v == null ? 'NOT RUN' : ok ? 'pass' : 'FAIL');
  const sat = (s) => (s ? ' (saturated: ≥)' : '');
  const rows = [
    ['Widget before interaction (gzip)', kb(f.widgetLoaderGzipBytes) + spread(w.widget?.eager), f.rocketChatLivechatGzipBytes != null ? `${kb(f.rocketChatLivechatGzipBytes)} Rocket.Chat` : 'Rocket.Chat: not run', ratio(f.widgetLoaderGzipBytes, f.rocketChatLivechatGzipBytes, 3), '≤12 KB (goal ≤10)', pass(f.widgetLoaderGzipBytes, f.widgetLoaderGzipBytes <= 12 * KB)],
    ['Widget with window open (gzip)', kb(f.widgetTotalGzipBytes) + spread(w.widget?.total), 'Intercom ~210 KB, Crisp ~125 KB, Chatwoot ~170 KiB (published)', ratio(f.widgetTotalGzipBytes, 210 * 1000, 3) + ' of Intercom', '≤35 KB (goal ≤30)', pass(f.widgetTotalGzipBytes, f.widgetTotalGzipBytes <= 35 * KB)],
    [`Latency p50, 1 node SQLite @${f.latencyRateMessagesPerSecond}/s`, ms(f.latencyP50Ms) + sat(f.latencySaturated) + spread(lat.charla?.p50), `${ms(f.rawLimitLatencyP50Ms)} ws, ${ms(f.socketioLatencyP50Ms)} socket.io`, ratio(f.latencyP50Ms, f.rawLimitLatencyP50Ms, 1), '≤5 ms', pass(f.latencyP50Ms, f.latencyP50Ms <= 5)],
    [`Latency p99, 1 node SQLite @${f.latencyRateMessagesPerSecond}/s`, ms(f.latencyP99Ms) + sat(f.latencySaturated) + spread(lat.charla?.p99), `${ms(f.rawLimitLatencyP99Ms)} ws, ${ms(f.socketioLatencyP99Ms)} socket.io`, ratio(f.latencyP99Ms, f.rawLimitLatencyP99Ms, 1), '≤25 ms', pass(f.latencyP99Ms, f.latencyP99Ms <= 25)],
    [`Latency p99, 2 nodes PG+Redis @${f.latencyRateMessagesPerSecond}/s`, (ms(f.latencyP99MsTwoInstances) ?? 'not run') + sat(f.latencyTwoInstancesSaturated) + spread(lat.charlaTwoInstances?.p99), `${ms(f.rawLimitLatencyP99Ms)} ws`, ratio(f.latencyP99MsTwoInstances, f.rawLimitLatencyP99Ms, 1), '≤25 ms', pass(f.latencyP99MsTwoInstances, f.latencyP99MsTwoInstances <= 25)],
    ['Throughput, SQLite (msg/s delivered)', (f.messagesPerSecond ?? 'not run') + spread(th.sqlite?.charla), `${f.rawLimitMessagesPerSecond ?? '—'} bare Fastify`, ratio(f.messagesPerSecond, f.rawLimitMessagesPerSecond, 3), '≥50% of baseline (goal ≥5,000)', pass(f.throughputRatio, f.throughputRatio >= 0.5)],
    ['Throughput, PostgreSQL+Redis (msg/s)', (f.messagesPerSecondPostgres ?? 'not run') + spread(th.postgres?.charla), `${f.rawLimitMessagesPerSecondPostgres ?? '—'} bare Fastify`, ratio(f.messagesPerSecondPostgres, f.rawLimitMessagesPerSecondPostgres, 3), '≥50% of baseline (goal ≥3,000)', pass(f.throughputRatioPostgres, f.throughputRatioPostgres >= 0.5)],
    [`Idle socket memory (RSS/socket @${f.idleSocketCount ?? '—'})`, kb(f.idleSocketBytes) ?? 'not run', `${kb(f.rawLimitIdleSocketBytes)} bare ws`, ratio(f.idleSocketBytes, f.rawLimitIdleSocketBytes, 2), '≤12 KB', pass(f.idleSocketBytes, f.idleSocketBytes <= 12 * KB)],
    ['Cold start to /readyz (SQLite)', (ms(f.coldStartMs) ?? 'not run') + spread(cs.charla), `${ms(f.rawLimitColdStartMs)} empty Fastify`, ratio(f.coldStartMs, f.rawLimitColdStartMs, 1), '≤1 s', pass(f.coldStartMs, f.coldStartMs <= 1000)],
    ['Admin login screen JS (gzip)', f.adminInitialGzipBytes != null ? kb(f.adminInitialGzipBytes) : w.admin?.notRun ?? 'not run', '—', '—', '≤150 KB', pass(f.adminInitialGzipBytes, f.adminInitialGzipBytes <= 150 * KB)],
  ];
  return { rows, flat: f, notes };
}

function printTable(rows, notes) {
  const head = ['figure', 'value', 'baseline', 'ratio', 'target', 'result'];
  const all = [head, ...rows.map((r) => r.map((c) => String(c ?? '—')))];
  const widths = head.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => c.padEnd(widths[i])).join(' │ ');
  const out = [`\n${line(head)}`, widths.map((w) => '─'.repeat(w)).join('─┼─'), ...all.slice(1).map(line)];
  out.push(`machine: ${machine.cores} cores, ${machine.cpu}, Node ${machine.node}; load generators share these cores.`);
  for (const [k, v] of Object.entries(notes)) out.push(`NOT RUN ${k}: ${v}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

const onSignal = () => { killAll(); removeTempDirs(); process.exit(130); };
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
main().then(() => {
  killAll();
  process.exit(0); // nothing left to wait for; a stray handle must not keep the run alive
}, (err) => {
  log(`bench failed: ${err.stack ?? err}`);
  killAll();
  process.exit(1);
});
