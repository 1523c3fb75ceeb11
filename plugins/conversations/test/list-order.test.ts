import t from 'tap';
import { send, startServer, visitor, world } from './helpers.js';

t.test('inbox list: high priority first, then newest activity; cursors page through it; old cursors keep working', async (t) => {
  const s = await startServer();
  t.teardown(() => s.close());
  const w = await world(s);
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const v = await visitor(s, w.site.appId);
    ids.push((await send(s, v.token, `hello ${i}`)).conversation.id);
  }
  const { conversations } = s.app.charla.container.cradle;
  await conversations.systemUpdate(w.agent.accountId, ids[0], { priority: 'high' }); // oldest, but high
  await conversations.systemUpdate(w.agent.accountId, ids[2], { priority: 'high' });
  const expected = [ids[2], ids[0], ids[4], ids[3], ids[1]];

  const all = await s.request('GET', '/api/v1/inbox/conversations', { token: w.agent.token });
  t.same(all.body.conversations.map((c: { id: string }) => c.id), expected, 'high priority first, each group newest first');

  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const page: { body: { conversations: Array<{ id: string }>; nextCursor: string | null } } = await s.request('GET', `/api/v1/inbox/conversations?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: w.agent.token });
    seen.push(...page.body.conversations.map((c) => c.id));
    cursor = page.body.nextCursor;
  } while (cursor);
  t.same(seen, expected, 'pages of 2 cross the priority boundary without gaps or repeats');

  // A cursor issued before priority ordering ({t, id}, no p) continues in newest-activity order.
  const list = await s.request('GET', '/api/v1/inbox/conversations?limit=5', { token: w.agent.token });
  const byId = new Map(list.body.conversations.map((c: { id: string; lastActivityAt: string }) => [c.id, c]));
  const anchor = byId.get(ids[3]) as { id: string; lastActivityAt: string };
  const legacy = Buffer.from(JSON.stringify({ t: anchor.lastActivityAt, id: anchor.id })).toString('base64url');
  const rest = await s.request('GET', `/api/v1/inbox/conversations?limit=1&cursor=${legacy}`, { token: w.agent.token });
  t.equal(rest.status, 200);
  t.same(rest.body.conversations.map((c: { id: string }) => c.id), [ids[2]], 'old cursor: the next older conversation');
  const rest2 = await s.request('GET', `/api/v1/inbox/conversations?limit=5&cursor=${rest.body.nextCursor}`, { token: w.agent.token });
  t.same(rest2.body.conversations.map((c: { id: string }) => c.id), [ids[1], ids[0]], 'and its next cursor stays in that order');

  const bad = Buffer.from(JSON.stringify({ p: 7, t: anchor.lastActivityAt, id: anchor.id })).toString('base64url');
  t.equal((await s.request('GET', `/api/v1/inbox/conversations?cursor=${bad}`, { token: w.agent.token })).status, 400);
});
