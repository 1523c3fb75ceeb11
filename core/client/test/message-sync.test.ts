import t from 'tap';
import WebSocket from 'ws';
import { MessageSync, RealtimeClient, type WebSocketConstructor } from '../src/index.js';
import { FakeGateway, until } from './fake-server.js';

interface M {
  id: string;
  conversationId: string;
  seq: number;
}
const msg = (seq: number, conv = 'c1'): M => ({ id: `m${seq}`, conversationId: conv, seq });

function harness(server: M[]) {
  const delivered: M[] = [];
  const fetches: Array<string | undefined> = [];
  const sync = new MessageSync<M>({
    fetchAfter: async (conv, after, limit) => {
      fetches.push(after);
      const afterSeq = after ? server.find((m) => m.id === after)!.seq : -1;
      return server.filter((m) => m.conversationId === conv && m.seq > afterSeq).slice(0, limit);
    },
    onMessages: (_c, ms) => delivered.push(...ms),
    pageSize: 2,
  });
  return { sync, delivered, fetches };
}

t.test('in-order live messages are delivered once; duplicates are dropped', async (t) => {
  const { sync, delivered, fetches } = harness([]);
  sync.watch('c1', { id: 'm1', seq: 1 });
  sync.ingest(msg(2));
  sync.ingest(msg(2));
  sync.ingest(msg(1));
  sync.ingest(msg(3));
  t.same(delivered.map((m) => m.seq), [2, 3]);
  t.same(fetches, [], 'no fetch without a gap');
  t.same(sync.last('c1'), { id: 'm3', seq: 3 });
});

t.test('a seq gap triggers a catch-up and the result is delivered in seq order, exactly once', async (t) => {
  const server = [1, 2, 3, 4, 5, 6].map((s) => msg(s));
  const { sync, delivered, fetches } = harness(server);
  sync.watch('c1', { id: 'm1', seq: 1 });
  sync.ingest(msg(5)); // 2..4 missed
  sync.ingest(msg(6));
  await sync.catchUp('c1');
  await until(() => delivered.length === 5);
  t.same(delivered.map((m) => m.seq), [2, 3, 4, 5, 6]);
  t.equal(fetches[0], 'm1', 'fetched after the last delivered id');
  t.ok(fetches.length >= 2, 'paged through a full page');
  sync.ingest(msg(4));
  t.equal(delivered.length, 5, 'late duplicate dropped');
});

t.test('messages of unwatched conversations are ignored unless autoWatch', async (t) => {
  const { sync, delivered } = harness([]);
  sync.ingest(msg(1, 'other'));
  t.equal(delivered.length, 0);
  const delivered2: M[] = [];
  const auto = new MessageSync<M>({ fetchAfter: async () => [], onMessages: (_c, ms) => delivered2.push(...ms), autoWatch: true });
  auto.ingest(msg(7, 'other'));
  t.same(delivered2.map((m) => m.seq), [7]);
});

t.test('a failed catch-up is reported and retried', async (t) => {
  let calls = 0;
  const errors: unknown[] = [];
  const delivered: M[] = [];
  const sync = new MessageSync<M>({
    fetchAfter: async () => {
      if (++calls === 1) throw new Error('offline');
      return [msg(2), msg(3)];
    },
    onMessages: (_c, ms) => delivered.push(...ms),
    onError: (e) => errors.push(e),
    retryMs: 10,
  });
  sync.watch('c1', { id: 'm1', seq: 1 });
  sync.ingest(msg(3));
  await until(() => delivered.length === 2);
  t.equal(errors.length, 1);
  t.same(delivered.map((m) => m.seq), [2, 3]);
  sync.dispose();
});

t.test('after a reconnect, missed messages are fetched; live + fetched overlap shows each once', async (t) => {
  const gw = await FakeGateway.start();
  t.teardown(() => gw.stop());
  const server: M[] = [msg(1)];
  const delivered: M[] = [];
  const rt = new RealtimeClient({ url: gw.url, WebSocket: WebSocket as unknown as WebSocketConstructor, backoff: { baseMs: 20, maxMs: 40 } });
  t.teardown(() => rt.close());
  const sync = new MessageSync<M>({
    realtime: rt,
    fetchAfter: async (_c, after) => {
      const afterSeq = after ? server.find((m) => m.id === after)!.seq : 0;
      return server.filter((m) => m.seq > afterSeq);
    },
    onMessages: (_c, ms) => delivered.push(...ms),
  });
  sync.watch('c1', { id: 'm1', seq: 1 });
  rt.subscribe('visitor:v');
  let readies = 0;
  rt.on('ready', () => readies++);
  rt.connect();
  await until(() => readies === 1);
  server.push(msg(2));
  gw.publish('visitor:v', 'message:new', { message: msg(2) });
  await until(() => delivered.length === 1);
  gw.dropAll(); // lid closed
  server.push(msg(3), msg(4)); // sent while offline
  await until(() => readies === 2);
  server.push(msg(5));
  gw.publish('visitor:v', 'message:new', { message: msg(4) }); // overlaps with the catch-up
  gw.publish('visitor:v', 'message:new', { message: msg(5) });
  await until(() => delivered.length >= 4);
  await new Promise((r) => setTimeout(r, 50));
  t.same(delivered.map((m) => m.seq), [2, 3, 4, 5], 'every message exactly once, in order');
});
