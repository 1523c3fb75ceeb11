// Child: the load generator. Runs in its own process (never in a server's), loopback
// only, every run bounded in count and time. Speaks three protocols with the same
// scenario so the figures compare:
//   charla   — visitors POST /api/v1/widget/messages, agents listen on account:<id>
//              over /api/v1/realtime (the real path);
//   ws       — the plain `ws` relay (servers/relay-ws.mjs): visitors send a frame;
//   socketio — the socket.io 4 relay (servers/relay-socketio.mjs), websocket transport;
//   raw      — the bare Fastify route (servers/fastify-raw.mjs): POST /messages, agents on /ws.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import hdr from 'hdr-histogram-js';
import { httpJson, pool, serveRequests, sleep } from '../lib/util.mjs';

const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
let ioClient = null;
const loadIo = async () => (ioClient ??= (await import('socket.io-client')).io);

const wsUrl = (base) => base.replace(/^http/, 'ws');

// ---------- Charla setup through its public API ----------
async function charlaSetup({ base, visitors, firstMessage = true, concurrency = 16 }) {
  const tag = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const su = await httpJson(base, 'POST', '/api/v1/auth/signup', { agent, body: { accountName: `Bench ${tag}`, name: 'Bench Agent', email: `bench-${tag}@example.com`, password: `pw-${tag}-secret` } });
  if (su.status !== 201) throw new Error(`signup: ${su.status} ${su.text}`);
  const token = su.body.token;
  const accountId = su.body.account.id;
  const site = await httpJson(base, 'POST', '/api/v1/sites', { agent, token, body: { name: `Bench site ${tag}` } });
  if (site.status !== 201) throw new Error(`create site: ${site.status} ${site.text}`);
  const appId = site.body.appId;
  const list = await pool(Array.from({ length: visitors }, (_, i) => i), concurrency, async (i) => {
    const init = await httpJson(base, 'POST', '/api/v1/widget/init', { agent, body: { appId, page: { url: `http://host.test/page/${i}` } } });
    if (init.status !== 200) throw new Error(`widget init: ${init.status} ${init.text}`);
    const v = { token: init.body.visitorToken, id: init.body.visitor.id, conversationId: null };
    if (firstMessage) {
      const m = await httpJson(base, 'POST', '/api/v1/widget/messages', { agent, token: v.token, body: { content: 'Hello, I have a question', clientId: `first-${i}` } });
      if (m.status !== 201) throw new Error(`first message: ${m.status} ${m.text}`);
      v.conversationId = m.body.conversation.id;
    }
    return v;
  });
  return { token, accountId, appId, snippet: site.body.snippet, visitors: list };
}

// ---------- connections ----------
function openWs(url, headers) {
  return new Promise((ok, fail) => {
    const ws = new WebSocket(url, { headers, perMessageDeflate: false });
    ws.once('open', () => ok(ws));
    ws.once('unexpected-response', (_q, res) => fail(new Error(`upgrade refused: ${res.statusCode}`)));
    ws.once('error', fail);
  });
}

function waitFrame(ws, match, ms = 10_000) {
  return new Promise((ok, fail) => {
    const t = setTimeout(() => { ws.off('message', on); fail(new Error('no reply frame')); }, ms);
    const on = (d) => {
      let f;
      try { f = JSON.parse(String(d)); } catch { return; }
      if (match(f)) { clearTimeout(t); ws.off('message', on); ok(f); }
    };
    ws.on('message', on);
  });
}

/** An agent or visitor connection for `kind`; `onEvent(frame)` gets message:new events. */
async function connect(kind, base, who, onEvent) {
  if (kind === 'charla') {
    const ws = await openWs(`${wsUrl(base)}/api/v1/realtime?token=${encodeURIComponent(who.token)}`);
    const channel = who.role === 'agent' ? `account:${who.accountId}` : `visitor:${who.id}`;
    const sub = waitFrame(ws, (f) => (f.op === 'subscribed' || f.op === 'error') && f.channel === channel);
    ws.send(JSON.stringify({ op: 'subscribe', channel }));
    const r = await sub;
    if (r.op !== 'subscribed') throw new Error(`subscribe ${channel}: ${JSON.stringify(r)}`);
    if (onEvent) ws.on('message', (d) => { const f = JSON.parse(String(d)); if (f.op === 'event' && f.event === 'message:new') onEvent(f); });
    return { close: () => ws.terminate(), send: null };
  }
  if (kind === 'ws' || kind === 'raw') {
    const path = kind === 'raw' ? '/ws' : '/';
    const q = `role=${who.role}&account=${who.accountId}&visitor=${who.id ?? ''}&token=${encodeURIComponent(who.token ?? '')}`;
    const ws = await openWs(`${wsUrl(base)}${path}?${q}`);
    const channel = who.role === 'agent' ? `account:${who.accountId}` : `visitor:${who.id}`;
    const sub = waitFrame(ws, (f) => f.op === 'subscribed');
    ws.send(JSON.stringify({ op: 'subscribe', channel }));
    await sub;
    if (onEvent) ws.on('message', (d) => { const f = JSON.parse(String(d)); if (f.op === 'event' && f.event === 'message:new') onEvent(f); });
    return { close: () => ws.terminate(), send: (frame) => ws.send(JSON.stringify(frame)) };
  }
  if (kind === 'socketio') {
    const io = await loadIo();
    const s = io(base, { transports: ['websocket'], forceNew: true, reconnection: false, query: { role: who.role, account: who.accountId, visitor: who.id ?? '', token: who.token ?? '' } });
    await new Promise((ok, fail) => { s.once('connect', ok); s.once('connect_error', fail); });
    const channel = who.role === 'agent' ? `account:${who.accountId}` : `visitor:${who.id}`;
    await new Promise((ok) => s.emit('subscribe', channel, ok));
    if (onEvent) s.on('event', (f) => { if (f.event === 'message:new') onEvent(f); });
    return { close: () => s.disconnect(), send: (frame) => s.emit('send', frame) };
  }
  throw new Error(`unknown kind ${kind}`);
}

function sendMessage(kind, base, v, conn, body) {
  if (kind === 'charla') {
    return httpJson(base, 'POST', '/api/v1/widget/messages', { agent, token: v.token, body }).then((r) => {
      if (r.status !== 201) throw new Error(`send: ${r.status} ${r.text.slice(0, 200)}`);
    });
  }
  if (kind === 'raw') {
    return httpJson(base, 'POST', '/messages', { agent, token: v.token, body: { ...body, accountId: v.accountId, visitorId: v.id } }).then((r) => {
      if (r.status !== 201) throw new Error(`send: ${r.status} ${r.text.slice(0, 200)}`);
    });
  }
  conn.send({ ...body, accountId: v.accountId, visitorId: v.id });
  return Promise.resolve();
}

// A fake "account" for the relays: ids have the same shape as Charla's.
function relaySetup({ visitors }) {
  const accountId = `acc-${Math.random().toString(36).slice(2)}`;
  return { accountId, token: 'x', visitors: Array.from({ length: visitors }, (_, i) => ({ id: `vis-${i}-${Math.random().toString(36).slice(2, 8)}`, token: `t${i}`, conversationId: `conv-${i}` })) };
}

const state = { setups: new Map(), nextSetup: 1 };

serveRequests({
  async setup(m) {
    const s = m.kind === 'charla' ? await charlaSetup(m) : m.kind === 'raw' ? await rawSetup(m) : relaySetup(m);
    const id = state.nextSetup++;
    state.setups.set(id, s);
    return { setupId: id, accountId: s.accountId, appId: s.appId, snippet: s.snippet, visitors: s.visitors.length };
  },

  /**
   * Fixed-rate latency run. Messages are scheduled at `rate`/s spread over the
   * visitors; latency = receipt at every agent − the *scheduled* send time (so a
   * stalled server is charged for the messages it delayed: no coordinated omission).
   */
  async latency({ kind, setupId, bases, agentBases, agents, rate, durationMs, warmupMs, drainMs = 3000 }) {
    const s = state.setups.get(setupId);
    const hist = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3 });
    const total = Math.floor(((warmupMs + durationMs) / 1000) * rate);
    const warm = Math.floor((warmupMs / 1000) * rate);
    const sched = new Float64Array(total);
    const got = new Uint16Array(total);
    let received = 0;
    let errors = 0;
    let firstError = null;
    const runTag = Math.random().toString(36).slice(2, 7);
    const onEvent = (f) => {
      const cid = f.data?.message?.clientId;
      if (typeof cid !== 'string' || !cid.startsWith(runTag)) return;
      const i = Number(cid.slice(runTag.length + 1));
      const now = performance.now();
      got[i]++;
      if (i >= warm) { hist.recordValue(Math.max(1, Math.round((now - sched[i]) * 1000))); received++; }
    };
    const agentConns = await Promise.all(Array.from({ length: agents }, (_, a) => connect(kind, agentBases[a % agentBases.length], { role: 'agent', accountId: s.accountId, token: s.token }, onEvent)));
    const visitorConns = await pool(s.visitors, 32, (v, i) => connect(kind, bases[i % bases.length], { role: 'visitor', accountId: s.accountId, ...v }, null));
    await sleep(300);
    const start = performance.now();
    let sent = 0;
    const inflight = new Set();
    while (sent < total) {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
      while (sent < due) {
        const i = sent++;
        sched[i] = start + (i * 1000) / rate;
        const vi = i % s.visitors.length;
        const v = { ...s.visitors[vi], accountId: s.accountId };
        const p = sendMessage(kind, bases[vi % bases.length], v, visitorConns[vi], { conversationId: v.conversationId, content: `Benchmark message ${i} from visitor ${vi}`, clientId: `${runTag}-${i}` })
          .catch((err) => { errors++; firstError ??= String(err.message ?? err); });
        inflight.add(p);
        void p.finally(() => inflight.delete(p));
      }
      if (performance.now() - start > (warmupMs + durationMs) * 3 + 10_000) break; // bounded
      await sleep(1);
    }
    const sendEnd = performance.now();
    const deadline = performance.now() + drainMs;
    const expected = (total - warm) * agents;
    while (received < expected && performance.now() < deadline) await sleep(10);
    await Promise.race([Promise.allSettled([...inflight]), sleep(2000)]);
    // A message some agent never received within the drain window is charged at least
    // (end of drain − scheduled time): the percentiles are then lower bounds (saturated).
    const end = performance.now();
    for (let i = warm; i < total; i++) {
      for (let k = got[i]; k < agents; k++) hist.recordValue(Math.max(1, Math.round((end - sched[i]) * 1000)));
    }
    for (const c of [...agentConns, ...visitorConns]) c.close();
    const p = (q) => hist.getValueAtPercentile(q) / 1000;
    const res = {
      kind, rate, durationMs, agents, visitors: s.visitors.length,
      sent: total - warm, expected, received, lost: expected - received, saturated: expected - received > expected * 0.001, errors, firstError,
      achievedRate: ((sent - warm) / ((sendEnd - start - warmupMs) / 1000)),
      p50: p(50), p90: p(90), p99: p(99), p999: p(99.9), max: hist.maxValue / 1000, mean: hist.mean / 1000,
    };
    hist.destroy();
    return res;
  },

  /**
   * Closed-loop throughput: `concurrency` sends in flight at all times for
   * `durationMs`; counts messages delivered to one agent socket per second.
   */
  async throughput({ kind, setupId, base, concurrency, durationMs, warmupMs }) {
    const s = state.setups.get(setupId);
    let delivered = 0;
    let counting = false;
    const runTag = Math.random().toString(36).slice(2, 7);
    const onEvent = (f) => {
      const cid = f.data?.message?.clientId;
      if (counting && typeof cid === 'string' && cid.startsWith(runTag)) delivered++;
    };
    const agentConn = await connect(kind, base, { role: 'agent', accountId: s.accountId, token: s.token }, onEvent);
    let n = 0;
    let ok = 0;
    let errors = 0;
    let firstError = null;
    let stop = false;
    const lat = [];
    const worker = async (w) => {
      while (!stop) {
        const i = n++;
        const vi = (w + i) % s.visitors.length;
        const v = { ...s.visitors[vi], accountId: s.accountId };
        const t0 = performance.now();
        try {
          await sendMessage(kind, base, v, null, { conversationId: v.conversationId, content: `Throughput message ${i}`, clientId: `${runTag}-${i}` });
          if (counting) { ok++; if (lat.length < 200_000) lat.push(performance.now() - t0); }
        } catch (err) {
          errors++;
          firstError ??= String(err.message ?? err);
          await sleep(5);
        }
      }
    };
    const workers = Array.from({ length: concurrency }, (_, w) => worker(w));
    await sleep(warmupMs);
    counting = true;
    const t0 = performance.now();
    await sleep(durationMs);
    counting = false;
    const secs = (performance.now() - t0) / 1000;
    stop = true;
    await Promise.race([Promise.all(workers), sleep(5000)]);
    agentConn.close();
    lat.sort((a, b) => a - b);
    return {
      kind, concurrency, seconds: secs, delivered, accepted: ok, errors, firstError,
      messagesPerSecond: delivered / secs, acceptedPerSecond: ok / secs,
      requestP50Ms: lat.length ? lat[Math.floor(lat.length * 0.5)] : null,
      requestP99Ms: lat.length ? lat[Math.floor(lat.length * 0.99)] : null,
    };
  },

  /** Idle sockets: opens authenticated, subscribed visitor sockets up to `count` (cumulative). */
  async idleOpen({ kind, setupId, base, count }) {
    const s = state.setups.get(setupId);
    state.idle ??= [];
    const from = state.idle.length;
    const t0 = performance.now();
    // Sockets cycle over the setup's visitors: with fewer visitors than sockets, a visitor
    // has several tabs open (each its own authenticated, subscribed socket).
    const idx = Array.from({ length: Math.max(0, count - from) }, (_, k) => (from + k) % s.visitors.length);
    const more = await pool(idx, 64, (vi) => connect(kind, base, { role: 'visitor', accountId: s.accountId, ...s.visitors[vi] }, null));
    state.idle.push(...more);
    return { open: state.idle.length, seconds: (performance.now() - t0) / 1000 };
  },
  async idleClose() {
    for (const c of state.idle ?? []) c.close();
    const n = state.idle?.length ?? 0;
    state.idle = [];
    return { closed: n };
  },
  async forget({ setupId }) {
    state.setups.delete(setupId);
    return true;
  },
});

// The bare-Fastify baseline has no accounts: one conversation row per visitor, made by its /setup route.
async function rawSetup({ base, visitors }) {
  const r = await httpJson(base, 'POST', '/setup', { agent, body: { visitors } });
  if (r.status !== 200) throw new Error(`raw setup: ${r.status} ${r.text}`);
  return { accountId: r.body.accountId, token: 'x', visitors: r.body.visitors };
}

process.send({ type: 'ready' });
