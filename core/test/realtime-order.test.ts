import t from 'tap';
import { backend, connectSocket, createTestStore, signup, startTestServer } from '@charla/core/testing';

// A socket's `subscribed` answer comes before any event of that channel, also while the
// channel is busy and also across instances (Redis): a client that reloads its state on
// `subscribed` then misses nothing and sees no event twice.
t.test('no event of a channel reaches a socket before its subscribed answer', async (t) => {
  const store = await createTestStore();
  const s = await startTestServer({ plugins: [], store, listen: true });
  const other = backend.postgres && backend.redis ? await startTestServer({ plugins: [], store, listen: true }) : s;
  t.teardown(async () => {
    if (other !== s) await other.close();
    await s.close();
    await store.cleanup();
  });
  t.comment(other === s ? 'one instance (in-process bus)' : 'publisher and socket on two instances (PostgreSQL + Redis)');
  const a = await signup(s);
  const channel = `account:${a.accountId}`;
  // A publisher that never pauses, from the other instance when there is one.
  let publishing = true;
  let n = 0;
  const pump = () => {
    if (!publishing) return;
    for (let i = 0; i < 20; i++) other.app.charla.container.cradle.events.publish(channel, 'test:tick', { n: n++ }, 'agents');
    setImmediate(pump);
  };
  pump();
  t.teardown(() => void (publishing = false));

  for (let round = 0; round < 8; round++) {
    const sock = await connectSocket(s.url, a.token);
    sock.send({ op: 'subscribe', channel });
    await sock.waitFor((f) => f.op === 'event' && f.channel === channel);
    const first = sock.frames.findIndex((f) => f.channel === channel);
    t.equal(sock.frames[first].op, 'subscribed', `round ${round}: the first frame of the channel is the answer`);
    // Unsubscribing and subscribing again on the same socket keeps the rule.
    sock.send({ op: 'unsubscribe', channel });
    await sock.waitFor((f) => f.op === 'unsubscribed');
    const mark = sock.frames.length;
    sock.send({ op: 'subscribe', channel });
    await sock.waitFor((f) => sock.frames.indexOf(f) >= mark && f.op === 'event' && f.channel === channel);
    const again = sock.frames.slice(mark).find((f) => f.channel === channel && f.op !== 'unsubscribed');
    t.equal(again.op, 'subscribed', `round ${round}: after unsubscribing, the answer again comes first`);
    sock.close();
    await sock.closed;
  }
  publishing = false;
});

t.test('sockets joining and leaving a channel at once on one instance keep receiving its events', async (t) => {
  const store = await createTestStore();
  const s = await startTestServer({ plugins: [], store, listen: true });
  t.teardown(async () => {
    await s.close();
    await store.cleanup();
  });
  const a = await signup(s);
  const channel = `account:${a.accountId}`;
  const stay = await connectSocket(s.url, a.token);
  for (let i = 0; i < 5; i++) {
    // One socket leaves as another joins: the one that stays subscribed must not lose the channel.
    const leaving = await connectSocket(s.url, a.token);
    leaving.send({ op: 'subscribe', channel });
    await leaving.waitFor((f) => f.op === 'subscribed');
    stay.send({ op: 'subscribe', channel });
    leaving.close();
    await leaving.closed;
    await stay.waitFor((f) => f.op === 'subscribed');
  }
  const mark = stay.frames.length;
  s.app.charla.container.cradle.events.publish(channel, 'test:after', { ok: true }, 'agents');
  const got = await stay.waitFor((f) => stay.frames.indexOf(f) >= mark && f.event === 'test:after');
  t.same(got.data, { ok: true });
  stay.close();
});
