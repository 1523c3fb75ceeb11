import t from 'tap';
import { article, elementsOf, isProblem, startEnv, world } from './helpers.js';

t.test('help center: server-rendered, escaped, themed, indexable; drafts never shown', async (t) => {
  const env = await startEnv({ config: { publicUrl: 'https://help.example.com' } });
  t.teardown(() => env.close());
  const { s } = env;
  const w = await world(s, 'Zapatería <Luna>');
  const token = w.owner.token;
  await s.request('PATCH', `/api/v1/sites/${w.site.id}`, { token, body: { widget: { primaryColor: '#0a7d4f', logoUrl: 'https://cdn.example.com/logo.png' } } });
  const refund = await article(s, token, { title: 'Devoluciones y reembolsos', body: 'Pide la **devolución** desde tu cuenta en los 30 días siguientes a la compra, y te reembolsamos el importe.', category: 'Pedidos', status: 'published' });
  await article(s, token, { title: 'Envíos', body: 'Enviamos en 24 horas.', category: 'Pedidos', status: 'published' });
  await article(s, token, { title: 'Pagos con tarjeta', body: 'Aceptamos Visa.', status: 'published' });
  const evil = await article(s, token, { title: '<script>alert("title")</script> Seguridad', body: '<img src=x onerror=alert(1)> [x](javascript:alert(1))', category: '<b>Cat</b>', status: 'published' });
  const draft = await article(s, token, { title: 'Borrador secreto', body: 'No publicado', category: 'Secretos' });
  const home = `/help/${w.site.appId}`;

  await t.test('home: articles by category, site colours and logo, a search form, meta tags', async (t) => {
    const r = await s.request('GET', home, { headers: { 'accept-language': 'es-ES,es;q=0.9' } });
    t.equal(r.status, 200);
    t.match(String(r.headers['content-type']), /^text\/html/);
    t.match(String(r.headers['content-security-policy']), /default-src 'none'/);
    t.notMatch(String(r.headers['content-security-policy']), /script-src/, 'no script may run');
    t.match(r.text, '<html lang="es">');
    t.match(r.text, '<title>Zapatería &#60;Luna&#62; · Centro de ayuda</title>', 'the site name is escaped');
    t.match(r.text, /<meta name="description" content="[^"]*Devoluciones y reembolsos/);
    t.match(r.text, '<meta name="robots" content="index, follow">');
    t.match(r.text, `<link rel="canonical" href="https://help.example.com/help/${w.site.appId}">`);
    t.match(r.text, '--primary: #0a7d4f');
    t.match(r.text, '<img src="https://cdn.example.com/logo.png" alt="">');
    t.match(r.text, /<form role="search" method="get" action="\/help\/[^"]+">/);
    t.match(r.text, /<h2>Pedidos<\/h2><ul class="articles"><li><a href="\/help\/[^"]+\/devoluciones-y-reembolsos">Devoluciones y reembolsos<\/a>/);
    t.match(r.text, '<h2>General</h2>', 'articles without a category');
    t.notMatch(r.text, /<script/i, 'no script element at all');
    t.match(r.text, '&#60;script&#62;alert(&#34;title&#34;)&#60;/script&#62; Seguridad');
    t.match(r.text, '<h2>&#60;b&#62;Cat&#60;/b&#62;</h2>');
    t.notMatch(r.text, /Borrador secreto|Secretos/, 'no draft, not even its category');
    t.notMatch(r.text, /\/admin\//, 'nothing of the admin');
    const en = await s.request('GET', `${home}?lang=en`);
    t.match(en.text, '<html lang="en">');
    t.match(en.text, 'Help center');
  });

  await t.test('search: ranked, accent-insensitive, with marked snippets; drafts never found', async (t) => {
    const r = await s.request('GET', `${home}?q=devolucion`);
    t.equal(r.status, 200);
    t.match(r.text, /1 result for “devolucion”/);
    t.match(r.text, '<mark>devolución</mark>');
    t.match(r.text, 'value="devolucion"');
    const hostile = await s.request('GET', `${home}?q=${encodeURIComponent('"><b onmouseover=zzzq>')}`);
    t.notOk(elementsOf(hostile.text).some((el) => 'onmouseover' in el.attributes), 'the query is escaped, in the title, the form and the heading');
    t.match(hostile.text, 'value="&#34;&#62;&#60;b onmouseover=zzzq&#62;"');
    t.match(hostile.text, 'No article matches');
    const secret = await s.request('GET', `${home}?q=secreto`);
    t.notMatch(secret.text, /Borrador/);
  });

  await t.test('an article: sanitized body, title and description, canonical URL', async (t) => {
    const r = await s.request('GET', `${home}/${refund.slug}`);
    t.equal(r.status, 200);
    t.match(r.text, '<title>Devoluciones y reembolsos · Zapatería &#60;Luna&#62;</title>');
    t.match(r.text, /<meta name="description" content="Pide la devolución desde tu cuenta en los 30 días siguientes a la compra, y te reembolsamos el importe.">/);
    t.match(r.text, `<link rel="canonical" href="https://help.example.com/help/${w.site.appId}/devoluciones-y-reembolsos">`);
    t.match(r.text, '<strong>devolución</strong>');
    const e = await s.request('GET', `${home}/${evil.slug}`);
    const elements = elementsOf(e.text);
    t.notOk(elements.some((el) => el.name === 'script' || el.name === 'img' && el.attributes.src === 'x'), 'no script, no raw img');
    t.notOk(elements.some((el) => Object.keys(el.attributes).some((a) => a.startsWith('on'))), 'no event handler');
    t.notOk(elements.some((el) => /^\s*javascript:/i.test(el.attributes.href ?? '')), 'no javascript: link');
    t.match(e.text, '<h1>&#60;script&#62;alert(&#34;title&#34;)&#60;/script&#62; Seguridad</h1>');
  });

  await t.test('drafts, unknown slugs, unknown sites and switched-off accounts are 404', async (t) => {
    t.ok(isProblem(await s.request('GET', `${home}/${draft.slug}`), 404, 'CHARLA_KB_ARTICLE_NOT_FOUND'));
    t.ok(isProblem(await s.request('GET', `${home}/no-such-article`), 404));
    t.ok(isProblem(await s.request('GET', '/help/not-an-app-id'), 404, 'CHARLA_KB_HELP_CENTER_NOT_FOUND'));
    const other = await world(s, 'Other');
    t.ok(isProblem(await s.request('GET', `/help/${other.site.appId}/${refund.slug}`), 404), 'another account\'s site does not show this account\'s article');
    t.match((await s.request('GET', `/help/${other.site.appId}`)).text, 'No articles yet.');
    await s.request('PATCH', '/api/v1/plugins/knowledge-base', { token, body: { enabled: false } });
    t.ok(isProblem(await s.request('GET', home), 404, 'CHARLA_KB_HELP_CENTER_NOT_FOUND'));
    await s.request('PATCH', '/api/v1/plugins/knowledge-base', { token, body: { enabled: true } });
    t.equal((await s.request('GET', home)).status, 200);
  });
});
