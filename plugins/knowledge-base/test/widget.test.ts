import t from 'tap';
import { article, isProblem, startEnv, visitor, world } from './helpers.js';

t.test('widget API: published articles of the visitor\'s account only, rendered safely; feedback', async (t) => {
  const env = await startEnv();
  t.teardown(() => env.close());
  const { s } = env;
  const w = await world(s);
  const other = await world(s, 'Other');
  const token = w.owner.token;
  const v = await visitor(s, w.site.appId);
  const published = await article(s, token, { title: 'Devoluciones', body: 'Pide la **devolución** [aquí](https://shop.example/returns). <img src=x onerror=alert(1)>', status: 'published' });
  const draft = await article(s, token, { title: 'Borrador de devoluciones', body: 'secreto' });
  const foreign = await article(s, other.owner.token, { title: 'Devoluciones de otra cuenta', body: 'x', status: 'published' });

  await t.test('an article: sanitized HTML, links with rel="noopener nofollow"', async (t) => {
    const r = await s.request('GET', `/api/v1/widget/kb/articles/${published.id}`, { token: v.token });
    t.equal(r.status, 200);
    t.same(Object.keys(r.body).sort(), ['html', 'id', 'slug', 'title', 'updatedAt']);
    t.match(r.body, { id: published.id, slug: 'devoluciones', title: 'Devoluciones' });
    t.match(r.body.html, '<strong>devolución</strong>');
    t.match(r.body.html, '<a href="https://shop.example/returns" rel="noopener nofollow" target="_blank">aquí</a>');
    t.notMatch(r.body.html, /<img/, 'raw HTML stays text');
  });

  await t.test('drafts, deleted articles and other accounts\' articles are 404 alike', async (t) => {
    const gone = await article(s, token, { title: 'Temporal', body: 'x', status: 'published' });
    await s.request('DELETE', `/api/v1/kb/articles/${gone.id}`, { token });
    const unpublished = await article(s, token, { title: 'Ya no', body: 'x', status: 'published' });
    await s.request('PATCH', `/api/v1/kb/articles/${unpublished.id}`, { token, body: { status: 'draft' } });
    for (const [what, id] of [['draft', draft.id], ['deleted', gone.id], ['unpublished', unpublished.id], ['another account\'s', foreign.id], ['not an id', 'nope']]) {
      const r = await s.request('GET', `/api/v1/widget/kb/articles/${id}`, { token: v.token });
      t.ok(isProblem(r, 404, 'CHARLA_KB_ARTICLE_NOT_FOUND'), what);
      t.notMatch(r.text, /secreto|otra cuenta/);
    }
    const hits = (await s.request('GET', '/api/v1/widget/kb/search?q=devoluciones', { token: v.token })).body.articles.map((a: { id: string }) => a.id);
    t.same(hits, [published.id], 'search: only the published article of this account');
  });

  await t.test('only visitors: agents and nobody are refused', async (t) => {
    t.ok(isProblem(await s.request('GET', '/api/v1/widget/kb/search?q=x'), 401));
    t.ok(isProblem(await s.request('GET', `/api/v1/widget/kb/articles/${published.id}`, { token }), 403));
    t.ok(isProblem(await s.request('POST', `/api/v1/widget/kb/articles/${published.id}/feedback`, { token, body: { helpful: true } }), 403));
  });

  await t.test('bad input is a 400 problem+json', async (t) => {
    for (const q of ['', 'q=' + 'x'.repeat(201), 'q=a&limit=0', 'q=a&limit=21', 'q=a&limit=many']) {
      t.ok(isProblem(await s.request('GET', `/api/v1/widget/kb/search?${q}`, { token: v.token }), 400), `search ?${q}`);
    }
    for (const body of [{}, { helpful: 'yes' }, { helpful: 1 }, { helpful: true, comment: 'x' }, []]) {
      t.ok(isProblem(await s.request('POST', `/api/v1/widget/kb/articles/${published.id}/feedback`, { token: v.token, body }), 400), `feedback ${JSON.stringify(body)}`);
    }
  });

  await t.test('feedback: 202, one answer per visitor (the latest), counted for agents; none for drafts', async (t) => {
    const bus = s.app.charla.container.cradle.events;
    const given: unknown[] = [];
    bus.on('article.feedback_given', 'test', async (p) => { given.push(p); });
    const send = (tok: string, helpful: boolean, id = published.id) => s.request('POST', `/api/v1/widget/kb/articles/${id}/feedback`, { token: tok, body: { helpful } });
    const v2 = await visitor(s, w.site.appId);
    t.equal((await send(v.token, false)).status, 202);
    t.equal((await send(v.token, true)).status, 202, 'changing one\'s mind');
    t.equal((await send(v2.token, false)).status, 202);
    const counts = (await s.request('GET', `/api/v1/kb/articles/${published.id}`, { token })).body.feedback;
    t.same(counts, { helpful: 1, notHelpful: 1 });
    t.ok(isProblem(await send(v.token, true, draft.id), 404), 'no feedback on a draft');
    t.ok(isProblem(await send(v.token, true, foreign.id), 404), 'nor on another account\'s article');
    await bus.drain();
    t.same(given, [
      { accountId: w.owner.accountId, articleId: published.id, visitorId: v.id, helpful: false },
      { accountId: w.owner.accountId, articleId: published.id, visitorId: v.id, helpful: true },
      { accountId: w.owner.accountId, articleId: published.id, visitorId: v2.id, helpful: false },
    ]);
  });

  await t.test('an account with the plugin switched off: its visitors get 404', async (t) => {
    const off = await s.request('PATCH', '/api/v1/plugins/knowledge-base', { token, body: { enabled: false } });
    t.equal(off.status, 200, off.text);
    t.ok(isProblem(await s.request('GET', '/api/v1/widget/kb/search?q=devoluciones', { token: v.token }), 404, 'CHARLA_CORE_PLUGIN_DISABLED'));
    t.ok(isProblem(await s.request('GET', `/api/v1/widget/kb/articles/${published.id}`, { token: v.token }), 404));
    const ov = await visitor(s, other.site.appId);
    t.equal((await s.request('GET', '/api/v1/widget/kb/search?q=devoluciones', { token: ov.token })).status, 200, 'other accounts keep it');
    await s.request('PATCH', '/api/v1/plugins/knowledge-base', { token, body: { enabled: true } });
  });
});
