// Latency, throughput and idle-socket memory: Charla against its baselines, each
// server in its own process, the load generator in another.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { charlaStore, startBaseline, startCharla, tempDir } from '../lib/servers.mjs';
import { BENCH_DIR, freshPostgres, redisAvailable, sleep, summarize } from '../lib/util.mjs';
import { summarizeProfile } from '../lib/profile.mjs';

async function withServer(start, fn, { graceful = false } = {}) {
  const srv = await start();
  try {
    return await fn(srv);
  } finally {
    // A saturated server may still hold a backlog and its database is a temp one: killed,
    // unless it must write its CPU profile on a clean exit.
    await (graceful ? srv.stop(15_000) : srv.kill());
  }
}

/** One latency run of `kind` ('charla' | 'ws' | 'socketio'). */
async function latencyRun(load, kind, cfg, log, store) {
  const start = () => (kind === 'charla' ? startCharla(store ?? charlaStore()) : startBaseline(kind));
  return withServer(start, async (srv) => {
    const s = await load.request('setup', { kind, base: srv.url, visitors: cfg.visitors });
    const r = await load.request('latency', { kind, setupId: s.setupId, bases: [srv.url], agentBases: [srv.url], agents: cfg.agents, rate: cfg.rate, durationMs: cfg.durationMs, warmupMs: cfg.warmupMs, drainMs: cfg.drainMs });
    await load.request('forget', { setupId: s.setupId });
    log(`    ${kind.padEnd(9)} p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  (${r.received}/${r.expected} delivered${r.saturated ? ', SATURATED: lower bounds' : ''}${r.errors ? `, ${r.errors} send errors: ${r.firstError}` : ''})`);
    return r;
  });
}

/** Two Charla instances on one fresh PostgreSQL database and Redis; visitors and agents spread over both. */
async function latencyTwoInstances(load, cfg, log) {
  const redis = await redisAvailable();
  if (redis.error) return { notRun: redis.error };
  const pg = await freshPostgres();
  if (pg.error) return { notRun: pg.error };
  const store = charlaStore({ databaseUrl: pg.url, redisUrl: redis.url });
  let a;
  let b;
  try {
    a = await startCharla(store); // first: migrates and creates the shared signing key
    b = await startCharla({ ...store, dataDir: tempDir() });
    const s = await load.request('setup', { kind: 'charla', base: a.url, visitors: cfg.visitors });
    const r = await load.request('latency', { kind: 'charla', setupId: s.setupId, bases: [a.url, b.url], agentBases: [b.url, a.url], agents: cfg.agents, rate: cfg.rate, durationMs: cfg.durationMs, warmupMs: cfg.warmupMs, drainMs: cfg.drainMs });
    await load.request('forget', { setupId: s.setupId });
    log(`    charla×2 (PostgreSQL + Redis) p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  (${r.received}/${r.expected} delivered${r.saturated ? ', SATURATED: lower bounds' : ''}${r.errors ? `, ${r.errors} send errors: ${r.firstError}` : ''})`);
    return r;
  } finally {
    await a?.kill();
    await b?.kill();
    await pg.drop();
  }
}

export async function latency(load, cfg, log) {
  const out = { config: cfg, runs: { charla: [], ws: [], socketio: [], charlaTwoInstances: [] } };
  for (let i = 0; i < cfg.runs; i++) {
    log(`  latency run ${i + 1}/${cfg.runs} at ${cfg.rate} msg/s, ${cfg.visitors} visitors → ${cfg.agents} agents`);
    for (const kind of ['charla', 'ws', 'socketio']) out.runs[kind].push(await latencyRun(load, kind, cfg, log));
    if (cfg.twoInstances) {
      const r = await latencyTwoInstances(load, cfg, log);
      if (r.notRun) { out.twoInstancesNotRun = r.notRun; log(`    charla×2: NOT RUN — ${r.notRun}`); } else out.runs.charlaTwoInstances.push(r);
    }
  }
  const pick = (rs, k) => summarize(rs.map((r) => r[k]));
  for (const [kind, rs] of Object.entries(out.runs)) {
    out[kind] = rs.length ? { p50: pick(rs, 'p50'), p99: pick(rs, 'p99'), saturated: rs.some((r) => r.saturated), delivered: rs.reduce((a, r) => a + r.received, 0), expected: rs.reduce((a, r) => a + r.expected, 0) } : null;
  }
  return out;
}

/** Throughput on `db` ('sqlite' | 'postgres'): Charla's real path vs the bare Fastify route. */
export async function throughput(load, cfg, log, db) {
  let redis = null;
  if (db === 'postgres') {
    const r = await redisAvailable();
    if (r.error) return { notRun: r.error };
    redis = r.url;
    const probe = await freshPostgres();
    if (probe.error) return { notRun: probe.error };
    await probe.drop();
  }
  const runs = { charla: [], raw: [] };
  let profile = null;
  for (let i = 0; i < cfg.runs; i++) {
    for (const kind of ['charla', 'raw']) {
      const pg = db === 'postgres' ? await freshPostgres() : null;
      const store = charlaStore({ databaseUrl: pg?.url, redisUrl: redis ?? undefined });
      const profDir = cfg.profile && kind === 'charla' && i === cfg.runs - 1 ? join(BENCH_DIR, 'results') : null;
      try {
        const r = await withServer(() => (kind === 'charla' ? startCharla(store) : startBaseline('raw', store)), async (srv) => {
          const s = await load.request('setup', { kind, base: srv.url, visitors: cfg.visitors });
          await sleep(200);
          const run = load.request('throughput', { kind, setupId: s.setupId, base: srv.url, concurrency: cfg.concurrency, durationMs: cfg.durationMs, warmupMs: cfg.warmupMs });
          if (profDir) {
            // Profile the measured window only (after warm-up), not start-up or setup.
            await sleep(cfg.warmupMs);
            await srv.request('profileStart');
            await sleep(cfg.durationMs);
            await srv.request('profileStop', { file: join(profDir, `charla-throughput-${db}.cpuprofile`) });
          }
          const res = await run;
          await load.request('forget', { setupId: s.setupId });
          return res;
        });
        log(`    ${db} ${kind === 'raw' ? 'bare Fastify' : 'charla      '} ${r.messagesPerSecond.toFixed(0)} msg/s delivered (request p50 ${r.requestP50Ms?.toFixed(1)} ms, p99 ${r.requestP99Ms?.toFixed(1)} ms${r.errors ? `, ${r.errors} errors: ${r.firstError}` : ''})`);
        runs[kind].push(r);
        if (profDir) {
          const f = readdirSync(profDir).find((x) => x === `charla-throughput-${db}.cpuprofile`);
          if (f) profile = { file: join(profDir, f), ...summarizeProfile(join(profDir, f)) };
        }
      } finally {
        await pg?.drop();
      }
    }
  }
  return {
    config: cfg, runs,
    charla: summarize(runs.charla.map((r) => r.messagesPerSecond)),
    raw: summarize(runs.raw.map((r) => r.messagesPerSecond)),
    profile,
  };
}

/** RSS growth per idle, authenticated, subscribed visitor socket at each count in `cfg.steps`. */
export async function idle(load, cfg, log) {
  const out = {};
  for (const kind of ['charla', 'ws']) {
    let srv;
    try {
      srv = kind === 'charla' ? await startCharla(charlaStore()) : await startBaseline('ws');
      const s = await load.request('setup', { kind, base: srv.url, visitors: Math.min(cfg.visitors, Math.max(...cfg.steps)), firstMessage: false, concurrency: 32 });
      const base = await srv.request('memory');
      const points = [];
      for (const n of cfg.steps) {
        const o = await load.request('idleOpen', { kind, setupId: s.setupId, base: srv.url, count: n });
        await sleep(500);
        const m = await srv.request('memory');
        const per = (m.rss - base.rss) / o.open;
        points.push({ sockets: o.open, rssBytes: m.rss, bytesPerSocket: per, heapBytesPerSocket: (m.heapUsed - base.heapUsed) / o.open });
        log(`    ${kind.padEnd(6)} ${String(o.open).padStart(6)} sockets: +${(per / 1024).toFixed(1)} KB RSS per socket (heap +${((m.heapUsed - base.heapUsed) / o.open / 1024).toFixed(1)} KB)`);
      }
      await load.request('idleClose', {});
      await load.request('forget', { setupId: s.setupId });
      out[kind] = { points, visitors: s.visitors };
    } catch (err) {
      log(`    ${kind}: FAILED — ${err.message.split('\n')[0]}`);
      out[kind] = { failed: err.message.split('\n')[0], points: [] };
    } finally {
      await srv?.kill();
    }
  }
  const last = (k) => out[k]?.points.at(-1)?.bytesPerSocket ?? null;
  out.charlaBytesPerSocket = last('charla');
  out.wsBytesPerSocket = last('ws');
  return out;
}
