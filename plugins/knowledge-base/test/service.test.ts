import t from 'tap';
import { definePlugin } from '@charla/core';
import { startTestServer } from '@charla/core/testing';
import { KnowledgeBaseService, type KnowledgeBase } from '../src/server/index.js';
import { article, conversations, knowledgeBase, world } from './helpers.js';

/** What other plugins (AI answers) read through KnowledgeBaseService: published articles only, of one account. */
t.test('KnowledgeBaseService gives published articles as plain text and pages through their ids', async (t) => {
  let kb: KnowledgeBase | undefined;
  const reader = definePlugin({
    name: 'kb-test-reader', version: '1.0.0', core: '^0.1.0', uses: [KnowledgeBaseService],
    register(ctx) { kb = ctx.services.get(KnowledgeBaseService); },
  });
  const s = await startTestServer({ plugins: [conversations, knowledgeBase, reader] });
  t.teardown(() => s.close());
  const w = await world(s);
  const other = await world(s, 'Other');
  const a = await article(s, w.owner.token, { title: 'Devoluciones', body: '# Plazo\n\nTienes **30 días** para [devolver](https://x.test) un pedido.', status: 'published', locale: 'es' });
  const b = await article(s, w.owner.token, { title: 'Shipping', body: 'Two days.', status: 'published', locale: 'en' });
  const draft = await article(s, w.owner.token, { title: 'Draft', body: 'Secret plans.' });
  const foreign = await article(s, other.owner.token, { title: 'Foreign', body: 'x', status: 'published' });

  const got = await kb!.publishedArticle(w.owner.accountId, a.id);
  t.match(got, { id: a.id, slug: a.slug, title: 'Devoluciones', locale: 'es' });
  t.notOk(/[*#[\]]/.test(got!.text), 'Markdown is removed');
  t.match(got!.text, /Tienes 30 días para devolver un pedido/);
  t.equal(await kb!.publishedArticle(w.owner.accountId, draft.id), null, 'a draft is not given');
  t.equal(await kb!.publishedArticle(w.owner.accountId, foreign.id), null, 'another account\'s article is not given');
  t.equal(await kb!.publishedArticle(w.owner.accountId, 'not-an-id'), null, 'a malformed id is null, not an error');

  const all = [a.id, b.id].sort();
  t.same(await kb!.publishedIds(w.owner.accountId, { limit: 10 }), all, 'only published ones, of this account, in id order');
  const first = await kb!.publishedIds(w.owner.accountId, { limit: 1 });
  t.same([...first, ...(await kb!.publishedIds(w.owner.accountId, { limit: 1, afterId: first[0] }))], all, 'pages follow afterId');

  await s.request('PATCH', `/api/v1/kb/articles/${b.id}`, { token: w.owner.token, body: { status: 'draft' } });
  t.same(await kb!.publishedIds(w.owner.accountId, { limit: 10 }), [a.id], 'an unpublished article drops out');
});
