import t from 'tap';
import { account, boot, cid, isProblem, type Res } from './contract-helpers.js';

t.test('rate limits: 429 with Retry-After', async (t) => {
  const s = await boot({ config: { rateLimits: { messagesPerVisitor: { max: 3, windowSeconds: 10 }, widgetInitPerIp: { max: 3, windowSeconds: 60 } } } });
  t.teardown(() => s.close());
  const A = await account(s);

  /** POST /widget/init from a given client address (the limit is per IP). */
  const initFrom = async (ip: string, headers: Record<string, string> = {}): Promise<Res> => {
    const res = await s.app.inject({ method: 'POST', url: '/api/v1/widget/init', remoteAddress: ip, headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify({ appId: A.site.appId }) });
    return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined, headers: res.headers, text: res.body };
  };
  let ipCounter = 10;
  const freshVisitor = async () => {
    const r = await initFrom(`10.9.0.${ipCounter++}`);
    t.equal(r.status, 200);
    return r.body.visitorToken as string;
  };
  const retryAfter = (r: Res, max: number) => {
    const v = Number(r.headers['retry-after']);
    t.ok(Number.isInteger(v) && v >= 1 && v <= max, `Retry-After is 1..${max} s (got ${String(r.headers['retry-after'])})`);
  };

  t.test('widget init: per IP; X-Forwarded-For is not trusted by default', async (t) => {
    for (let i = 0; i < 3; i++) t.equal((await initFrom('10.1.1.1')).status, 200, `init ${i + 1} of 3`);
    const over = await initFrom('10.1.1.1');
    isProblem(t, over, 429, '4th init');
    t.equal(over.body.code, 'CHARLA_CORE_RATE_LIMITED');
    retryAfter(over, 60);
    const spoofed = await initFrom('10.1.1.1', { 'x-forwarded-for': '203.0.113.9' });
    isProblem(t, spoofed, 429, 'a spoofed X-Forwarded-For does not reset the limit');
    t.equal((await initFrom('10.1.1.2')).status, 200, 'another address is not limited');
  });

  t.test('messages: per visitor', async (t) => {
    const v1 = await freshVisitor();
    const v2 = await freshVisitor();
    const sendAs = (token: string) => s.request('POST', '/api/v1/widget/messages', { token, body: { content: 'hi', clientId: cid() } });
    for (let i = 0; i < 3; i++) t.equal((await sendAs(v1)).status, 201, `message ${i + 1} of 3`);
    const over = await sendAs(v1);
    isProblem(t, over, 429, '4th message');
    retryAfter(over, 10);
    t.equal((await sendAs(v2)).status, 201, 'another visitor is not limited');
    const list = await s.request('GET', '/api/v1/widget/conversations', { token: v1 });
    t.equal(list.status, 200, 'reading is not limited');
    const inbox = await s.request('GET', `/api/v1/inbox/conversations/${list.body.conversations[0].id}/messages`, { token: A.owner.token });
    t.equal(inbox.body.messages.length, 3, 'the refused message was not stored');
  });

  t.test('starting conversations counts against the message limit too', async (t) => {
    const v = await freshVisitor();
    for (let i = 0; i < 3; i++) t.equal((await s.request('POST', '/api/v1/widget/conversations', { token: v, body: { content: `start ${i}`, clientId: cid() } })).status, 201);
    const over = await s.request('POST', '/api/v1/widget/conversations', { token: v, body: {} });
    isProblem(t, over, 429, '4th start');
    retryAfter(over, 10);
    const send = await s.request('POST', '/api/v1/widget/messages', { token: v, body: { content: 'x', clientId: cid() } });
    isProblem(t, send, 429, 'and a send after them');
    const list = await s.request('GET', '/api/v1/widget/conversations', { token: v });
    t.equal(list.body.conversations.length, 3, 'no conversation opened over the limit');
  });
});
