import t from 'tap';
import { article, flow, rule, startBotServer, world } from './helpers.js';

const problem = (r: { status: number; headers: Record<string, unknown>; body: { code?: string; detail?: string } }, status: number, code?: string) =>
  r.status === status && String(r.headers['content-type']).startsWith('application/problem+json') && (!code || r.body.code === code) && typeof r.body.detail === 'string';

t.test('rules: create, read, change, enable/disable, reorder, delete; bad input is a 400 problem', async (t) => {
  const s = await startBotServer();
  t.teardown(() => s.close());
  const w = await world(s);
  const other = await world(s, 'Other');
  const a = await rule(s, w.token, { name: 'Returns', trigger: 'message', conditions: { keywords: ['devolución'], match: 'any' }, actions: [{ type: 'reply', content: 'Te ayudo.' }] });
  t.match(a, { name: 'Returns', enabled: true, siteId: null, position: 0, trigger: 'message', conditions: { keywords: ['devolución'], match: 'any' }, actions: [{ type: 'reply', content: 'Te ayudo.' }] });
  t.match(a.createdAt, /^\d{4}-\d\d-\d\dT/);
  const b = await rule(s, w.token, { name: 'Site only', siteId: w.site.id, trigger: 'outside_hours', actions: [{ type: 'reply', content: 'Cerrado' }, { type: 'set_status', status: 'pending' }] });
  t.equal(b.position, 1, 'a new rule goes last');
  t.same(b.conditions, {}, 'no conditions: an empty object');
  const c = await rule(s, w.token, { name: 'Third', trigger: 'conversation_started', actions: [{ type: 'handoff', content: 'Te paso con el equipo' }] });

  t.same((await s.request('GET', '/api/v1/bot/rules', { token: w.token })).body.rules.map((r: { name: string }) => r.name), ['Returns', 'Site only', 'Third']);
  const off = await s.request('PATCH', `/api/v1/bot/rules/${a.id}`, { token: w.token, body: { enabled: false } });
  t.equal(off.status, 200);
  t.equal(off.body.enabled, false, 'disabled');
  t.equal(off.body.name, 'Returns', 'the rest is unchanged');
  const re = await s.request('POST', '/api/v1/bot/rules/reorder', { token: w.token, body: { ids: [c.id, a.id] } });
  t.equal(re.status, 200);
  t.same(re.body.rules.map((r: { name: string; position: number }) => [r.name, r.position]), [['Third', 0], ['Returns', 1], ['Site only', 2]], 'the listed ids first, the others after in their order');
  t.ok(problem(await s.request('POST', '/api/v1/bot/rules/reorder', { token: w.token, body: { ids: [a.id, a.id] } }), 400, 'CHARLA_BOT_BAD_REORDER'), 'a repeated id');
  const foreign = await rule(s, other.token, { name: 'B', trigger: 'message', actions: [{ type: 'reply', content: 'B' }] });
  t.ok(problem(await s.request('POST', '/api/v1/bot/rules/reorder', { token: w.token, body: { ids: [foreign.id] } }), 404, 'CHARLA_BOT_RULE_NOT_FOUND'), 'another account\'s rule is a 404, as a missing one');
  t.ok(problem(await s.request('GET', `/api/v1/bot/rules/${foreign.id}`, { token: w.token }), 404, 'CHARLA_BOT_RULE_NOT_FOUND'));
  t.ok(problem(await s.request('PATCH', `/api/v1/bot/rules/${foreign.id}`, { token: w.token, body: { enabled: false } }), 404));
  t.ok(problem(await s.request('DELETE', `/api/v1/bot/rules/${foreign.id}`, { token: w.token }), 404));
  t.equal((await s.request('GET', `/api/v1/bot/rules/${foreign.id}`, { token: other.token })).body.enabled, true, 'B\'s rule untouched');
  t.equal((await s.request('DELETE', `/api/v1/bot/rules/${b.id}`, { token: w.token })).status, 204);
  t.ok(problem(await s.request('GET', `/api/v1/bot/rules/${b.id}`, { token: w.token }), 404), 'gone');

  const bad: Array<[string, unknown, string?]> = [
    ['no actions', { name: 'x', trigger: 'message', actions: [] }],
    ['unknown trigger', { name: 'x', trigger: 'always', actions: [{ type: 'reply', content: 'x' }] }],
    ['unknown action', { name: 'x', trigger: 'message', actions: [{ type: 'explode' }] }],
    ['reply without content', { name: 'x', trigger: 'message', actions: [{ type: 'reply' }] }],
    ['set_status other than pending', { name: 'x', trigger: 'message', actions: [{ type: 'set_status', status: 'closed' }] }],
    ['keywords not a list', { name: 'x', trigger: 'message', conditions: { keywords: 'precio' }, actions: [{ type: 'reply', content: 'x' }] }],
    ['a keyword of punctuation only', { name: 'x', trigger: 'message', conditions: { keywords: ['¿?'] }, actions: [{ type: 'reply', content: 'x' }] }, 'CHARLA_BOT_INVALID_RULE'],
    ['catastrophic pattern', { name: 'x', trigger: 'message', conditions: { pattern: '(a+)+$' }, actions: [{ type: 'reply', content: 'x' }] }, 'CHARLA_BOT_UNSAFE_PATTERN'],
    ['invalid pattern', { name: 'x', trigger: 'message', conditions: { pattern: '([' }, actions: [{ type: 'reply', content: 'x' }] }, 'CHARLA_BOT_UNSAFE_PATTERN'],
    ['another account\'s site', { name: 'x', siteId: other.site.id, trigger: 'message', actions: [{ type: 'reply', content: 'x' }] }, 'CHARLA_BOT_INVALID_RULE'],
    ['a missing flow', { name: 'x', trigger: 'message', actions: [{ type: 'start_flow', flowId: '01a23b00-0000-7000-8000-000000000000' }] }, 'CHARLA_BOT_INVALID_RULE'],
    ['a button leading nowhere', { name: 'x', trigger: 'message', actions: [{ type: 'buttons', content: 'x', buttons: [{ label: 'y' }] }] }, 'CHARLA_BOT_INVALID_RULE'],
    ['flowNodeId without flowId', { name: 'x', trigger: 'message', actions: [{ type: 'buttons', content: 'x', buttons: [{ label: 'y', flowNodeId: 'a' }] }] }, 'CHARLA_BOT_INVALID_RULE'],
    ['a reply after handoff', { name: 'x', trigger: 'message', actions: [{ type: 'handoff' }, { type: 'reply', content: 'x' }] }, 'CHARLA_BOT_INVALID_RULE'],
    ['add_tag without the tags plugin', { name: 'x', trigger: 'message', actions: [{ type: 'add_tag', tag: 'vip' }] }, 'CHARLA_BOT_TAGS_UNAVAILABLE'],
    ['six buttons', { name: 'x', trigger: 'message', actions: [{ type: 'buttons', content: 'x', buttons: Array.from({ length: 6 }, (_, i) => ({ label: `b${i}`, reply: 'r' })) }] }],
    ['too many article ids', { name: 'x', trigger: 'message', actions: [{ type: 'suggest_articles', articleIds: ['1', '2', '3', '4', '5', '6'] }] }],
  ];
  for (const [what, body, code] of bad) {
    const r = await s.request('POST', '/api/v1/bot/rules', { token: w.token, body });
    t.ok(problem(r, 400, code), `${what}: 400${code ? ` ${code}` : ''} (${r.status} ${r.body?.detail ?? ''})`);
  }
  t.ok(problem(await s.request('POST', '/api/v1/bot/rules', { token: w.token, raw: '{"name":' }), 400), 'malformed JSON');
  t.ok(problem(await s.request('PATCH', `/api/v1/bot/rules/${a.id}`, { token: w.token, body: { conditions: { pattern: '(x*)*' } } }), 400, 'CHARLA_BOT_UNSAFE_PATTERN'), 'a PATCH is checked too');
  t.equal((await s.request('GET', '/api/v1/bot/rules', { token: w.token })).body.rules.length, 2, 'nothing refused was stored');
  const stripped = await rule(s, w.token, { name: 'Extra fields', trigger: 'message', conditions: { keywords: ['x'], mood: 'angry' }, actions: [{ type: 'reply', content: 'x', status: 'closed' }, { type: 'handoff', content: 'bye', tag: 'x' }] });
  t.same([stripped.conditions, stripped.actions], [{ keywords: ['x'] }, [{ type: 'reply', content: 'x' }, { type: 'handoff', content: 'bye' }]], 'unknown fields are dropped, as everywhere in the API');
});

t.test('test console: the first enabled match in order acts, per site, with triggers, conditions and actions, touching no conversation', async (t) => {
  const s = await startBotServer();
  t.teardown(() => s.close());
  const w = await world(s);
  const second = (await s.request('POST', '/api/v1/sites', { token: w.token, body: { name: 'Second' } })).body;
  const returns = await article(s, w.token, { title: 'Devoluciones', body: 'Cómo devolver un pedido.', status: 'published' });
  const draft = await article(s, w.token, { title: 'Borrador', body: 'x' });
  const tree = await flow(s, w.token, { name: 'Soporte', startNodeId: 'start', nodes: { start: { content: '¿Qué necesitas?', buttons: [{ id: 'pedido', label: 'Mi pedido', next: 'pedido' }, { id: 'persona', label: 'Una persona', actions: [{ type: 'handoff', content: 'Te paso' }] }] }, pedido: { content: 'Mira tu cuenta', buttons: [] } } });
  const test = async (body: Record<string, unknown>) => {
    const r = await s.request('POST', '/api/v1/bot/test', { token: w.token, body });
    if (r.status !== 200) throw new Error(`test: ${r.status} ${r.text}`);
    return r.body;
  };
  const general = await rule(s, w.token, { name: 'General returns', trigger: 'message', conditions: { keywords: ['devolución', 'reembolso'] }, actions: [{ type: 'reply', content: 'General' }, { type: 'suggest_articles', articleIds: [returns.id, draft.id] }] });
  const overlapping = await rule(s, w.token, { name: 'Returns and urgent', trigger: 'message', conditions: { keywords: ['devolución', 'urgente'], match: 'all' }, actions: [{ type: 'reply', content: 'Urgente' }] });
  const siteRule = await rule(s, w.token, { name: 'Second site', siteId: second.id, trigger: 'message', conditions: { keywords: ['hola'] }, actions: [{ type: 'start_flow', flowId: tree.id }] });
  const pattern = await rule(s, w.token, { name: 'Order number', trigger: 'message', conditions: { pattern: 'pedido\\s*#?\\d{4,8}', pageUrlContains: '/checkout', locale: 'es' }, actions: [{ type: 'buttons', content: '¿Seguimos?', buttons: [{ label: 'Sí', reply: 'Vale' }, { label: 'Ver opciones', flowId: tree.id, flowNodeId: 'pedido' }] }, { type: 'assign' }] });

  let r = await test({ content: 'quiero una DEVOLUCION urgente' });
  t.equal(r.ruleId, general.id, 'overlapping rules: the first in order wins');
  t.same(r.messages.map((m: { content: string }) => m.content), ['General', 'Estos artículos pueden ayudarte:'], 'no locale: the default language (es)');
  t.same(r.messages[1].metadata.articles, [{ id: returns.id, title: 'Devoluciones', slug: returns.slug }], 'named articles: the published ones only');
  await s.request('POST', '/api/v1/bot/rules/reorder', { token: w.token, body: { ids: [overlapping.id] } });
  t.equal((await test({ content: 'quiero una DEVOLUCION urgente' })).ruleId, overlapping.id, 'reordered: the other one acts');
  t.equal((await test({ content: 'una devolución' })).ruleId, general.id, '"all" needs every keyword');
  await s.request('PATCH', `/api/v1/bot/rules/${general.id}`, { token: w.token, body: { enabled: false } });
  t.equal((await test({ content: 'un reembolso' })).ruleId, null, 'a disabled rule never acts');

  t.equal((await test({ content: 'hola' })).ruleId, null, 'a site\'s rule is not offered without the site');
  t.equal((await test({ content: 'hola', siteId: w.site.id })).ruleId, null, 'nor on another site');
  r = await test({ content: 'hola', siteId: second.id });
  t.equal(r.ruleId, siteRule.id, 'on its own site');
  t.same(r.messages, [{ content: '¿Qué necesitas?', metadata: { buttons: [{ id: 'pedido', label: 'Mi pedido' }, { id: 'persona', label: 'Una persona' }], blocks: [{ type: 'bot-buttons', buttons: [{ id: 'pedido', label: 'Mi pedido' }, { id: 'persona', label: 'Una persona' }] }], bot: { kind: 'flow', flowId: tree.id, nodeId: 'start' } } }], 'start_flow sends the start node with its buttons');

  t.equal((await test({ content: 'mi pedido #12345', pageUrl: 'https://shop.example/checkout', locale: 'es-ES' })).ruleId, pattern.id, 'pattern, page and locale (es matches es-ES)');
  t.equal((await test({ content: 'mi pedido #12345', pageUrl: 'https://shop.example/home', locale: 'es' })).ruleId, null, 'another page');
  t.equal((await test({ content: 'mi pedido #12345', pageUrl: 'https://shop.example/checkout', locale: 'en' })).ruleId, null, 'another language');
  r = await test({ content: 'Mi PEDIDO 99999', pageUrl: 'https://shop.example/checkout', locale: 'es' });
  t.same(r.messages[0].metadata.buttons, [{ id: 'b0', label: 'Sí' }, { id: 'b1', label: 'Ver opciones' }]);
  t.same(r.effects, [{ type: 'assign', detail: { assigneeId: null } }], 'non-message actions are listed as effects');

  const opening = await rule(s, w.token, { name: 'Welcome', trigger: 'conversation_started', actions: [{ type: 'reply', content: 'Bienvenido' }] });
  await s.request('POST', '/api/v1/bot/rules/reorder', { token: w.token, body: { ids: [opening.id] } });
  t.equal((await test({ content: 'algo' })).ruleId, opening.id, 'conversation_started: a first message');
  t.equal((await test({ content: 'algo', firstMessage: false })).ruleId, null, 'not a later one');

  // Office hours: open from 09:00 to 17:00 UTC on every day.
  await s.request('PATCH', `/api/v1/sites/${w.site.id}`, { token: w.token, body: { widget: { officeHours: { timezone: 'UTC', days: [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, open: '09:00', close: '17:00' })) } } } });
  const away = await rule(s, w.token, { name: 'Away', trigger: 'outside_hours', actions: [{ type: 'reply', content: 'Fuera de horario' }, { type: 'set_status', status: 'pending' }] });
  await s.request('POST', '/api/v1/bot/rules/reorder', { token: w.token, body: { ids: [away.id] } });
  r = await test({ content: 'hola', siteId: w.site.id, at: '2026-12-04T22:00:00.000Z' });
  t.equal(r.ruleId, away.id, 'outside hours at 22:00');
  t.same(r.effects, [{ type: 'set_status', detail: { status: 'pending' } }]);
  t.equal((await test({ content: 'hola', siteId: w.site.id, at: '2026-12-04T10:00:00.000Z', firstMessage: false })).ruleId, null, 'inside hours at 10:00');

  t.equal((await s.request('GET', '/api/v1/inbox/conversations', { token: w.token })).body.conversations.length, 0, 'no conversation was touched');
  const bad = await s.request('POST', '/api/v1/bot/test', { token: w.token, body: { content: '' } });
  t.equal(bad.status, 400, 'empty content');
  t.equal((await s.request('POST', '/api/v1/bot/test', { token: w.token, body: { content: 'x', at: 'yesterday' } })).status, 400, 'a bad time');
  t.equal((await s.request('POST', '/api/v1/bot/test', { token: w.token, body: { content: 'x', siteId: 'nope' } })).status, 400, 'an unknown site');
});

t.test('templates: listed in Spanish or English, added with one click, ready to act', async (t) => {
  const s = await startBotServer();
  t.teardown(() => s.close());
  const w = await world(s);
  const list = await s.request('GET', '/api/v1/bot/templates', { token: w.token });
  t.same(list.body.templates.map((x: { id: string }) => x.id), ['returns', 'outside-hours', 'greeting', 'pricing']);
  t.equal((await s.request('GET', '/api/v1/bot/templates?locale=en', { token: w.token })).body.templates[0].name, 'Returns');
  t.equal((await s.request('GET', '/api/v1/bot/templates?locale=fr', { token: w.token })).status, 400, 'an unknown language');
  for (const id of ['returns', 'outside-hours', 'greeting', 'pricing']) t.equal((await s.request('POST', `/api/v1/bot/templates/${id}`, { token: w.token })).status, 201, `${id} added`);
  t.equal((await s.request('POST', '/api/v1/bot/templates/nope', { token: w.token })).status, 404);
  const rules = (await s.request('GET', '/api/v1/bot/rules', { token: w.token })).body.rules;
  t.match(rules[1], { name: 'Fuera de horario', trigger: 'outside_hours', enabled: true, actions: [{ type: 'reply' }, { type: 'set_status', status: 'pending' }] });
  const r = await s.request('POST', '/api/v1/bot/test', { token: w.token, body: { content: 'Quiero hacer una devolución', firstMessage: false } });
  t.equal(r.body.ruleId, rules[0].id, 'the returns template matches "Quiero hacer una devolución"');
});

t.test('roles: agents read, only owners and admins write, test and see stats', async (t) => {
  const s = await startBotServer();
  t.teardown(() => s.close());
  const w = await world(s);
  const r = await rule(s, w.token, { name: 'x', trigger: 'message', actions: [{ type: 'reply', content: 'x' }] });
  // An agent: invited through the team API needs SMTP; an API key is refused instead (no scope opens bot routes).
  const key = (await s.request('POST', '/api/v1/api-keys', { token: w.token, body: { name: 'k', scopes: ['conversations:read', 'conversations:write'] } })).body.key;
  for (const [m, p] of [['GET', '/api/v1/bot/rules'], ['GET', `/api/v1/bot/rules/${r.id}`], ['POST', '/api/v1/bot/test'], ['GET', '/api/v1/bot/stats']]) {
    t.equal((await s.request(m, p, { token: key, body: m === 'POST' ? { content: 'x' } : undefined })).status, 403, `an API key: ${m} ${p} → 403`);
  }
  t.equal((await s.request('GET', '/api/v1/bot/rules')).status, 401, 'nobody → 401');
});
