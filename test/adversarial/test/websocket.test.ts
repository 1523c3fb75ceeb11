/**
 * WebSocket abuse: cross-site WebSocket hijacking (foreign Origin with a valid token or
 * cookie), no token, a 1 MB frame (1009), a flood (1008), 10k subscribe/unsubscribe
 * churn at the configured rate (healthy, no leaked subscriptions) and above it
 * (closed), malformed frames (error frame, socket still usable).
 */
import t from 'tap';
import WebSocket from 'ws';
import { connectSocket, type TestSocket } from '@charla/core/testing';
import { account, boot, initVisitor, reply, send, sleep } from './helpers.js';

const PUBLIC_URL = 'https://charla.example.com';
const RATE = 400; // frames per second configured for the churn test (the default 50/s would take 200 s for 10k frames)

function rawUpgrade(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/api/v1/realtime`, { headers });
    ws.on('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0));
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('error', () => resolve(-1));
  });
}

const closedWithin = (s: TestSocket, ms: number) => Promise.race([s.closed, sleep(ms).then(() => ({ code: 0, reason: 'still open' }))]);

t.test('origins, tokens, frame size, flood, churn, malformed frames', async (t) => {
  const s = await boot({ config: { publicUrl: PUBLIC_URL, realtime: { maxFramesPerSecond: RATE, maxFramesPerSecondPerActor: RATE * 2 } } });
  t.teardown(() => s.close());
  const a = await account(s, 'WS', { domain: 'shop.example.com' });
  const v = await initVisitor(s, a.site.appId);
  const conv = (await send(s, v.token, 'hello')).conversation.id;
  const agentCookie = (await s.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: a.owner.email, password: a.owner.password } })).headers['set-cookie'];
  const cookie = String(agentCookie).split(';')[0];

  // Cross-site WebSocket hijacking.
  const cases: [string, Record<string, string>, number][] = [
    ['agent cookie from a foreign origin', { cookie, origin: 'https://evil.example' }, 403],
    ['agent cookie from a look-alike origin', { cookie, origin: 'https://charla.example.com.evil.example' }, 403],
    ['agent cookie from the http origin', { cookie, origin: 'http://charla.example.com' }, 403],
    ['agent cookie from "null"', { cookie, origin: 'null' }, 403],
    ['agent bearer from a foreign origin', { authorization: `Bearer ${a.owner.token}`, origin: 'https://evil.example' }, 403],
    ['visitor from a foreign origin', { authorization: `Bearer ${v.token}`, origin: 'https://evil.example' }, 403],
    ['visitor from a look-alike domain', { authorization: `Bearer ${v.token}`, origin: 'https://evilshop.example.com' }, 403],
    ['visitor from a suffix trick', { authorization: `Bearer ${v.token}`, origin: 'https://shop.example.com.evil.example' }, 403],
    ['no token', {}, 401],
    ['no token, right origin', { origin: PUBLIC_URL }, 401],
    ['garbage token', { authorization: 'Bearer x.y.z' }, 401],
    ['agent cookie from the admin origin', { cookie, origin: PUBLIC_URL }, 101],
    ['visitor from its site', { authorization: `Bearer ${v.token}`, origin: 'https://shop.example.com' }, 101],
    ['visitor from a subdomain', { authorization: `Bearer ${v.token}`, origin: 'https://www.shop.example.com:8443' }, 101],
    ['visitor without Origin (server/mobile)', { authorization: `Bearer ${v.token}` }, 101],
  ];
  for (const [label, headers, want] of cases) t.equal(await rawUpgrade(s.url, headers), want, `${label}: ${want}`);
  const viaQuery = await rawUpgrade(`${s.url}`.replace(/$/, ''), { origin: 'https://evil.example' });
  t.equal(viaQuery, 401, 'foreign origin without any token: 401');
  await t.rejects(connectSocket(s.url, a.owner.token, { headers: { origin: 'https://evil.example' } }), { statusCode: 403 } as never, '?token= from a foreign origin: 403');

  // 1 MB frame.
  const big = await connectSocket(s.url, a.owner.token);
  big.send(JSON.stringify({ op: 'ping', pad: 'x'.repeat(1024 * 1024) }));
  t.equal((await closedWithin(big, 5000)).code, 1009, '1 MB frame: closed 1009');

  // Malformed frames: an error frame each, and the socket keeps working.
  const m = await connectSocket(s.url, a.owner.token);
  const malformed: (string | Buffer)[] = ['not json', '', '[]', '[1,2]', '42', 'null', 'true', '"ping"', '{', '{"op":}', '{"op":123}', '{"op":null}', '{"op":"subscribe"}', '{"op":"subscribe","channel":{}}', '{"op":"subscribe","channel":["a"]}', '{"op":"nope"}', '{"op":"typing"}', '{"op":"typing","conversationId":{"$gt":""},"typing":true}', '{"op":"read","conversationId":"x","messageId":{}}', '{"op":"__proto__"}', '{"op":"constructor"}', '{"op":"toString"}', Buffer.from([0xff, 0x00, 0x13]), `{"op":"ping","x":"${'\\u0000'.repeat(10)}"}`, `${'['.repeat(5000)}${']'.repeat(5000)}`];
  for (const f of malformed) {
    if (Buffer.isBuffer(f)) m.ws.send(f, { binary: true });
    else m.ws.send(f);
  }
  m.send({ op: 'ping' });
  await m.waitFor((f) => f.op === 'pong', 5000);
  const errors = m.frames.filter((f) => f.op === 'error');
  t.ok(errors.length >= malformed.length - 3, `malformed frames answered with error frames (${errors.length} of ${malformed.length})`);
  t.ok(errors.every((e) => typeof e.code === 'string' && !/stack|at .*\.ts/.test(JSON.stringify(e))), 'error frames carry a code and no stack trace');
  m.send({ op: 'subscribe', channel: `conversation:${conv}` });
  await m.waitFor((f) => f.op === 'subscribed');
  await send(s, v.token, 'after malformed');
  await m.waitFor((f) => f.op === 'event' && f.data?.message?.content === 'after malformed');
  t.pass('after malformed frames the socket still subscribes and receives events');
  m.close();

  // Flood: far above the rate, closed 1008.
  const flood = await connectSocket(s.url, v.token);
  for (let i = 0; i < RATE * 4; i++) flood.send({ op: 'ping' });
  t.equal((await closedWithin(flood, 5000)).code, 1008, `a flood of ${RATE * 4} frames at once: closed 1008`);

  // Churn: 10k subscribe/unsubscribe at ~80% of the configured rate stays healthy.
  const gateway = s.app.charla.container.cradle.realtime;
  const baseline = gateway.subscribers(`conversation:${conv}`).length;
  const churn = await connectSocket(s.url, a.owner.token);
  const watcher = await connectSocket(s.url, a.owner.token);
  watcher.send({ op: 'subscribe', channel: `conversation:${conv}` });
  await watcher.waitFor((f) => f.op === 'subscribed');
  const total = 10_000;
  const perTick = Math.floor((RATE * 0.8) / 20); // 20 ticks a second
  const started = Date.now();
  let sent = 0;
  while (sent < total) {
    for (let i = 0; i < perTick && sent < total; i++, sent++) churn.send({ op: sent % 2 === 0 ? 'subscribe' : 'unsubscribe', channel: `conversation:${conv}` });
    const due = started + ((sent / perTick) * 1000) / 20;
    await sleep(Math.max(0, due - Date.now()));
  }
  churn.send({ op: 'ping' });
  await churn.waitFor((f) => f.op === 'pong', 20_000);
  t.equal(churn.ws.readyState, WebSocket.OPEN, `10k subscribe/unsubscribe in ${((Date.now() - started) / 1000).toFixed(1)} s at ~${Math.round(RATE * 0.8)}/s: still open`);
  t.equal(churn.frames.filter((f) => f.op === 'error').length, 0, 'no errors');
  await sleep(200);
  t.equal(gateway.subscribers(`conversation:${conv}`).length, baseline + 1, 'no leaked subscriptions (only the watcher remains)');
  await reply(s, a.owner.token, conv, 'after churn');
  await watcher.waitFor((f) => f.op === 'event' && f.data?.message?.content === 'after churn');
  t.pass('events still flow to other subscribers');
  churn.close();
  watcher.close();

  // Sustained above the rate: closed 1008.
  const over = await connectSocket(s.url, a.owner.token);
  const overStart = Date.now();
  let overSent = 0;
  while (over.ws.readyState === WebSocket.OPEN && Date.now() - overStart < 8000) {
    for (let i = 0; i < Math.ceil((RATE * 3) / 20); i++) over.send({ op: i % 2 ? 'unsubscribe' : 'subscribe', channel: `conversation:${conv}` });
    overSent += Math.ceil((RATE * 3) / 20);
    await sleep(50);
  }
  t.equal((await closedWithin(over, 3000)).code, 1008, `sustained ~${RATE * 3}/s churn: closed 1008 after ${overSent} frames`);
  await sleep(100);
  t.equal(gateway.subscribers(`conversation:${conv}`).length, baseline, 'its subscriptions are gone');
});
