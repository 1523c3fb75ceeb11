import t from 'tap';
import { backend, connectSocket, createTestStore, requirePart, type TestServer } from '@charla/core/testing';
import { cid, send, sleep, startServer, visitor, world } from './helpers.js';

interface Msg { id: string; seq: number; content: string }

/**
 * A client as the widget's shared client does it: subscribe, then catch up with
 * `after=<lastId>`; on every reconnect resubscribe and catch up again; keep messages
 * by id so a message that arrives both live and in the catch-up is shown once.
 */
class CatchUpClient {
  readonly shown = new Map<string, Msg>();
  lastId: string | null = null;
  constructor(private readonly token: string, private readonly conversationId: string) {}

  private accept(m: Msg) {
    if (!this.shown.has(m.id)) this.shown.set(m.id, m);
    const last = this.lastId ? this.shown.get(this.lastId) : null;
    if (!last || m.seq > last.seq) this.lastId = m.id;
  }

  async connect(server: Pick<TestServer, 'url' | 'request'>) {
    // The catch-up anchor is what was shown before this connection: live events that
    // arrive while catching up must not move it past messages still missing.
    const anchor = this.lastId;
    const sock = await connectSocket(server.url, this.token);
    sock.ws.on('message', (d) => {
      const f = JSON.parse(String(d));
      if (f.event === 'message:new' && f.data.message.conversationId === this.conversationId) this.accept(f.data.message);
    });
    sock.send({ op: 'subscribe', channel: `conversation:${this.conversationId}` });
    await sock.waitFor((f) => f.op === 'subscribed');
    const q = anchor ? `?after=${anchor}&limit=200` : '?limit=200';
    const h = await server.request('GET', `/api/v1/widget/conversations/${this.conversationId}/messages${q}`, { token: this.token });
    if (h.status !== 200) throw new Error(`catch-up failed: ${h.status} ${h.text}`);
    for (const m of h.body.messages as Msg[]) this.accept(m);
    return sock;
  }

  ordered(): string[] {
    return [...this.shown.values()].sort((a, b) => a.seq - b.seq).map((m) => m.content);
  }
}

async function agentSends(s: Pick<TestServer, 'request'>, token: string, conv: string, from: number, to: number) {
  for (let i = from; i < to; i++) {
    const r = await s.request('POST', `/api/v1/inbox/conversations/${conv}/messages`, { token, body: { content: `m${i}`, clientId: cid() } });
    if (r.status !== 201) throw new Error(`send ${i}: ${r.status}`);
  }
}

t.test('a client disconnected while messages are sent ends with every message once, in order', async (t) => {
  const s = await startServer();
  t.teardown(() => s.close());
  const w = await world(s);
  const v = await visitor(s, w.site.appId);
  const { conversation } = await send(s, v.token, 'm-start');
  const client = new CatchUpClient(v.token, conversation.id);
  let sock = await client.connect(s);
  await agentSends(s, w.agent.token, conversation.id, 0, 10);
  await sleep(100);
  sock.close(); // lid closed
  await agentSends(s, w.agent.token, conversation.id, 10, 30);
  // lid opened while the agent keeps typing: sends race the reconnect
  const racing = agentSends(s, w.agent.token, conversation.id, 30, 45);
  sock = await client.connect(s);
  await racing;
  await sleep(300);
  const expected = ['m-start', ...Array.from({ length: 45 }, (_, i) => `m${i}`)];
  t.same(client.ordered(), expected, 'every message exactly once, in order');
  sock.close();
});

t.test('when the instance a client was on stops, it reconnects to the other and misses nothing', async (t) => {
  if (!requirePart('instance failover (needs DATABASE_URL and REDIS_URL)', backend.postgres && backend.redis, t)) return;
  const store = await createTestStore();
  const a = await startServer({ store });
  const b = await startServer({ store });
  t.teardown(async () => {
    await b.close();
    await store.cleanup();
  });
  const w = await world(b);
  const v = await visitor(b, w.site.appId);
  const { conversation } = await send(b, v.token, 'm-start');
  const client = new CatchUpClient(v.token, conversation.id);
  const sock = await client.connect(a);
  await agentSends(b, w.agent.token, conversation.id, 0, 5);
  await sleep(150);
  const closing = a.close(); // graceful stop: sockets closed with 1012
  t.equal((await sock.closed).code, 1012, 'the stopping instance closes sockets with 1012');
  await agentSends(b, w.agent.token, conversation.id, 5, 15);
  await closing;
  const sock2 = await client.connect(b);
  await agentSends(b, w.agent.token, conversation.id, 15, 20);
  await sleep(300);
  t.same(client.ordered(), ['m-start', ...Array.from({ length: 20 }, (_, i) => `m${i}`)], 'every message exactly once, in order');
  sock2.close();
});
