import t from 'tap';
import WebSocket from 'ws';
import { RealtimeClient, type ConnectionStatus, type WebSocketConstructor } from '../src/index.js';
import { FakeGateway, until } from './fake-server.js';

const WS = WebSocket as unknown as WebSocketConstructor;

t.test('connects, subscribes, delivers events, and reports statuses', async (t) => {
  const gw = await FakeGateway.start();
  t.teardown(() => gw.stop());
  const rt = new RealtimeClient({ url: gw.url + '?token=good', WebSocket: WS });
  const statuses: ConnectionStatus[] = [];
  const events: unknown[] = [];
  const ready: boolean[] = [];
  rt.on('status', (s) => statuses.push(s));
  rt.on('event', (e) => events.push(e));
  rt.on('ready', (r) => ready.push(r.reconnected));
  rt.subscribe('visitor:1');
  rt.connect();
  await until(() => ready.length === 1);
  t.same(statuses, ['connecting', 'open']);
  t.same(ready, [false], 'first ready is not a reconnect');
  gw.publish('visitor:1', 'message:new', { x: 1 });
  await until(() => events.length === 1);
  t.same(events[0], { channel: 'visitor:1', event: 'message:new', data: { x: 1 } });
  rt.close();
  t.equal(rt.status, 'closed');
});

t.test('reconnects with backoff after a drop and re-subscribes every channel', async (t) => {
  const gw = await FakeGateway.start();
  t.teardown(() => gw.stop());
  const rt = new RealtimeClient({ url: gw.url, WebSocket: WS, backoff: { baseMs: 50, maxMs: 200 } });
  t.teardown(() => rt.close());
  const ready: boolean[] = [];
  const statuses: ConnectionStatus[] = [];
  rt.on('ready', (r) => ready.push(r.reconnected));
  rt.on('status', (s) => statuses.push(s));
  rt.connect();
  rt.subscribe('visitor:1');
  const off = rt.subscribe('conversation:9');
  await until(() => [...gw.subs.values()].some((s) => s.has('conversation:9')));
  gw.dropAll();
  await until(() => ready.length === 2);
  t.same(ready, [false, true], 'a reconnect is flagged');
  t.ok(statuses.includes('reconnecting'));
  t.equal(gw.connections, 2);
  const subs = [...gw.subs.values()][0];
  t.same([...subs].sort(), ['conversation:9', 'visitor:1'], 'both channels re-subscribed');
  off();
  await until(() => ![...gw.subs.values()][0].has('conversation:9'));
  gw.dropAll();
  await until(() => ready.length === 3);
  t.same([...[...gw.subs.values()][0]], ['visitor:1'], 'an unsubscribed channel is not re-subscribed');
});

t.test('close code 4401 stops for good and is surfaced', async (t) => {
  const gw = await FakeGateway.start();
  t.teardown(() => gw.stop());
  gw.rejectTokens.add('bad');
  const rt = new RealtimeClient({ url: gw.url + '?token=bad', WebSocket: WS, backoff: { baseMs: 10 } });
  const closed: Array<{ code: number; fatal: boolean }> = [];
  rt.on('closed', (c) => closed.push(c));
  rt.connect();
  await until(() => closed.length === 1);
  t.equal(closed[0].code, 4401);
  t.equal(closed[0].fatal, true);
  t.equal(rt.status, 'closed');
  await new Promise((r) => setTimeout(r, 150));
  t.equal(gw.connections, 1, 'no reconnect loop');
});

t.test('a refused upgrade (no close code) stops when verify() says the credential is bad', async (t) => {
  // Nothing listens on this port: every attempt fails before open.
  let verifications = 0;
  const rt = new RealtimeClient({
    url: 'ws://127.0.0.1:9/api/v1/realtime',
    WebSocket: WS,
    backoff: { baseMs: 5, maxMs: 10 },
    verify: async () => {
      verifications++;
      return false;
    },
  });
  const closed: boolean[] = [];
  rt.on('closed', (c) => closed.push(c.fatal));
  rt.connect();
  await until(() => closed.length === 1);
  t.equal(verifications, 1);
  t.same(closed, [true]);
});

t.test('a socket that stops answering pings is replaced', async (t) => {
  const gw = await FakeGateway.start();
  t.teardown(() => gw.stop());
  const rt = new RealtimeClient({ url: gw.url, WebSocket: WS, pingIntervalMs: 40, pongTimeoutMs: 60, backoff: { baseMs: 10 } });
  t.teardown(() => rt.close());
  const ready: boolean[] = [];
  rt.on('ready', (r) => ready.push(r.reconnected));
  rt.connect();
  await until(() => ready.length === 1);
  gw.silent = true;
  await until(() => gw.connections === 2, 2000);
  gw.silent = false;
  await until(() => ready.length === 2);
  t.ok(gw.frames.some((f) => f.op === 'ping'), 'pinged');
});

t.test('forbidden subscriptions surface as error events and do not block ready', async (t) => {
  const gw = await FakeGateway.start();
  t.teardown(() => gw.stop());
  gw.forbidden.add('account:x');
  const rt = new RealtimeClient({ url: gw.url, WebSocket: WS });
  t.teardown(() => rt.close());
  const errors: Array<{ code: string; channel?: string }> = [];
  let ready = 0;
  rt.on('error', (e) => errors.push(e));
  rt.on('ready', () => ready++);
  rt.subscribe('account:x');
  rt.connect();
  await until(() => ready === 1);
  t.same(errors.map((e) => [e.code, e.channel]), [['forbidden', 'account:x']]);
  t.equal(rt.send({ op: 'typing', conversationId: 'c', typing: true }), true);
  rt.close();
  t.equal(rt.send({ op: 'typing', conversationId: 'c', typing: true }), false, 'nothing is sent when closed');
});
