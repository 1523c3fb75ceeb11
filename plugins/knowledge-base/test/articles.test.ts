import t from 'tap';
import { article, isProblem, member, startEnv, world } from './helpers.js';

t.test('articles: CRUD, slugs, filters, cursor paging, categories, roles and bad input', async (t) => {
  const env = await startEnv();
  t.teardown(() => env.close());
  const { s } = env;
  const w = await world(s);
  const admin = await member(s, env.smtp, w, 'admin');
  const agent = await member(s, env.smtp, w, 'agent');
  const events: Array<{ name: string; payload: any }> = [];
  const bus = s.app.charla.container.cradle.events;
  for (const name of ['article.created', 'article.updated', 'article.published', 'article.unpublished', 'article.deleted'] as const) {
    bus.on(name, 'test', async (payload) => { events.push({ name, payload }); });
  }

  await t.test('an admin writes a draft; the contract\'s fields come back', async (t) => {
    const r = await s.request('POST', '/api/v1/kb/articles', { token: admin.token, body: { title: '¿Cómo pido una devolución?', body: 'Escribe a **soporte**.', tags: ['Devoluciones', 'pedidos', 'devoluciones '], category: 'Pedidos', locale: 'es' } });
    t.equal(r.status, 201);
    t.match(r.body, { slug: 'como-pido-una-devolucion', title: '¿Cómo pido una devolución?', body: 'Escribe a **soporte**.', tags: ['devoluciones', 'pedidos'], category: 'Pedidos', locale: 'es', status: 'draft', authorId: admin.userId, publishedAt: null });
    t.ok(Date.parse(r.body.createdAt) && Date.parse(r.body.updatedAt));
    const again = await article(s, admin.token, { title: '¿Cómo pido una devolución?', body: 'x' });
    t.equal(again.slug, 'como-pido-una-devolucion-2', 'slugs stay unique in the account');
    await bus.drain();
    t.same(events.filter((e) => e.name === 'article.created').map((e) => e.payload.articleId), [r.body.id, again.id]);
  });

  await t.test('publishing sets publishedAt and emits article.published; back to draft clears it', async (t) => {
    const a = await article(s, w.owner.token, { title: 'Shipping times', body: 'We ship in 2 days.', locale: 'en', category: 'Shipping' });
    const pub = await s.request('PATCH', `/api/v1/kb/articles/${a.id}`, { token: w.owner.token, body: { status: 'published' } });
    t.equal(pub.status, 200);
    t.equal(pub.body.status, 'published');
    t.ok(Date.parse(pub.body.publishedAt));
    const draft = await s.request('PATCH', `/api/v1/kb/articles/${a.id}`, { token: w.owner.token, body: { status: 'draft', title: 'Shipping times (2026)' } });
    t.match(draft.body, { status: 'draft', publishedAt: null, title: 'Shipping times (2026)', slug: 'shipping-times' }, 'a new title keeps the slug (links stay valid)');
    await bus.drain();
    t.ok(events.some((e) => e.name === 'article.published' && e.payload.articleId === a.id && e.payload.slug === 'shipping-times'));
    t.ok(events.some((e) => e.name === 'article.unpublished' && e.payload.articleId === a.id));
    t.ok(events.some((e) => e.name === 'article.updated' && e.payload.articleId === a.id && e.payload.changes.title === 'Shipping times (2026)' && e.payload.actorId === w.owner.userId));
    const slug = await s.request('PATCH', `/api/v1/kb/articles/${a.id}`, { token: w.owner.token, body: { slug: 'como-pido-una-devolucion' } });
    t.ok(isProblem(slug, 409, 'CHARLA_KB_DUPLICATE_SLUG'), 'a taken slug is a 409');
    const renamed = await s.request('PATCH', `/api/v1/kb/articles/${a.id}`, { token: w.owner.token, body: { slug: 'envios' } });
    t.equal(renamed.body.slug, 'envios');
  });

  await t.test('agents read; only owners and admins write', async (t) => {
    const a = await article(s, admin.token, { title: 'Roles', body: 'x' });
    t.equal((await s.request('GET', `/api/v1/kb/articles/${a.id}`, { token: agent.token })).status, 200);
    t.equal((await s.request('GET', '/api/v1/kb/articles', { token: agent.token })).status, 200);
    t.equal((await s.request('GET', '/api/v1/kb/categories', { token: agent.token })).status, 200);
    t.ok(isProblem(await s.request('POST', '/api/v1/kb/articles', { token: agent.token, body: { title: 'No', body: 'x' } }), 403));
    t.ok(isProblem(await s.request('PATCH', `/api/v1/kb/articles/${a.id}`, { token: agent.token, body: { title: 'No' } }), 403));
    t.ok(isProblem(await s.request('DELETE', `/api/v1/kb/articles/${a.id}`, { token: agent.token }), 403));
    t.ok(isProblem(await s.request('GET', '/api/v1/kb/articles'), 401));
    t.equal((await s.request('GET', `/api/v1/kb/articles/${a.id}`, { token: agent.token })).body.title, 'Roles', 'unchanged');
  });

  await t.test('bad input is a 400 problem+json naming the field; unknown fields too', async (t) => {
    const bad: Array<[string, unknown]> = [
      ['no title', { body: 'x' }],
      ['title not a string', { title: 42, body: 'x' }],
      ['blank title', { title: '   ', body: 'x' }],
      ['title too long', { title: 'x'.repeat(201), body: 'x' }],
      ['body an object', { title: 'T', body: { md: 'x' } }],
      ['body too long', { title: 'T', body: 'x'.repeat(100_001) }],
      ['tags not an array', { title: 'T', body: 'x', tags: 'a,b' }],
      ['too many tags', { title: 'T', body: 'x', tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }],
      ['tag too long', { title: 'T', body: 'x', tags: ['x'.repeat(41)] }],
      ['unknown status', { title: 'T', body: 'x', status: 'archived' }],
      ['bad locale', { title: 'T', body: 'x', locale: 'spanish' }],
      ['unknown field', { title: 'T', body: 'x', slug: 'chosen' }],
      ['authorId is not settable', { title: 'T', body: 'x', authorId: agent.userId }],
    ];
    for (const [what, body] of bad) {
      const r = await s.request('POST', '/api/v1/kb/articles', { token: admin.token, body });
      t.ok(r.status === 400 || r.status === 413, `${what}: ${r.status}`);
      t.ok(isProblem(r, r.status), `${what}: problem+json`);
    }
    const a = await article(s, admin.token, { title: 'Patch me', body: 'x' });
    for (const body of [{ status: 'gone' }, { slug: 'Not A Slug' }, { id: 'x' }, { tags: [1] }, { category: 5 }]) {
      t.ok(isProblem(await s.request('PATCH', `/api/v1/kb/articles/${a.id}`, { token: admin.token, body }), 400), `PATCH ${JSON.stringify(body)}`);
    }
    t.ok(isProblem(await s.request('POST', '/api/v1/kb/articles', { token: admin.token, raw: '{"title":' }), 400), 'malformed JSON');
    for (const q of ['status=old', 'limit=0', 'limit=101', 'limit=ten', 'cursor=nonsense', 'locale=xx_YY']) {
      t.ok(isProblem(await s.request('GET', `/api/v1/kb/articles?${q}`, { token: agent.token }), 400), `GET ?${q}`);
    }
    t.ok(isProblem(await s.request('GET', '/api/v1/kb/articles/not-an-id', { token: agent.token }), 404, 'CHARLA_KB_ARTICLE_NOT_FOUND'));
  });

  await t.test('list: filters and cursor paging, newest first, no page repeats or skips', async (t) => {
    const other = await world(s, 'Other');
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      ids.push((await article(s, other.owner.token, { title: `Article ${i}`, body: `Body ${i}`, category: i % 2 ? 'Odd' : 'Even', tags: i % 3 ? [] : ['third'], locale: i < 5 ? 'es' : 'en', status: i < 4 ? 'published' : 'draft' })).id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const r: any = await s.request('GET', `/api/v1/kb/articles?limit=3${cursor ? `&cursor=${cursor}` : ''}`, { token: other.owner.token });
      t.equal(r.status, 200);
      t.ok(r.body.articles.length <= 3);
      seen.push(...r.body.articles.map((a: { id: string }) => a.id));
      cursor = r.body.nextCursor;
    } while (cursor);
    t.same(seen, [...ids].reverse(), 'every article once, newest first');
    const get = async (q: string) => (await s.request('GET', `/api/v1/kb/articles?${q}`, { token: other.owner.token })).body.articles.map((a: { title: string }) => a.title).sort();
    t.same(await get('status=published'), ['Article 0', 'Article 1', 'Article 2', 'Article 3']);
    t.same(await get('category=Odd'), ['Article 1', 'Article 3', 'Article 5']);
    t.same(await get('tag=THIRD'), ['Article 0', 'Article 3', 'Article 6'], 'tags compare case-insensitively');
    t.same(await get('locale=en'), ['Article 5', 'Article 6']);
    t.same(await get('category=Even&status=draft&tag=third'), ['Article 6']);
    const cats = await s.request('GET', '/api/v1/kb/categories', { token: other.owner.token });
    t.same(cats.body, { categories: [{ name: 'Even', count: 4 }, { name: 'Odd', count: 3 }] });
    const search = await s.request('GET', '/api/v1/kb/articles?q=article&limit=2', { token: other.owner.token });
    t.ok(isProblem(await s.request('GET', `/api/v1/kb/articles?cursor=${search.body.nextCursor}`, { token: other.owner.token }), 400, 'CHARLA_KB_BAD_CURSOR'), 'a search cursor is not a list cursor');
    for (const forged of [{ o: 1e300 }, { o: -1 }, { o: 1.5 }, { c: 'not a date', i: ids[0] }, { c: new Date().toISOString(), i: 'x' }]) {
      const cursor = Buffer.from(JSON.stringify(forged)).toString('base64url');
      const q = 'o' in forged ? 'q=article&' : '';
      t.ok(isProblem(await s.request('GET', `/api/v1/kb/articles?${q}cursor=${cursor}`, { token: other.owner.token }), 400, 'CHARLA_KB_BAD_CURSOR'), `forged cursor ${JSON.stringify(forged)}`);
    }
  });

  await t.test('preview: the sanitized HTML visitors will get, for owners and admins', async (t) => {
    const r = await s.request('POST', '/api/v1/kb/preview', { token: admin.token, body: { body: '**hola** <script>alert(1)</script> [x](javascript:alert(1))' } });
    t.equal(r.status, 200);
    t.match(r.body.html, '<strong>hola</strong>');
    t.notMatch(r.body.html, /<script|href="javascript/);
    t.ok(isProblem(await s.request('POST', '/api/v1/kb/preview', { token: agent.token, body: { body: 'x' } }), 403));
    t.ok(isProblem(await s.request('POST', '/api/v1/kb/preview', { token: admin.token, body: { body: 5 } }), 400));
  });

  await t.test('delete: 204, then 404; deleted articles leave the list and the search', async (t) => {
    const a = await article(s, admin.token, { title: 'Temporary zanahoria', body: 'x', status: 'published' });
    t.equal((await s.request('GET', '/api/v1/kb/articles?q=zanahoria', { token: admin.token })).body.articles.length, 1);
    t.equal((await s.request('DELETE', `/api/v1/kb/articles/${a.id}`, { token: admin.token })).status, 204);
    t.ok(isProblem(await s.request('GET', `/api/v1/kb/articles/${a.id}`, { token: admin.token }), 404));
    t.ok(isProblem(await s.request('DELETE', `/api/v1/kb/articles/${a.id}`, { token: admin.token }), 404));
    t.equal((await s.request('GET', '/api/v1/kb/articles?q=zanahoria', { token: admin.token })).body.articles.length, 0);
    await bus.drain();
    t.ok(events.some((e) => e.name === 'article.deleted' && e.payload.articleId === a.id));
  });
});
