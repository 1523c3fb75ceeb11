import t from 'tap';
import { ok, startEnv, visitor, world } from './helpers.js';

const { s } = await startEnv();
t.teardown(() => s.close());
const w = await world(s);
const key = async (scopes: string[]) => (await ok(s.request('POST', '/api/v1/api-keys', { token: w.token, body: { name: `k ${scopes.join(' ')}`, scopes } }), 201)).key as string;
const rows = async (sql: string, id: string) => Number(((await s.app.charla.db.query<{ n: number | string }>(sql, { id }))[0]).n);

t.test('API keys: each route takes only its scope', async (t) => {
  const read = await key(['contacts:read']);
  const write = await key(['contacts:write']);
  const events = await key(['events:write']);
  const created = await ok(s.request('POST', '/api/v1/contacts', { token: write, body: { externalId: 'k-1', name: 'Key made' } }), 201);
  t.equal((await s.request('POST', '/api/v1/contacts', { token: read, body: { externalId: 'k-2' } })).status, 403, 'contacts:read cannot write');
  t.equal((await s.request('POST', '/api/v1/contacts/search', { token: write, body: {} })).status, 403, 'contacts:write cannot search');
  const found = await ok(s.request('POST', '/api/v1/contacts/search', { token: read, body: { filter: { field: 'externalId', op: 'eq', value: 'k-1' } } }));
  t.same(found.contacts.map((c: { id: string }) => c.id), [created.id]);
  t.equal((await ok(s.request('GET', `/api/v1/contacts/${created.id}`, { token: read }))).name, 'Key made');
  t.equal((await s.request('POST', '/api/v1/events', { token: read, body: { contact: { externalId: 'k-1' }, name: 'x' } })).status, 403, 'contacts:read cannot track');
  await ok(s.request('POST', '/api/v1/events', { token: events, body: { contact: { externalId: 'k-1' }, name: 'paid', properties: { amount: 20 } } }), 202);
  t.equal((await s.request('POST', '/api/v1/contacts/search', { token: events, body: {} })).status, 403, 'events:write cannot read contacts');
  t.equal((await s.request('DELETE', `/api/v1/contacts/${created.id}`, { token: read })).status, 403, 'erasure needs contacts:write');
  t.equal((await s.request('POST', '/api/v1/segments', { token: read, body: { name: 'x', filter: { field: 'visitCount', op: 'gt', value: 0 } } })).status, 403, 'a segment is a write');
  t.equal((await ok(s.request('GET', '/api/v1/segments', { token: read }))).segments.length, 0, 'contacts:read lists segments');
});

t.test('events in batches: one or up to 100, all or none', async (t) => {
  const c = await ok(s.request('POST', '/api/v1/contacts', { token: w.token, body: { email: 'batch@example.com' } }), 201);
  const batch = Array.from({ length: 100 }, (_, i) => ({ contact: { email: 'batch@example.com' }, name: i % 2 ? 'odd' : 'even', properties: { i } }));
  t.same(await ok(s.request('POST', '/api/v1/events', { token: w.token, body: { events: batch } }), 202), { accepted: 100 });
  const got = await ok(s.request('GET', `/api/v1/contacts/${c.id}`, { token: w.token }));
  t.equal(got.events.length, 100);
  const at = '2026-01-01T10:00:00.000Z';
  await ok(s.request('POST', '/api/v1/events', { token: w.token, body: { contact: { id: c.id }, name: 'old', occurredAt: at } }), 202);
  const all = await ok(s.request('POST', '/api/v1/contacts/search', { token: w.token, body: { filter: { field: 'events.odd', op: 'eq', value: 50 } } }));
  t.same(all.contacts.map((x: { id: string }) => x.id), [c.id], 'the batch is counted');
  const exported = await ok(s.request('GET', `/api/v1/contacts/${c.id}/export`, { token: w.token }));
  t.match(exported.events.find((e: { name: string }) => e.name === 'old'), { at }, 'occurredAt is kept');

  t.equal((await s.request('POST', '/api/v1/events', { token: w.token, body: { events: [...batch, batch[0]] } })).status, 400, '101 events → 400');
  t.equal((await s.request('POST', '/api/v1/events', { token: w.token, body: { events: [] } })).status, 400, 'an empty batch → 400');
  const missing = await s.request('POST', '/api/v1/events', { token: w.token, body: { events: [{ contact: { id: c.id }, name: 'ok' }, { contact: { externalId: 'nobody' }, name: 'x' }] } });
  t.equal(missing.status, 404, 'an unknown contact → 404');
  t.match(missing.body.detail, /events\[1\]\.contact/);
  t.equal((await ok(s.request('GET', `/api/v1/contacts/${c.id}`, { token: w.token }))).events.filter((e: { name: string }) => e.name === 'ok').length, 0, 'nothing of a refused batch is stored');
  for (const body of [
    { contact: {}, name: 'x' },
    { contact: { id: c.id, email: 'batch@example.com' }, name: 'x' },
    { contact: { id: c.id }, name: '' },
    { contact: { id: c.id }, name: 'x', occurredAt: 'yesterday' },
    { contact: { id: c.id }, name: 'x', properties: { nested: { a: 1 } } },
  ]) {
    const r = await s.request('POST', '/api/v1/events', { token: w.token, body });
    t.equal(r.status, 400, `${JSON.stringify(body).slice(0, 70)} → 400`);
    t.match(r.headers['content-type'], /problem\+json/);
  }
});

t.test('upsert: bad input', async (t) => {
  for (const body of [{}, { name: 'only a name' }, { email: 'not-an-email' }, { externalId: 'x', siteId: 'not-mine' }, { externalId: 'x', attributes: { 'a b': 1 } }]) {
    const r = await s.request('POST', '/api/v1/contacts', { token: w.token, body });
    t.equal(r.status, 400, `${JSON.stringify(body)} → 400`);
    t.match(r.headers['content-type'], /problem\+json/);
    t.ok(r.body.detail, 'with a detail');
  }
  t.equal((await s.request('GET', '/api/v1/contacts/nope', { token: w.token })).status, 404);
  t.equal((await s.request('GET', '/api/v1/contacts/%F0%9F%99%82/export', { token: w.token })).status, 404, 'an odd id in the export path is a 404, never a bad header');
  t.equal((await s.request('PATCH', '/api/v1/contacts/nope', { token: w.token, body: { name: 'x' } })).status, 404);
  t.equal((await s.request('PATCH', '/api/v1/contacts/nope', { token: w.token, body: { email: 'x' } })).status, 400);
});

t.test('segments: save a filter, live counts, its contacts, rename, delete', async (t) => {
  const filter = { and: [{ field: 'attributes.tier', op: 'eq', value: 'gold' }, { field: 'lastSeenAt', op: 'in_last_days', value: 1 }] };
  const seg = await ok(s.request('POST', '/api/v1/segments', { token: w.token, body: { name: 'Gold, active today', filter } }), 201);
  t.match(seg, { name: 'Gold, active today', filter, count: 0 });
  const one = await ok(s.request('POST', '/api/v1/contacts', { token: w.token, body: { externalId: 'g-1', attributes: { tier: 'gold' } } }), 201);
  await ok(s.request('POST', '/api/v1/contacts', { token: w.token, body: { externalId: 'g-2', attributes: { tier: 'gold' } } }), 201);
  await ok(s.request('POST', '/api/v1/contacts', { token: w.token, body: { externalId: 's-1', attributes: { tier: 'silver' } } }), 201);
  t.equal((await ok(s.request('GET', `/api/v1/segments/${seg.id}`, { token: w.token }))).count, 2, 'the count is live');
  t.match((await ok(s.request('GET', '/api/v1/segments', { token: w.token }))).segments, [{ id: seg.id, count: 2 }]);
  const page1 = await ok(s.request('GET', `/api/v1/segments/${seg.id}/contacts?limit=1`, { token: w.token }));
  t.equal(page1.contacts.length, 1);
  t.equal(page1.total, 2);
  const page2 = await ok(s.request('GET', `/api/v1/segments/${seg.id}/contacts?limit=1&cursor=${page1.nextCursor}`, { token: w.token }));
  t.equal(page2.nextCursor, null);
  t.not(page2.contacts[0].id, page1.contacts[0].id, 'the second page is the other contact');
  await ok(s.request('PATCH', `/api/v1/contacts/${one.id}`, { token: w.token, body: { attributes: { tier: 'silver' } } }));
  t.equal((await ok(s.request('GET', `/api/v1/segments/${seg.id}`, { token: w.token }))).count, 1, 'a contact that changes leaves the segment');
  const renamed = await ok(s.request('PATCH', `/api/v1/segments/${seg.id}`, { token: w.token, body: { name: 'Silver', filter: { field: 'attributes.tier', op: 'eq', value: 'silver' } } }));
  t.match(renamed, { name: 'Silver', count: 2 });
  for (const body of [{ name: 'x', filter: { field: 'nope', op: 'eq', value: 1 } }, { name: '', filter: { field: 'visitCount', op: 'gt', value: 1 } }, { name: '   ', filter: { field: 'visitCount', op: 'gt', value: 1 } }, { name: 'no filter' }]) {
    const r = await s.request('POST', '/api/v1/segments', { token: w.token, body });
    t.equal(r.status, 400, `${JSON.stringify(body)} → 400`);
    t.match(r.headers['content-type'], /problem\+json/);
  }
  t.equal((await s.request('PATCH', `/api/v1/segments/${seg.id}`, { token: w.token, body: { filter: { field: 'visitCount', op: 'gt', value: 'many' } } })).status, 400);
  t.equal((await s.request('GET', `/api/v1/segments/${seg.id}/contacts?limit=0`, { token: w.token })).status, 400);
  await ok(s.request('DELETE', `/api/v1/segments/${seg.id}`, { token: w.token }), 204);
  t.equal((await s.request('GET', `/api/v1/segments/${seg.id}`, { token: w.token })).status, 404);
  t.equal((await s.request('GET', `/api/v1/segments/${seg.id}/contacts`, { token: w.token })).status, 404);
  t.equal((await s.request('DELETE', `/api/v1/segments/${seg.id}`, { token: w.token })).status, 404);
});

t.test('GDPR: export one contact, then erase it with its pages, events and conversations', async (t) => {
  const v = await visitor(s, w.site.appId, { page: { url: 'https://shop.example/a', title: 'A' } });
  await ok(s.request('POST', '/api/v1/widget/page', { token: v.token, body: { url: 'https://shop.example/b', title: 'B' } }), 202);
  await ok(s.request('POST', '/api/v1/widget/track', { token: v.token, body: { name: 'viewed', properties: { sku: 'x1' } } }), 202);
  const sent = await ok(s.request('POST', '/api/v1/widget/messages', { token: v.token, body: { content: 'my address is 1 Main St', clientId: 'gdpr-1' } }), 201);
  await ok(s.request('POST', `/api/v1/inbox/conversations/${sent.conversation.id}/messages`, { token: w.token, body: { content: 'internal', clientId: 'gdpr-n', private: true } }), 201);

  const exp = await s.request('GET', `/api/v1/contacts/${v.id}/export`, { token: w.token });
  t.equal(exp.status, 200);
  t.match(exp.headers['content-disposition'], /attachment/);
  t.same(exp.body.pages.map((p: { url: string }) => p.url), ['https://shop.example/a', 'https://shop.example/b']);
  t.match(exp.body.events, [{ name: 'viewed', properties: { sku: 'x1' } }]);
  t.match(exp.body.conversations, [{ id: sent.conversation.id, messages: [{ content: 'my address is 1 Main St', senderType: 'visitor' }] }]);
  t.notOk(exp.text.includes('internal'), 'private notes are not part of the export');
  t.match(exp.body.contact, { id: v.id, pageViewCount: 2 });

  const detail = await ok(s.request('GET', `/api/v1/contacts/${v.id}`, { token: w.token }));
  t.match(detail.conversations, [{ id: sent.conversation.id, status: 'open' }], 'the contact page lists its conversations');

  await ok(s.request('DELETE', `/api/v1/contacts/${v.id}`, { token: w.token }), 204);
  t.equal((await s.request('GET', `/api/v1/contacts/${v.id}`, { token: w.token })).status, 404);
  t.equal(await rows('SELECT COUNT(*) AS n FROM page_views WHERE visitor_id = :id', v.id), 0, 'page views erased');
  t.equal(await rows('SELECT COUNT(*) AS n FROM tracked_events WHERE visitor_id = :id', v.id), 0, 'events erased');
  t.equal(await rows('SELECT COUNT(*) AS n FROM conversations WHERE visitor_id = :id', v.id), 0, 'conversations erased');
  t.equal(await rows('SELECT COUNT(*) AS n FROM messages WHERE conversation_id = :id', sent.conversation.id), 0, 'messages erased');
  t.equal(await rows('SELECT COUNT(*) AS n FROM visitors WHERE id = :id', v.id), 0, 'the visitor row is gone');
  t.equal((await s.request('GET', '/api/v1/widget/conversations', { token: v.token })).status, 401, 'its widget token no longer works');
  t.equal((await s.request('DELETE', `/api/v1/contacts/${v.id}`, { token: w.token })).status, 404, 'erasing twice → 404');
});
