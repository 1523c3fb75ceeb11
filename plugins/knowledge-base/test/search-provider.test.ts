import t from 'tap';
import { definePlugin } from '@charla/core';
import { startTestServer } from '@charla/core/testing';
import { KnowledgeBaseSearchProvider, KnowledgeBaseService, type IndexedArticle, type KnowledgeBase, type SearchProvider } from '../src/server/index.js';
import { article, conversations, knowledgeBase, visitor, world } from './helpers.js';

/**
 * An operator's search engine plugged in through KnowledgeBaseSearchProvider: the
 * knowledge base sends it every write and asks it for every search, and still trusts
 * only its own tables (ids of other accounts, deleted articles or drafts are dropped).
 */
t.test('a plugin providing KnowledgeBaseSearchProvider replaces the database search', async (t) => {
  const docs = new Map<string, IndexedArticle>();
  const calls: string[] = [];
  let extraIds: string[] = [];
  const engine: SearchProvider = {
    index: async (a) => { calls.push(`index ${a.title}`); docs.set(a.id, a); },
    remove: async (_accountId, id) => { calls.push(`remove ${id}`); docs.delete(id); },
    // A deliberately naive engine: substring match, no accounts, no status filter — the knowledge base must cope.
    search: async (_accountId, text, { limit, offset }) => [...extraIds, ...[...docs.values()].filter((d) => `${d.title} ${d.text}`.toLowerCase().includes(text.toLowerCase())).map((d) => d.id)].slice(offset, offset + limit),
  };
  const external = definePlugin({
    name: 'kb-test-engine', version: '1.0.0', core: '^0.1.0',
    provides: [KnowledgeBaseSearchProvider],
    register(ctx) { ctx.services.provide(KnowledgeBaseSearchProvider, engine); },
  });
  const s = await startTestServer({ plugins: [conversations, external, knowledgeBase] });
  t.teardown(() => s.close());

  const w = await world(s);
  const other = await world(s, 'Other');
  const published = await article(s, w.owner.token, { title: 'Quantum refunds', body: 'Ask us.', status: 'published' });
  const draft = await article(s, w.owner.token, { title: 'Quantum draft', body: 'Not yet.' });
  const foreign = await article(s, other.owner.token, { title: 'Quantum elsewhere', body: 'x', status: 'published' });
  t.same(calls, ['index Quantum refunds', 'index Quantum draft', 'index Quantum elsewhere'], 'every write reaches the engine');
  t.match(docs.get(published.id), { accountId: w.owner.accountId, title: 'Quantum refunds', text: 'Ask us.', status: 'published', locale: 'es' });

  const agentHits = (await s.request('GET', '/api/v1/kb/articles?q=quantum', { token: w.owner.token })).body.articles.map((a: { id: string }) => a.id);
  t.same(agentHits.sort(), [published.id, draft.id].sort(), 'the engine answers; another account\'s id it returned is dropped');
  const v = await visitor(s, w.site.appId);
  const visitorHits = (await s.request('GET', '/api/v1/widget/kb/search?q=quantum', { token: v.token })).body.articles;
  t.same(visitorHits.map((a: { id: string }) => a.id), [published.id], 'a draft the engine returns never reaches a visitor');
  t.match(visitorHits[0].snippet, /<mark>Quantum<\/mark>/, 'snippets are made by the knowledge base');

  extraIds = ['01a23b00-0000-7000-8000-000000000000', foreign.id];
  const stale = (await s.request('GET', '/api/v1/kb/articles?q=refunds', { token: w.owner.token })).body.articles.map((a: { id: string }) => a.id);
  t.same(stale, [published.id], 'stale and foreign ids from the engine are ignored');
  extraIds = [];

  t.equal((await s.request('DELETE', `/api/v1/kb/articles/${published.id}`, { token: w.owner.token })).status, 204);
  t.ok(calls.includes(`remove ${published.id}`), 'deletes reach the engine');
});

t.test('KnowledgeBaseService: another plugin gets the best published articles for a visitor\'s words', async (t) => {
  let service: KnowledgeBase | undefined;
  const consumer = definePlugin({
    name: 'kb-test-bot', version: '1.0.0', core: '^0.1.0',
    uses: [KnowledgeBaseService],
    register(ctx) { service = ctx.services.get(KnowledgeBaseService); },
  });
  const s = await startTestServer({ plugins: [conversations, knowledgeBase, consumer] });
  t.teardown(() => s.close());
  const w = await world(s);
  const other = await world(s, 'Other');
  const refund = await article(s, w.owner.token, { title: 'Devoluciones', body: 'Pide la devolución en tu cuenta.', status: 'published' });
  const draft = await article(s, w.owner.token, { title: 'Devoluciones (borrador)', body: 'x' });
  const foreign = await article(s, other.owner.token, { title: 'Devoluciones de otra cuenta', body: 'x', status: 'published' });
  const hits = await service!.suggest(w.owner.accountId, 'hola, quiero hacer una devolucion de mi pedido', 3);
  t.same(hits.map((h) => h.id), [refund.id], 'the published article of this account only, from a whole sentence');
  t.match(hits[0], { slug: 'devoluciones', title: 'Devoluciones', snippet: /<mark>devolución<\/mark>/ });
  t.same(await service!.suggest(w.owner.accountId, 'zzzq', 3), []);
  const shipping = await article(s, w.owner.token, { title: 'Envíos', body: 'A toda España.', status: 'published' });
  t.same(await service!.published(w.owner.accountId, [shipping.id, draft.id, foreign.id, 'nope', refund.id]),
    [{ id: shipping.id, slug: shipping.slug, title: 'Envíos' }, { id: refund.id, slug: 'devoluciones', title: 'Devoluciones' }],
    'published(ids): the published articles of this account, in the order asked; drafts, other accounts\' and unknown ids are left out');
});
