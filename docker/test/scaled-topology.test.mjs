// The scaled topology of docker/compose.scaled.yml, on this machine without Docker:
// PostgreSQL and Redis (local), two `charla start` instances, and Debian's nginx run
// from docker/nginx.conf (only the upstream addresses and the port substituted).
// A visitor and an agent chat through the proxy over REST and WebSockets; one
// instance is SIGKILLed mid-conversation; the clients reconnect through the proxy to
// the survivor, catch up with `GET …/messages?after=<lastId>`, and end with every
// message exactly once, in order.
//
//   npx tap --disable-coverage --timeout=600 docker/test/scaled-topology.test.mjs
import t from 'tap';
import WebSocket from 'ws';
import { randomBytes } from 'node:crypto';
import {
  REDIS_URL, cleanup, freePort, freshDatabase, metricSum, sleep, startCharla, startNginx, stopProcess, waitFor, waitReady,
} from './lib.mjs';

const tag = randomBytes(3).toString('hex');

t.teardown(cleanup);

t.test('visitor and agent chat through nginx; an instance dies mid-conversation', async (t) => {
  const db = await freshDatabase('scaled');
  t.teardown(async () => {
    await cleanup();
    await db.drop().catch((err) => console.error(`could not drop ${db.name}: ${err.message}`));
  });

  const [portA, portB, proxyPort] = [await freePort(), await freePort(), await freePort()];
  const proxy = `http://127.0.0.1:${proxyPort}`;
  const direct = { 'charla-1': `http://127.0.0.1:${portA}`, 'charla-2': `http://127.0.0.1:${portB}` };
  // What compose.scaled.yml gives each instance, pointed at this machine's services.
  const env = {
    DATABASE_URL: db.url,
    REDIS_URL,
    REDIS_PREFIX: `charla-docker-${tag}:`,
    PUBLIC_URL: proxy,
    TRUST_PROXY: '1',
    NODE_ENV: 'production',
    CHARLA_SKIP_ADMIN_BUILD: '1',
    // This test is about losing nothing, not about rate limits (retries during the outage count).
    RATE_LIMIT_MESSAGES_PER_VISITOR: '500/10',
  };
  const instances = {
    'charla-1': startCharla('charla-1', { port: portA, env }),
    'charla-2': startCharla('charla-2', { port: portB, env }),
  };
  await Promise.all(Object.entries(instances).map(([name, proc]) => waitReady(direct[name], proc)));
  const nginx = await startNginx({ upstreams: [`127.0.0.1:${portA}`, `127.0.0.1:${portB}`], listenPort: proxyPort });
  t.pass(`two instances (:${portA}, :${portB}) on ${db.name} + Redis, nginx on :${proxyPort}`);

  // ---------------------------------------------------------------- clients

  const stats = { retried: 0, statuses: {} };
  /** REST through the proxy. `retry`: repeat on a network error or 5xx (sends are idempotent by clientId). */
  async function api(method, path, { token, body, retry = false } = {}) {
    for (let attempt = 1; ; attempt++) {
      try {
        const r = await fetch(proxy + path, {
          method,
          headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
          body: body ? JSON.stringify(body) : undefined,
          signal: AbortSignal.timeout(10_000),
        });
        const text = await r.text();
        stats.statuses[r.status] = (stats.statuses[r.status] ?? 0) + 1;
        if (retry && r.status >= 500 && attempt < 30) { stats.retried++; await sleep(200); continue; }
        let json;
        try { json = JSON.parse(text); } catch { /* not JSON */ }
        return { status: r.status, json, text };
      } catch (err) {
        stats.statuses.network = (stats.statuses.network ?? 0) + 1;
        if (retry && attempt < 30) { stats.retried++; await sleep(200); continue; }
        throw err;
      }
    }
  }

  /**
   * A chat client as docs/realtime.md describes one: subscribe on every (re)connect,
   * then fetch `after=<last id>`; fill a `seq` gap the same way; keep messages by id.
   */
  class ChatClient {
    constructor(name, { token, channels, history }) {
      Object.assign(this, { name, token, channels, history });
      this.messages = new Map(); // id → message
      this.how = new Map(); // id → how it first arrived: live | catchup | own
      this.convs = new Map(); // conversationId → { bySeq, lastSeq, lastId, syncing, again }
      this.reconnects = 0;
      this.closes = [];
      this.delivered = { live: 0, catchup: 0, own: 0, duplicateLive: 0 };
      this.connected = false;
      this.stopped = false;
    }

    conv(id) {
      let st = this.convs.get(id);
      if (!st) this.convs.set(id, (st = { bySeq: new Map(), lastSeq: 0, lastId: null, syncing: null, again: false }));
      return st;
    }

    ingest(msg, how) {
      const st = this.conv(msg.conversationId);
      if (this.messages.has(msg.id)) {
        if (how === 'live') this.delivered.duplicateLive++;
        return;
      }
      this.messages.set(msg.id, msg);
      this.how.set(msg.id, how);
      st.bySeq.set(msg.seq, msg);
      this.delivered[how]++;
      while (st.bySeq.has(st.lastSeq + 1)) st.lastId = st.bySeq.get(++st.lastSeq).id;
      if (msg.seq > st.lastSeq + 1) void this.catchUp(msg.conversationId); // a gap: something was missed
    }

    async catchUp(conversationId) {
      const st = this.conv(conversationId);
      if (st.syncing) { st.again = true; return st.syncing; }
      st.syncing = (async () => {
        do {
          st.again = false;
          for (;;) {
            const q = new URLSearchParams({ limit: '200', ...(st.lastId ? { after: st.lastId } : {}) });
            const r = await api('GET', `${this.history(conversationId)}?${q}`, { token: this.token, retry: true });
            if (r.status !== 200) throw new Error(`${this.name} catch-up: ${r.status} ${r.text.slice(0, 200)}`);
            for (const m of r.json.messages) this.ingest(m, 'catchup');
            if (r.json.messages.length < 200) break;
          }
        } while (st.again);
      })().finally(() => { st.syncing = null; });
      return st.syncing;
    }

    connect() {
      return new Promise((resolve, reject) => {
        const ws = new WebSocket(`${proxy.replace('http', 'ws')}/api/v1/realtime?token=${encodeURIComponent(this.token)}`);
        this.ws = ws;
        const pending = new Set(this.channels);
        let settled = false;
        ws.on('open', () => { for (const channel of this.channels) ws.send(JSON.stringify({ op: 'subscribe', channel })); });
        ws.on('message', (data) => {
          const f = JSON.parse(String(data));
          if (f.op === 'subscribed') {
            pending.delete(f.channel);
            if (!pending.size && !settled) {
              settled = true;
              this.connected = true;
              // Subscribed first, then fetch what was missed while away.
              Promise.all([...this.convs.keys()].map((id) => this.catchUp(id))).then(() => resolve(), reject);
            }
          } else if (f.op === 'error') {
            if (!settled) { settled = true; reject(new Error(`${this.name}: ${JSON.stringify(f)}`)); }
          } else if (f.op === 'event' && f.event === 'message:new') {
            this.ingest(f.data.message, 'live');
          }
        });
        ws.on('error', () => { /* 'close' follows */ });
        ws.on('close', (code) => {
          this.connected = false;
          this.closes.push(code);
          if (!settled) { settled = true; reject(new Error(`${this.name}: socket closed (${code}) before subscribing`)); }
          if (!this.stopped) void this.reconnect();
        });
      });
    }

    async reconnect() {
      for (let attempt = 0; !this.stopped; attempt++) {
        await sleep(Math.random() * Math.min(2000, 100 * 2 ** attempt)); // full jitter
        try {
          await this.connect();
          this.reconnects++;
          return;
        } catch {
          if (this.connected) return; // a later close schedules its own reconnect
        }
      }
    }

    /** Messages in display order: by seq within the conversation. */
    view(conversationId) {
      return [...this.conv(conversationId).bySeq.values()].sort((a, b) => a.seq - b.seq);
    }

    close() {
      this.stopped = true;
      this.ws?.close();
    }
  }

  // ---------------------------------------------------------------- the conversation

  const signup = await api('POST', '/api/v1/auth/signup', { body: { accountName: `Docker ${tag}`, name: 'Agent', email: `docker-${tag}@example.com`, password: `Pw-${tag}-docker` } });
  t.equal(signup.status, 201, 'sign-up through the proxy');
  const agentToken = signup.json.token;
  const accountId = signup.json.account.id;
  const site = await api('POST', '/api/v1/sites', { token: agentToken, body: { name: 'Docker site' } });
  t.equal(site.status, 201, 'site created');
  const init = await api('POST', '/api/v1/widget/init', { body: { appId: site.json.appId, page: { url: 'https://example.com/' } } });
  t.equal(init.status, 200, 'widget init');
  const visitorToken = init.json.visitorToken;
  const visitorId = init.json.visitor.id;

  const agent = new ChatClient('agent', { token: agentToken, channels: [`account:${accountId}`], history: (id) => `/api/v1/inbox/conversations/${id}/messages` });
  const visitor = new ChatClient('visitor', { token: visitorToken, channels: [`visitor:${visitorId}`], history: (id) => `/api/v1/widget/conversations/${id}/messages` });
  t.teardown(() => { agent.close(); visitor.close(); });
  await Promise.all([agent.connect(), visitor.connect()]);
  t.pass('agent and visitor sockets subscribed through the proxy');

  const sent = { visitor: [], agent: [] };
  let conversationId;
  async function send(who, n) {
    const content = `${who}-${n}`;
    const clientId = `${who}-${tag}-${n}`;
    const r = who === 'visitor'
      ? await api('POST', '/api/v1/widget/messages', { token: visitorToken, body: { content, clientId, ...(conversationId ? { conversationId } : {}) }, retry: true })
      : await api('POST', `/api/v1/inbox/conversations/${conversationId}/messages`, { token: agentToken, body: { content, clientId }, retry: true });
    if (r.status !== 201 && r.status !== 200) throw new Error(`${who} send ${n}: ${r.status} ${r.text.slice(0, 300)}`);
    conversationId ??= r.json.conversation?.id ?? r.json.message.conversationId;
    sent[who].push(clientId);
    (who === 'visitor' ? visitor : agent).ingest(r.json.message, 'own');
    return r.json.message;
  }
  const has = (client, message) => client.messages.has(message.id);

  // Phase 1: both instances up, messages both ways, delivered live.
  const phase1 = [];
  for (let n = 1; n <= 4; n++) {
    const v = await send('visitor', n);
    await waitFor(() => has(agent, v), { timeout: 10_000, what: `agent to receive visitor-${n}` });
    const a = await send('agent', n);
    await waitFor(() => has(visitor, a), { timeout: 10_000, what: `visitor to receive agent-${n}` });
    phase1.push(agent.how.get(v.id), visitor.how.get(a.id));
  }
  t.same(phase1, Array(8).fill('live'), 'phase 1: every message reached the other side live over its socket');

  const upstreamsUsed = new Set([...nginx.output.matchAll(/upstream=(127\.0\.0\.1:\d+)/g)].map((m) => m[1]));
  t.ok(upstreamsUsed.has(`127.0.0.1:${portA}`) && upstreamsUsed.has(`127.0.0.1:${portB}`), `nginx spread requests over both instances (${[...upstreamsUsed].join(', ')})`);

  const socketsOn = async () => {
    const out = {};
    for (const [name, url] of Object.entries(direct)) out[name] = await metricSum(url, 'charla_realtime_sockets');
    return out;
  };
  let sockets = await socketsOn();
  t.equal(sockets['charla-1'] + sockets['charla-2'], 2, `two sockets open: charla-1 holds ${sockets['charla-1']}, charla-2 holds ${sockets['charla-2']}`);
  // Make the kill hit both clients: reconnect the visitor until nginx's round-robin puts
  // it on the agent's instance (a split is fine too; this makes the test stronger).
  for (let i = 0; i < 12 && sockets['charla-1'] !== 2 && sockets['charla-2'] !== 2; i++) {
    visitor.ws.close(1000);
    await waitFor(async () => visitor.connected && Object.values((sockets = await socketsOn())).reduce((a, b) => a + b) === 2, { timeout: 10_000, what: 'the visitor to reconnect' });
  }
  t.comment(`before the kill: charla-1 holds ${sockets['charla-1']} socket(s), charla-2 holds ${sockets['charla-2']}`);
  const victim = sockets['charla-1'] >= sockets['charla-2'] ? 'charla-1' : 'charla-2';
  const survivor = victim === 'charla-1' ? 'charla-2' : 'charla-1';
  const onVictim = sockets[victim];
  for (const c of [agent, visitor]) { c.reconnects = 0; c.closes = []; }

  // Phase 2: both sides keep sending; the instance holding the sockets is SIGKILLed in the middle.
  let sentInPhase2 = 0;
  let killed;
  const killWhen = new Promise((resolve) => { killed = resolve; });
  const burst = (who) => (async () => {
    for (let n = 5; n <= 12; n++) {
      await send(who, n);
      if (++sentInPhase2 === 4) killed();
      await sleep(100);
    }
  })();
  const senders = Promise.all([burst('visitor'), burst('agent')]);
  await killWhen;
  await stopProcess(instances[victim], 'SIGKILL');
  t.pass(`${victim} SIGKILLed mid-conversation (${sentInPhase2} of 16 phase-2 messages sent)`);
  await senders;
  t.pass('every send completed through the proxy (failed attempts retried with the same clientId)');

  await waitFor(() => agent.connected && visitor.connected && !agent.convs.get(conversationId).syncing && !visitor.convs.get(conversationId).syncing, { timeout: 30_000, what: 'both clients to be connected and caught up' });
  t.ok(agent.reconnects + visitor.reconnects >= onVictim, `the ${onVictim} client(s) on ${victim} reconnected through the proxy (agent ${agent.reconnects}, visitor ${visitor.reconnects}; close codes agent ${agent.closes}, visitor ${visitor.closes})`);
  t.equal(await metricSum(direct[survivor], 'charla_realtime_sockets'), 2, `both sockets now on ${survivor}`);
  for (let i = 0; i < 4; i++) t.equal((await api('GET', '/readyz')).status, 200, `proxy answers /readyz with one instance down (${i + 1})`);

  // Phase 3: the conversation goes on, on the survivor alone.
  for (let n = 13; n <= 15; n++) {
    const v = await send('visitor', n);
    await waitFor(() => has(agent, v), { timeout: 10_000, what: `agent to receive visitor-${n}` });
    const a = await send('agent', n);
    await waitFor(() => has(visitor, a), { timeout: 10_000, what: `visitor to receive agent-${n}` });
  }

  // ---------------------------------------------------------------- the verdict

  const total = sent.visitor.length + sent.agent.length;
  t.equal(total, 30, '30 messages sent');
  await waitFor(() => agent.messages.size >= total && visitor.messages.size >= total, { timeout: 20_000, what: 'both clients to hold every message' }).catch(() => undefined);

  const truth = await api('GET', `/api/v1/inbox/conversations/${conversationId}/messages?limit=200`, { token: agentToken });
  t.equal(truth.status, 200, 'the agent reads the whole conversation');
  const stored = truth.json.messages;
  t.equal(stored.length, total, 'the server stored every message once');
  t.same(stored.map((m) => m.seq), Array.from({ length: total }, (_, i) => i + 1), 'seq runs 1..30 without a gap');
  t.same(new Set(stored.map((m) => m.clientId)).size, total, 'no clientId stored twice');
  t.same(new Set(stored.map((m) => m.clientId)), new Set([...sent.visitor, ...sent.agent]), 'every sent clientId is stored');

  for (const client of [agent, visitor]) {
    const view = client.view(conversationId);
    t.same(view.map((m) => m.id), stored.map((m) => m.id), `${client.name}: every message exactly once, in server order`);
    for (const who of ['visitor', 'agent']) {
      t.same(view.filter((m) => m.senderType === who).map((m) => m.clientId), sent[who], `${client.name}: ${who} messages in the order they were sent`);
    }
  }
  t.comment(`deliveries — agent ${JSON.stringify(agent.delivered)}; visitor ${JSON.stringify(visitor.delivered)}; HTTP ${JSON.stringify(stats.statuses)}, ${stats.retried} retried`);
});
