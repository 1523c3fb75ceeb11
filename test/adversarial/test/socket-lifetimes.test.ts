/**
 * Sockets and sessions: sockets per token and per address are limited; one actor's
 * sockets share one frame allowance; a socket ends with its token (expiry) and with its
 * site or member (removal); on the upgrade a token the client names wins over the
 * agent cookie the browser adds, and a bad one never falls back to it.
 */
import t from 'tap';
import WebSocket from 'ws';
import { connectSocket, type TestSocket } from '@charla/core/testing';
import { ManualClock } from '../../../core/src/clock.js';
import { account, addMember, boot, bootWithSmtp, initVisitor, send, sleep } from './helpers.js';

const PUBLIC_URL = 'https://charla.example.com';

/** The status of an upgrade: 101 when it opened (kept open until the test ends). */
function upgrade(url: string, opts: { token?: string; headers?: Record<string, string> }, keep: WebSocket[]): Promise<number> {
  return new Promise((resolve) => {
    const q = opts.token ? `?token=${encodeURIComponent(opts.token)}` : '';
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/api/v1/realtime${q}`, { headers: opts.headers });
    ws.on('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0));
    ws.on('open', () => {
      keep.push(ws);
      resolve(101);
    });
    ws.on('error', () => resolve(-1));
  });
}

const closedWithin = (s: TestSocket, ms: number) => Promise.race([s.closed, sleep(ms).then(() => ({ code: 0, reason: 'still open' }))]);

t.test('sockets per token and per address', async (t) => {
  const s = await boot({ config: { realtime: { maxSocketsPerToken: 5, maxSocketsPerIp: 8 } } });
  const open: WebSocket[] = [];
  t.teardown(async () => {
    for (const ws of open) ws.terminate();
    await s.close();
  });
  const a = await account(s, 'Sockets');
  const v = await initVisitor(s, a.site.appId);
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) statuses.push(await upgrade(s.url, { token: v.token }, open));
  t.same(statuses, [101, 101, 101, 101, 101], 'five sockets for one token');
  t.equal(await upgrade(s.url, { token: v.token }, open), 429, 'the sixth for the same token: 429');
  const v2 = await initVisitor(s, a.site.appId);
  const more: number[] = [];
  for (let i = 0; i < 4; i++) more.push(await upgrade(s.url, { token: v2.token }, open));
  t.same(more, [101, 101, 101, 429], 'another token from the same address: refused past eight sockets for the address');
  const last = open.pop()!;
  const gone = new Promise((r) => last.once('close', r));
  last.close();
  await gone;
  await sleep(50);
  t.equal(await upgrade(s.url, { token: v2.token }, open), 101, 'a closed socket frees its place');
});

t.test('one actor\'s sockets share one frame allowance', async (t) => {
  const s = await boot({ config: { realtime: { maxFramesPerSecond: 50, maxFramesPerSecondPerActor: 60 } } });
  t.teardown(() => s.close());
  const a = await account(s, 'Flood');
  const v = await initVisitor(s, a.site.appId);
  const quiet = await initVisitor(s, a.site.appId);
  const sockets: TestSocket[] = [];
  for (let i = 0; i < 10; i++) sockets.push(await connectSocket(s.url, v.token));
  const control = await connectSocket(s.url, quiet.token);
  // Each socket stays under its own 50/s (30/s), together 300/s: five times the actor's 60/s.
  for (let round = 0; round < 20; round++) {
    for (const sock of sockets) if (sock.ws.readyState === 1) for (let k = 0; k < 3; k++) sock.send({ op: 'ping' });
    control.send({ op: 'ping' });
    await sleep(100);
  }
  const codes = await Promise.all(sockets.map((x) => closedWithin(x, 500)));
  const policy = codes.filter((c) => c.code === 1008).length;
  t.ok(policy >= 1, `sockets of the flooding token were closed with 1008 (${policy} of 10)`);
  t.equal(control.ws.readyState, 1, 'another visitor at 10/s is untouched');
  control.close();
  for (const x of sockets) x.close();
});

t.test('a socket ends with its token, its site and its member', async (t) => {
  const clock = new ManualClock();
  const { s, smtp } = await bootWithSmtp(t, { clock, config: { realtime: { idleTimeoutSeconds: 5 } } });
  const a = await account(s, 'Lifetimes');
  const v = await initVisitor(s, a.site.appId);
  const conv = (await send(s, v.token, 'hello')).conversation.id;
  const visitorSock = await connectSocket(s.url, v.token);
  const agentSock = await connectSocket(s.url, a.owner.token);
  const idle = await connectSocket(s.url, v.token);
  visitorSock.send({ op: 'subscribe', channel: `conversation:${conv}` });
  await visitorSock.waitFor((f) => f.op === 'subscribed');

  clock.advance(400 * 24 * 3600 * 1000); // past the visitor token (365 days) and the session (7 days)
  visitorSock.send({ op: 'subscribe', channel: `visitor:${v.id}` });
  t.equal((await closedWithin(visitorSock, 3000)).code, 4401, 'an expired visitor token: the next frame closes the socket with 4401');
  t.notOk(visitorSock.frames.some((f) => f.op === 'subscribed' && f.channel === `visitor:${v.id}`), 'and subscribes nothing');
  t.equal((await closedWithin(idle, 4000)).code, 4401, 'an idle socket of the expired token is closed too');
  t.equal((await closedWithin(agentSock, 4000)).code, 4401, 'an expired agent session: 4401');
  clock.advance(-400 * 24 * 3600 * 1000);

  // The site is deleted: its visitors' sockets close.
  const site2 = (await s.request('POST', '/api/v1/sites', { token: a.owner.token, body: { name: 'Doomed' } })).body;
  const v2 = await initVisitor(s, site2.appId);
  const doomed = await connectSocket(s.url, v2.token);
  const survivor = await connectSocket(s.url, (await initVisitor(s, a.site.appId)).token);
  t.equal((await s.request('DELETE', `/api/v1/sites/${site2.id}`, { token: a.owner.token })).status, 204);
  t.equal((await closedWithin(doomed, 3000)).code, 4401, 'a deleted site\'s visitor socket: 4401');
  t.equal(survivor.ws.readyState, 1, 'other sites\' visitors stay connected');

  // The member is removed: its sockets close.
  const agent = await addMember(s, smtp, a.owner.token, 'agent');
  const agentSock2 = await connectSocket(s.url, agent.token);
  t.equal((await s.request('DELETE', `/api/v1/team/members/${agent.userId}`, { token: a.owner.token })).status, 204);
  t.equal((await closedWithin(agentSock2, 3000)).code, 4401, 'a removed member\'s socket: 4401');
  survivor.close();
});

t.test('an explicit token wins over the agent cookie; kinds never mix', async (t) => {
  const s = await boot({ config: { publicUrl: PUBLIC_URL } });
  t.teardown(() => s.close());
  // The site's widget runs on the admin's own origin.
  const a = await account(s, 'SameOrigin', { domain: 'charla.example.com' });
  const v = await initVisitor(s, a.site.appId);
  const login = await s.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: a.owner.email, password: a.owner.password } });
  const cookie = String(login.headers['set-cookie']).split(';')[0];
  const headers = { cookie, origin: PUBLIC_URL };

  const widget = await connectSocket(s.url, v.token, { headers });
  widget.send({ op: 'subscribe', channel: `account:${a.owner.accountId}` });
  const answer = await widget.waitFor((f) => f.channel === `account:${a.owner.accountId}`);
  t.equal(answer.code, 'forbidden', 'with ?token= and the agent cookie the socket is the visitor\'s: the account channel is refused');
  await sleep(100);
  const seen = await s.request('GET', `/api/v1/inbox/visitors/${v.id}`, { token: a.owner.token });
  t.equal(seen.body.online, true, 'and the visitor shows online');
  widget.close();

  const bad = connectSocket(s.url, `${v.token}x`, { headers });
  await t.rejects(bad, { statusCode: 401 } as never, 'a bad explicit token with a good cookie: 401, no fall-back to the agent');
  const agent = await connectSocket(s.url, null, { headers });
  agent.send({ op: 'subscribe', channel: `account:${a.owner.accountId}` });
  // The answer to the subscribe (an event of the channel may come before it: the visitor above going offline).
  const reply = await agent.waitFor((f) => f.channel === `account:${a.owner.accountId}` && (f.op === 'subscribed' || f.op === 'error'));
  t.equal(reply.op, 'subscribed', 'the cookie alone is still the agent');
  agent.close();
});
