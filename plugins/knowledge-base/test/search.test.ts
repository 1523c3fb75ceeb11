import t from 'tap';
import { article, startEnv, visitor, world } from './helpers.js';

/**
 * Search quality, the same cases on SQLite (FTS5) and PostgreSQL (tsvector): run this
 * file with DATABASE_URL set for the second. Spanish and English: accents, case,
 * plurals and verb forms (stemming), ranking (title above body), snippets, drafts.
 */
t.test('search: Spanish and English, accent- and case-insensitive, stemmed, ranked, with snippets', async (t) => {
  const env = await startEnv();
  t.teardown(() => env.close());
  const { s } = env;
  const w = await world(s);
  const token = w.owner.token;
  const published = { status: 'published' as const };
  const refund = await article(s, token, { title: 'Política de devolución', body: 'Puedes pedir la **devolución** de un producto en los 30 días siguientes a la compra. Te reembolsamos el importe en tu tarjeta.', locale: 'es', category: 'Pedidos', ...published });
  const shipping = await article(s, token, { title: 'Envíos y plazos de entrega', body: 'Enviamos los pedidos en 24 horas. Si tu envío llega dañado, solicita una devolución desde tu cuenta.', locale: 'es', category: 'Envíos', ...published });
  const password = await article(s, token, { title: 'Cambiar la contraseña', body: 'Abre tu perfil y elige «Contraseña». Las contraseñas deben tener 8 caracteres.', locale: 'es', ...published });
  const refundsEn = await article(s, token, { title: 'Refunds', body: 'Refunding an order takes five business days. We refund to the original card.', locale: 'en', ...published });
  const shippingEn = await article(s, token, { title: 'Tracking your parcel', body: 'Every shipped order gets a tracking number by e-mail.', locale: 'en', ...published });
  const draft = await article(s, token, { title: 'Devoluciones en tienda (borrador)', body: 'Aún no publicado.', locale: 'es' });

  const ids = async (q: string, filters = '') => {
    const r = await s.request('GET', `/api/v1/kb/articles?q=${encodeURIComponent(q)}${filters}`, { token });
    t.equal(r.status, 200, `q=${q}`);
    return (r.body.articles as Array<{ id: string }>).map((a) => a.id);
  };

  await t.test('Spanish: accents, case and plurals find "devolución"', async (t) => {
    for (const q of ['devolución', 'devolucion', 'DEVOLUCION', 'Devoluciones', 'devoluciónes']) {
      const found = await ids(q);
      t.ok(found.includes(refund.id), `${q} finds the returns policy`);
      t.ok(found.includes(shipping.id), `${q} finds the shipping article that mentions a return`);
      t.notOk(found.includes(password.id), `${q} does not find the password article`);
    }
    t.same(await ids('devoluciones', '&status=published'), [refund.id, shipping.id], 'the article with the word in its title ranks first');
    t.ok((await ids('contrasena')).includes(password.id), 'ñ folds to n');
    t.ok((await ids('CONTRASEÑAS')).includes(password.id), 'plural, upper case, ñ');
    t.ok((await ids('envio')).includes(shipping.id), '"envio" finds "Envíos"');
    t.ok((await ids('enviamos')).includes(shipping.id), 'a verb form');
    t.same(await ids('devolución contraseña'), [], 'every word must match in the agents\' list');
    t.ok((await ids('¿cómo hago una devolución?')).includes(refund.id), 'question words and punctuation do not get in the way');
  });

  await t.test('English: stemming of plurals and verb forms', async (t) => {
    for (const q of ['refund', 'REFUNDS', 'refunding', 'refunded']) t.equal((await ids(q))[0], refundsEn.id, `${q} → Refunds first`);
    t.ok((await ids('shipping')).includes(shippingEn.id), '"shipping" finds "shipped"');
    t.ok((await ids('tracking numbers')).includes(shippingEn.id));
  });

  await t.test('drafts are searchable for agents with status=, never for visitors', async (t) => {
    t.ok((await ids('devoluciones')).includes(draft.id), 'agents search drafts too');
    const published = (await s.request('GET', '/api/v1/kb/articles?status=published&q=devoluciones', { token })).body.articles.map((a: { id: string }) => a.id);
    t.notOk(published.includes(draft.id));
    const v = await visitor(s, w.site.appId);
    const r = await s.request('GET', '/api/v1/widget/kb/search?q=devoluciones', { token: v.token });
    t.equal(r.status, 200);
    t.same(r.body.articles.map((a: { id: string }) => a.id).slice(0, 2), [refund.id, shipping.id]);
    t.notOk(r.body.articles.some((a: { id: string }) => a.id === draft.id), 'no draft for the widget');
    t.same(Object.keys(r.body.articles[0]).sort(), ['id', 'slug', 'snippet', 'title']);
  });

  await t.test('snippets mark the matched words and escape the rest', async (t) => {
    const r = await s.request('GET', '/api/v1/kb/articles?q=devoluciones', { token });
    const hit = r.body.articles.find((a: { id: string }) => a.id === refund.id);
    t.match(hit.snippet, /<mark>devolución<\/mark>/, 'the accented word as written, marked');
    t.notMatch(hit.snippet, /\*\*/, 'Markdown is not shown');
    const evil = await article(s, token, { title: 'Seguridad', body: 'Por seguridad, nunca pegues <script>alert(1)</script> en el chat.', locale: 'es', ...published });
    const e = (await s.request('GET', '/api/v1/kb/articles?q=seguridad', { token })).body.articles.find((a: { id: string }) => a.id === evil.id);
    t.notMatch(e.snippet, /<script/, 'text is HTML-escaped');
    t.match(e.snippet, /&#60;script&#62;/);
    t.match(e.snippet, /<mark>seguridad<\/mark>/);
  });

  await t.test('visitors: suggestions while typing (prefix of the last word), any-word fallback', async (t) => {
    const v = await visitor(s, w.site.appId);
    const search = async (q: string) => (await s.request('GET', `/api/v1/widget/kb/search?q=${encodeURIComponent(q)}`, { token: v.token })).body.articles.map((a: { id: string }) => a.id);
    t.ok((await search('devol')).includes(refund.id), 'a word being typed matches as a prefix');
    t.ok((await search('mi contraseña no funciona')).includes(password.id), 'no article has every word: the ones with any');
    t.same(await search('   '), []);
    t.same(await search('zzzzqqq'), []);
  });

  await t.test('accounts do not see each other\'s articles in search', async (t) => {
    const other = await world(s, 'Other');
    await article(s, other.owner.token, { title: 'Devolución de otra tienda', body: 'x', locale: 'es', ...published });
    const mine = await ids('devolucion');
    t.notOk(mine.some((id) => ![refund.id, shipping.id, draft.id].includes(id)), 'only my own articles');
    const theirs = (await s.request('GET', '/api/v1/kb/articles?q=devolucion', { token: other.owner.token })).body.articles;
    t.equal(theirs.length, 1);
    const v = await visitor(s, w.site.appId);
    const hits = (await s.request('GET', '/api/v1/widget/kb/search?q=otra%20tienda', { token: v.token })).body.articles;
    t.same(hits, [], 'a visitor of one account never gets another\'s article');
  });

  await t.test('search follows edits: new words found, old words gone', async (t) => {
    const a = await article(s, token, { title: 'Horario', body: 'Abrimos los lunes.', locale: 'es', ...published });
    t.ok((await ids('lunes')).includes(a.id));
    await s.request('PATCH', `/api/v1/kb/articles/${a.id}`, { token, body: { body: 'Abrimos los martes.' } });
    t.notOk((await ids('lunes')).includes(a.id));
    t.ok((await ids('martes')).includes(a.id));
  });

  await t.test('search paging: ranked pages with a cursor', async (t) => {
    const first = await s.request('GET', '/api/v1/kb/articles?q=devolucion&limit=1', { token });
    t.equal(first.body.articles.length, 1);
    t.type(first.body.nextCursor, 'string');
    const second = await s.request('GET', `/api/v1/kb/articles?q=devolucion&limit=1&cursor=${first.body.nextCursor}`, { token });
    t.equal(second.body.articles.length, 1);
    t.not(second.body.articles[0].id, first.body.articles[0].id);
  });
});
