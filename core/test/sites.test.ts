import t from 'tap';
import { originMatchesDomain } from '@charla/core';
import { signup, startSmtpServer, startTestServer } from '@charla/core/testing';
import { expectProblem } from './expect-problem.js';
import { addMember } from './team-fixtures.js';

// API.md "Sites": several per account, random appId, snippet, widget config with
// validation, domain normalisation, the identity-verification secret for managers only.

const PUBLIC_URL = 'https://chat.example.test';
const smtp = await startSmtpServer();
const s = await startTestServer({ plugins: [], config: { smtpUrl: smtp.url, publicUrl: PUBLIC_URL } });
t.teardown(async () => {
  await s.close();
  await smtp.close();
});
const owner = await signup(s);
const admin = await addMember(s, smtp, owner.token, 'admin');
const agent = await addMember(s, smtp, owner.token, 'agent');

const create = (body: unknown, token = owner.token) => s.request('POST', '/api/v1/sites', { token, body });
const patch = (id: string, body: unknown, token = owner.token) => s.request('PATCH', `/api/v1/sites/${id}`, { token, body });

t.test('create: 201 with id, random appId, normalised domain, default widget and a paste-ready snippet', async (t) => {
  const res = await create({ name: ' Shop ', domain: 'https://Shop.Example.COM:8443/some/path?x=1' });
  t.equal(res.status, 201, res.text);
  const site = res.body;
  t.match(site, { id: String, name: 'Shop', appId: String, domain: 'shop.example.com', snippet: String, createdAt: String, updatedAt: String });
  t.match(site.widget, { primaryColor: /^#[0-9a-f]{6}$/, backgroundColor: String, textColor: String, logoUrl: null, greeting: String, position: 'right', officeHours: null });
  t.match(site.identityVerification, { required: false, secret: /^[0-9a-f]{64}$/ });
  t.match(site.appId, /^[A-Za-z0-9_-]{16,}$/, 'appId is url-safe and long enough not to be guessed');
  t.notOk(site.appId.includes(site.id) || site.id.includes(site.appId), 'appId is not derived from the id');
  t.ok(site.snippet.includes(`<script src="${PUBLIC_URL}/widget/loader.js" data-app-id="${site.appId}" async></script>`), `the loader script with the appId: ${site.snippet}`);
  t.match(site.snippet, /w\.Charla=c/, 'an inline stub that queues Charla(...) calls');
  t.ok(site.snippet.indexOf('w.Charla') < site.snippet.indexOf('loader.js'), 'the stub comes before the loader');

  const second = await create({ name: 'Blog' });
  t.equal(second.status, 201);
  t.equal(second.body.domain, null, 'no domain: any origin');
  t.not(second.body.appId, site.appId, 'every site gets its own appId');
  t.not(second.body.identityVerification.secret, site.identityVerification.secret, 'and its own secret');

  for (const [raw, want] of [['shop.example.com.', 'shop.example.com'], ['EXAMPLE.org', 'example.org'], ['http://a.b.example.net/', 'a.b.example.net'], ['localhost:8080', 'localhost']]) {
    const r = await create({ name: 'Norm', domain: raw });
    t.equal(r.body.domain, want, `${raw} → ${want}`);
  }
});

t.test('list, get, patch, delete', async (t) => {
  const acc = await signup(s);
  const one = (await create({ name: 'One' }, acc.token)).body;
  const two = (await create({ name: 'Two', domain: 'two.example.com' }, acc.token)).body;
  const list = await s.request('GET', '/api/v1/sites', { token: acc.token });
  t.equal(list.status, 200);
  t.same(list.body.sites.map((x: { id: string }) => x.id), [one.id, two.id], 'in creation order');
  t.same(list.body.sites[1], two, 'the listed site is the created one');
  const got = await s.request('GET', `/api/v1/sites/${one.id}`, { token: acc.token });
  t.same(got.body, one);

  const p = await patch(one.id, { name: 'One renamed', domain: 'www.one.example', widget: { primaryColor: '#FF0000', greeting: '  Hola  ' } }, acc.token);
  t.equal(p.status, 200, p.text);
  t.match(p.body, { id: one.id, appId: one.appId, name: 'One renamed', domain: 'www.one.example' });
  t.equal(p.body.widget.primaryColor, '#ff0000', 'colours are stored lower-case');
  t.equal(p.body.widget.greeting, 'Hola');
  t.equal(p.body.widget.textColor, one.widget.textColor, 'a partial widget patch keeps the other fields');
  t.same((await s.request('GET', `/api/v1/sites/${one.id}`, { token: acc.token })).body.widget, p.body.widget, 'persisted');

  const more = await patch(one.id, { widget: { logoUrl: 'https://cdn.example.com/logo.png', position: 'left', officeHours: { timezone: 'Europe/Madrid', days: [{ day: 1, open: '09:00', close: '17:30' }, { day: 5, open: '22:00', close: '02:00' }] } } }, acc.token);
  t.equal(more.status, 200, more.text);
  t.match(more.body.widget, { primaryColor: '#ff0000', logoUrl: 'https://cdn.example.com/logo.png', position: 'left', officeHours: { timezone: 'Europe/Madrid', days: [{ day: 1, open: '09:00', close: '17:30' }, { day: 5 }] } });
  const cleared = await patch(one.id, { domain: null, widget: { logoUrl: null, officeHours: null } }, acc.token);
  t.match(cleared.body, { domain: null, widget: { logoUrl: null, officeHours: null, primaryColor: '#ff0000' } });

  const iv = await patch(one.id, { identityVerification: { required: true } }, acc.token);
  t.same(iv.body.identityVerification, { required: true, secret: one.identityVerification.secret });
  const rotated = await patch(one.id, { identityVerification: { rotateSecret: true } }, acc.token);
  t.equal(rotated.body.identityVerification.required, true);
  t.match(rotated.body.identityVerification.secret, /^[0-9a-f]{64}$/);
  t.not(rotated.body.identityVerification.secret, one.identityVerification.secret, 'rotateSecret makes a new secret');

  const del = await s.request('DELETE', `/api/v1/sites/${one.id}`, { token: acc.token });
  t.equal(del.status, 204);
  expectProblem(t, await s.request('GET', `/api/v1/sites/${one.id}`, { token: acc.token }), 404, 'CHARLA_CORE_SITE_NOT_FOUND', 'deleted site');
  expectProblem(t, await s.request('DELETE', `/api/v1/sites/${one.id}`, { token: acc.token }), 404, 'CHARLA_CORE_SITE_NOT_FOUND', 'second delete');
  expectProblem(t, await patch(one.id, { name: 'Ghost' }, acc.token), 404, 'CHARLA_CORE_SITE_NOT_FOUND', 'patch a deleted site');
  t.same((await s.request('GET', '/api/v1/sites', { token: acc.token })).body.sites.map((x: { id: string }) => x.id), [two.id]);
});

t.test('widget validation: bad colours, unsafe logo URLs, bad time zones and hours are 400', async (t) => {
  const site = (await create({ name: 'Validate' })).body;
  const bad: Array<[string, unknown, RegExp?]> = [
    ['primaryColor red', { primaryColor: 'red' }, /primaryColor/],
    ['primaryColor #12345g', { primaryColor: '#12345g' }, /primaryColor/],
    ['textColor without #', { textColor: 'ffffff' }, /textColor/],
    ['backgroundColor rgb()', { backgroundColor: 'rgb(1,2,3)' }],
    ['primaryColor number', { primaryColor: 123456 }],
    ['logoUrl javascript:', { logoUrl: 'javascript:alert(1)' }, /logoUrl/],
    ['logoUrl JavaScript: mixed case', { logoUrl: 'JaVaScRiPt:alert(document.cookie)' }, /logoUrl/],
    ['logoUrl data:', { logoUrl: 'data:image/svg+xml,<svg onload=alert(1)>' }, /logoUrl/],
    ['logoUrl relative', { logoUrl: '/logo.png' }, /logoUrl/],
    ['logoUrl http:', { logoUrl: 'http://cdn.example.com/logo.png' }, /https/],
    ['logoUrl object', { logoUrl: { href: 'https://x' } }],
    ['timezone Mars', { officeHours: { timezone: 'Mars/Olympus_Mons', days: [] } }, /timezone/],
    ['timezone number', { officeHours: { timezone: 1, days: [] } }],
    ['open 25:00', { officeHours: { timezone: 'UTC', days: [{ day: 1, open: '25:00', close: '26:00' }] } }, /HH:MM/],
    ['open 9am', { officeHours: { timezone: 'UTC', days: [{ day: 1, open: '9am', close: '17:00' }] } }],
    ['open equals close', { officeHours: { timezone: 'UTC', days: [{ day: 1, open: '09:00', close: '09:00' }] } }],
    ['day 7', { officeHours: { timezone: 'UTC', days: [{ day: 7, open: '09:00', close: '17:00' }] } }],
    ['days not an array', { officeHours: { timezone: 'UTC', days: 'mon-fri' } }],
    ['position top', { position: 'top' }, /position/],
    ['greeting too long', { greeting: 'x'.repeat(501) }],
    ['greeting array', { greeting: ['hi'] }],
  ];
  for (const [label, widget, detail] of bad) {
    const res = await patch(site.id, { widget });
    expectProblem(t, res, 400, /^CHARLA_CORE_(VALIDATION|SITE_INVALID)$/, label);
    if (detail) t.match(res.body.detail, detail, `${label}: the detail names the field`);
  }
  t.same((await s.request('GET', `/api/v1/sites/${site.id}`, { token: owner.token })).body.widget, site.widget, 'nothing was changed by refused patches');
  for (const domain of ['not a domain', 'javascript:alert(1)', 'exa mple.com', '-bad-.com', 'a'.repeat(64) + '.com', '*.example.com']) {
    expectProblem(t, await patch(site.id, { domain }), 400, /^CHARLA_CORE_(VALIDATION|SITE_INVALID)$/, `domain ${domain.slice(0, 20)}`);
    expectProblem(t, await create({ name: 'Bad domain', domain }), 400, /^CHARLA_CORE_(VALIDATION|SITE_INVALID)$/, `create with domain ${domain.slice(0, 20)}`);
  }
  expectProblem(t, await patch(site.id, { identityVerification: { required: 'yes' } }), 400, 'CHARLA_CORE_VALIDATION', 'required as a string');
  expectProblem(t, await create({ name: '' }), 400, 'CHARLA_CORE_VALIDATION', 'empty name');
  expectProblem(t, await create({}), 400, 'CHARLA_CORE_VALIDATION', 'no name');
  expectProblem(t, await create({ name: 'x', domain: 42 }), 400, 'CHARLA_CORE_VALIDATION', 'numeric domain');
});

t.test('the identity-verification secret is shown to owners and admins only', async (t) => {
  const site = (await create({ name: 'Secret' })).body;
  const secret = site.identityVerification.secret as string;
  t.match(secret, /^[0-9a-f]{64}$/);
  const asAdmin = await s.request('GET', `/api/v1/sites/${site.id}`, { token: admin.token });
  t.equal(asAdmin.body.identityVerification.secret, secret, 'admin sees it');
  const asAgent = await s.request('GET', `/api/v1/sites/${site.id}`, { token: agent.token });
  t.equal(asAgent.status, 200);
  t.same(asAgent.body.identityVerification, { required: false }, 'agent does not');
  t.notOk(asAgent.text.includes(secret), 'the secret is nowhere in the agent\'s response');
  const list = await s.request('GET', '/api/v1/sites', { token: agent.token });
  t.ok(list.body.sites.length > 0);
  t.notOk(list.text.includes(secret), 'nor in the agent\'s list');
  t.ok(list.body.sites.every((x: { identityVerification: object }) => !('secret' in x.identityVerification)));
});

t.test('agents read sites but cannot create, change or delete them; admins can', async (t) => {
  const site = (await create({ name: 'Roles' })).body;
  expectProblem(t, await create({ name: 'By agent' }, agent.token), 403, 'CHARLA_CORE_FORBIDDEN', 'agent creates');
  expectProblem(t, await patch(site.id, { name: 'By agent' }, agent.token), 403, 'CHARLA_CORE_FORBIDDEN', 'agent patches');
  expectProblem(t, await s.request('DELETE', `/api/v1/sites/${site.id}`, { token: agent.token }), 403, 'CHARLA_CORE_FORBIDDEN', 'agent deletes');
  t.equal((await s.request('GET', `/api/v1/sites/${site.id}`, { token: agent.token })).body.name, 'Roles', 'unchanged');
  t.equal((await create({ name: 'By admin' }, admin.token)).status, 201);
  t.equal((await patch(site.id, { name: 'By admin' }, admin.token)).status, 200);
  t.equal((await s.request('DELETE', `/api/v1/sites/${site.id}`, { token: admin.token })).status, 204);
});

t.test('the domain rule: that host or its subdomains, any scheme or port; no domain allows any origin', async (t) => {
  const allowed = ['https://shop.example.com', 'http://shop.example.com:8080', 'https://www.shop.example.com', 'https://a.b.shop.example.com:443'];
  const refused = ['https://example.com', 'https://evilshop.example.com', 'https://shop.example.com.evil.net', 'https://shop.example.co', 'null', 'not a url', ''];
  for (const o of allowed) t.ok(originMatchesDomain(o, 'shop.example.com'), `${o} allowed`);
  for (const o of refused) t.notOk(originMatchesDomain(o, 'shop.example.com'), `${JSON.stringify(o)} refused`);
  t.ok(originMatchesDomain('https://anything.example', null), 'no domain: any origin');
});
