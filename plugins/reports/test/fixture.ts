import { agentReplies, member, owner, patch, site, visitorWrites, type Env } from './helpers.js';

export const SHOP = 'https://shop.example';

/** Six conversations with known times around Madrid's DST change (see overview.test.ts for the figures). */
export async function fixture(env: Env) {
  const { s, clock } = env;
  clock.set('2026-10-01T08:00:00Z');
  const o = await owner(s);
  const ana = await member(env, o.token, o.accountId, 'agent', 'Ana');
  const shop = await site(s, o.token, 'Shop');
  const blog = await site(s, o.token, 'Blog, "News"');
  await s.request('PATCH', '/api/v1/plugins/reports', { token: o.token, body: { settings: { timezone: 'Europe/Madrid' } } });
  const tag = (id: string, add: string[]) => s.request('POST', `/api/v1/tags/conversations/${id}`, { token: o.token, body: { add } });

  // Outside the range (Oct 20).
  clock.set('2026-10-20T10:00:00Z');
  await visitorWrites(s, shop.appId, { url: `${SHOP}/old` });

  // c4: 23:59 CEST on Oct 23 (21:59Z) — Madrid's Oct 23. Never answered.
  clock.set('2026-10-23T21:59:00Z');
  const c4 = await visitorWrites(s, shop.appId, { url: `${SHOP}/pricing` });
  await tag(c4, ['=SUM(A1)']);

  // c1: 00:30 CEST on Oct 25 (22:30Z on the 24th) — Madrid's Oct 25, UTC's Oct 24.
  clock.set('2026-10-24T22:30:00Z');
  const c1 = await visitorWrites(s, shop.appId, { url: `${SHOP}/pricing` });
  await patch(s, o.token, c1, { assigneeId: o.userId });
  clock.advance(60);
  await agentReplies(s, o.token, c1);          // first response 60 s, by the owner
  clock.advance(540);
  await patch(s, o.token, c1, { status: 'closed' });   // resolved 600 s after the start

  // c2: 23:30 CET on Oct 25 (22:30Z) — the 25-hour day's last hour. From the app.
  clock.set('2026-10-25T22:30:00Z');
  const c2 = await visitorWrites(s, shop.appId, { url: `${SHOP}/pricing`, channel: 'app' });
  await patch(s, o.token, c2, { assigneeId: ana.userId });
  clock.advance(120);
  await agentReplies(s, ana.token, c2);        // 120 s, by Ana
  await tag(c2, ['billing']);

  // c3: 00:30 CET on Oct 26 (23:30Z on the 25th) — Madrid's Oct 26, UTC's Oct 25.
  clock.set('2026-10-25T23:30:00Z');
  const c3 = await visitorWrites(s, shop.appId, { url: `${SHOP}/help` });
  await patch(s, o.token, c3, { assigneeId: ana.userId });
  clock.advance(300);
  await agentReplies(s, ana.token, c3);        // 300 s, by Ana
  await agentReplies(s, ana.token, c3);        // a second reply: counts as a reply, not a response time
  clock.advance(3300);
  await patch(s, o.token, c3, { status: 'closed' });   // 3600 s
  await tag(c3, ['billing', 'vip']);

  // c5: Blog, Oct 26 10:00Z, no page. A private note first (neither a reply nor a response).
  clock.set('2026-10-26T10:00:00Z');
  const c5 = await visitorWrites(s, blog.appId);
  await patch(s, o.token, c5, { assigneeId: o.userId });
  clock.advance(10);
  await agentReplies(s, ana.token, c5, { private: true });
  clock.advance(20);
  await agentReplies(s, o.token, c5);          // 30 s, by the owner

  clock.set('2026-10-27T09:00:00Z');
  return { o, ana, shop, blog, c1, c2, c3, c4, c5 };
}

