import t from 'tap';
import { account, boot, cid, initVisitor, isProblem, missingId, send, type Res } from './contract-helpers.js';

/**
 * Every widget and inbox endpoint against bad input: missing fields, wrong types,
 * unknown enums, malformed JSON, empty and oversized content, oversized bodies,
 * prototype-pollution keys and SQL metacharacters. Always a 4xx problem, never a 500,
 * and nothing stored or polluted.
 */
t.test('bad input is a 4xx problem, never a 500', async (t) => {
  const s = await boot();
  t.teardown(() => s.close());
  const A = await account(s);
  const owner = A.owner.token;
  const v = await initVisitor(s, A.site.appId);
  const first = await send(s, v.token, 'hello');
  const conv = first.conversation.id;
  const msgId = first.message.id;
  const bodyLimit: number = s.app.charla.config.bodyLimitBytes;

  type Tok = 'visitor' | 'agent' | 'none';
  const tokenOf = (k: Tok) => (k === 'visitor' ? v.token : k === 'agent' ? owner : undefined);
  const call = (method: string, path: string, who: Tok, o: { body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<Res> =>
    s.request(method, path, { token: tokenOf(who), ...o });

  interface BodyEndpoint { name: string; method: string; path: string; who: Tok; valid: Record<string, unknown>; strings: string[]; required: string[]; extra: Array<[string, unknown, number]> }
  const long = (n: number) => 'x'.repeat(n);
  const endpoints: BodyEndpoint[] = [
    {
      name: 'widget init', method: 'POST', path: '/api/v1/widget/init', who: 'none', valid: { appId: A.site.appId },
      strings: ['appId', 'visitorToken', 'locale'], required: ['appId'],
      extra: [
        ['appId empty', { appId: '' }, 400],
        ['user not an object', { appId: A.site.appId, user: 'me' }, 400],
        ['user.email malformed', { appId: A.site.appId, user: { email: 'not-an-email' } }, 400],
        ['user.name a number', { appId: A.site.appId, user: { name: 5 } }, 400],
        ['user.externalId an object', { appId: A.site.appId, user: { externalId: { $ne: null } } }, 400],
        ['user.attributes an array', { appId: A.site.appId, user: { attributes: [1, 2] } }, 400],
        ['user.attributes nested object', { appId: A.site.appId, user: { attributes: { deep: { x: 1 } } } }, 400],
        ['user.attributes key "constructor"', { appId: A.site.appId, user: { attributes: { constructor: 'x' } } }, 400],
        ['user.attributes key "prototype"', { appId: A.site.appId, user: { attributes: { prototype: 'x' } } }, 400],
        ['page not an object', { appId: A.site.appId, page: 'https://x.example' }, 400],
        ['page.url a number', { appId: A.site.appId, page: { url: 5 } }, 400],
        ['page without url', { appId: A.site.appId, page: { title: 'x' } }, 400],
        ['appId with SQL', { appId: "' OR '1'='1" }, 404],
        ['appId too long', { appId: long(65) }, 400],
        ['NUL in user.externalId', { appId: A.site.appId, user: { externalId: 'a\u0000' } }, 400],
        ['NUL in an attribute value', { appId: A.site.appId, user: { attributes: { a: 'x\u0000' } } }, 400],
        ['NUL in page.url', { appId: A.site.appId, page: { url: 'https://x.example/\u0000' } }, 400],
      ],
    },
    {
      name: 'widget send', method: 'POST', path: '/api/v1/widget/messages', who: 'visitor', valid: { content: 'hi', clientId: 'k1' },
      strings: ['content', 'clientId', 'conversationId'], required: ['content', 'clientId'],
      extra: [
        ['empty content', { content: '', clientId: cid() }, 400],
        ['whitespace content', { content: ' \n\t  \r\n ', clientId: cid() }, 400],
        ['content of 10,001 characters', { content: long(10_001), clientId: cid() }, 413],
        ['content of 50,000 characters', { content: long(50_000), clientId: cid() }, 413],
        ['empty clientId', { content: 'x', clientId: '' }, 400],
        ['clientId too long', { content: 'x', clientId: long(101) }, 400],
        ['conversationId with SQL', { content: 'x', clientId: cid(), conversationId: "' OR 1=1 --" }, 404],
      ],
    },
    {
      name: 'widget start conversation', method: 'POST', path: '/api/v1/widget/conversations', who: 'visitor', valid: {},
      strings: ['content', 'clientId'], required: [],
      extra: [
        ['empty content', { content: '' }, 400],
        ['whitespace content', { content: '   ' }, 400],
        ['content of 10,001 characters', { content: long(10_001) }, 413],
        ['empty clientId', { content: 'x', clientId: '' }, 400],
      ],
    },
    {
      name: 'widget read', method: 'POST', path: `/api/v1/widget/conversations/${conv}/read`, who: 'visitor', valid: { messageId: msgId },
      strings: ['messageId'], required: ['messageId'],
      extra: [['messageId with SQL', { messageId: "x' OR '1'='1" }, 404]],
    },
    {
      name: 'widget identify', method: 'POST', path: '/api/v1/widget/identify', who: 'visitor', valid: {},
      strings: ['email', 'name', 'externalId', 'userHash'], required: [],
      extra: [
        ['malformed e-mail', { email: 'nope' }, 400],
        ['empty externalId', { externalId: '' }, 400],
        ['attributes an array', { attributes: ['a'] }, 400],
        ['attributes a string', { attributes: 'a=b' }, 400],
        ['attributes nested', { attributes: { a: { b: 1 } } }, 400],
        ['attributes with an array value', { attributes: { a: [1] } }, 400],
        ['attributes bad key', { attributes: { 'a b': 1 } }, 400],
        ['attributes key "constructor"', { attributes: { constructor: 1 } }, 400],
        ['attributes key "prototype"', { attributes: { prototype: { polluted: true } } }, 400],
        ['attributes with 101 keys', { attributes: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, i])) }, 400],
        ['attribute value too long', { attributes: { a: long(2001) } }, 400],
      ],
    },
    {
      name: 'widget track', method: 'POST', path: '/api/v1/widget/track', who: 'visitor', valid: { name: 'clicked' },
      strings: ['name'], required: ['name'],
      extra: [
        ['empty name', { name: '' }, 400],
        ['whitespace name', { name: '   ' }, 400],
        ['name too long', { name: long(101) }, 400],
        ['properties an array', { name: 'x', properties: [1] }, 400],
        ['properties nested', { name: 'x', properties: { a: { b: 1 } } }, 400],
        ['properties key "constructor"', { name: 'x', properties: { constructor: 1 } }, 400],
      ],
    },
    {
      name: 'widget page', method: 'POST', path: '/api/v1/widget/page', who: 'visitor', valid: { url: 'https://shop.example.com/' },
      strings: ['url', 'title'], required: ['url'],
      extra: [
        ['empty url', { url: '' }, 400],
        ['relative url', { url: '/pricing' }, 400],
        ['javascript: url', { url: 'javascript:alert(1)' }, 400],
        ['not a url', { url: 'not a url' }, 400],
      ],
    },
    {
      name: 'inbox reply', method: 'POST', path: `/api/v1/inbox/conversations/${conv}/messages`, who: 'agent', valid: { content: 'hi', clientId: 'k1' },
      strings: ['content', 'clientId'], required: ['content', 'clientId'],
      extra: [
        ['empty content', { content: '', clientId: cid() }, 400],
        ['whitespace content', { content: '\n \n', clientId: cid() }, 400],
        ['content of 10,001 characters', { content: long(10_001), clientId: cid() }, 413],
        ['content of 50,000 characters', { content: long(50_000), clientId: cid() }, 413],
        ['private a string', { content: 'x', clientId: cid(), private: 'yes' }, 400],
        ['private a number', { content: 'x', clientId: cid(), private: 1 }, 400],
      ],
    },
    {
      name: 'inbox patch', method: 'PATCH', path: `/api/v1/inbox/conversations/${conv}`, who: 'agent', valid: { status: 'open' },
      strings: ['status', 'assigneeId'], required: [],
      extra: [
        ['nothing to change', {}, 400],
        ['unknown status', { status: 'archived' }, 400],
        ['status null', { status: null }, 400],
        ['status upper case', { status: 'OPEN' }, 400],
        ['assigneeId with SQL', { assigneeId: "' OR 1=1 --" }, 400],
      ],
    },
    {
      name: 'inbox read', method: 'POST', path: `/api/v1/inbox/conversations/${conv}/read`, who: 'agent', valid: { messageId: msgId },
      strings: ['messageId'], required: ['messageId'],
      extra: [['messageId with SQL', { messageId: "x'; DROP TABLE messages; --" }, 404]],
    },
  ];

  const countMessages = async () => (await call('GET', `/api/v1/inbox/conversations/${conv}/messages?limit=200`, 'agent')).body.messages.length as number;
  const before = await countMessages();

  for (const ep of endpoints) {
    t.test(`${ep.method} ${ep.name}`, async (t) => {
      const req = (o: { body?: unknown; raw?: string; headers?: Record<string, string> }) => call(ep.method, ep.path, ep.who, o);
      for (const field of ep.required) {
        const { [field]: _drop, ...rest } = ep.valid;
        isProblem(t, await req({ body: rest }), 400, `missing ${field}`);
      }
      for (const field of ep.strings) {
        for (const [label, value] of [['a number', 12345], ['an object', { a: 1 }], ['an array', ['a']], ['a boolean', true]] as const) {
          isProblem(t, await req({ body: { ...ep.valid, [field]: value } }), 400, `${field} as ${label}`);
        }
      }
      for (const [label, body, status] of ep.extra) isProblem(t, await req({ body }), status, label);
      // Whole-body problems.
      isProblem(t, await req({ raw: '{"content": "unterminated' }), 400, 'malformed JSON');
      isProblem(t, await req({ raw: '{content: 1}' }), 400, 'JSON with unquoted keys');
      isProblem(t, await req({ raw: '[]' }), 400, 'an array body');
      isProblem(t, await req({ raw: '"text"' }), 400, 'a string body');
      isProblem(t, await req({ raw: 'null' }), 400, 'a null body');
      isProblem(t, await req({ raw: '' }), 400, 'an empty body');
      isProblem(t, await req({ raw: 'content=hi', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), (x) => x === 415 || x === 400, 'a form body');
      const big = JSON.stringify({ ...ep.valid, content: long(bodyLimit + 10) });
      isProblem(t, await req({ raw: big }), 413, 'a body over the body limit');
      // Prototype pollution through the body and through attributes.
      const proto = JSON.stringify(ep.valid).replace(/^\{/, '{"__proto__":{"polluted":"yes"},').replace(',}', '}');
      isProblem(t, await req({ raw: proto }), 400, '__proto__ key in the body');
      const ctor = JSON.stringify(ep.valid).replace(/^\{/, '{"constructor":{"prototype":{"polluted":"yes"}},').replace(',}', '}');
      isProblem(t, await req({ raw: ctor }), 400, 'constructor.prototype in the body');
      const inAttrs = JSON.stringify({ ...ep.valid, attributes: { ok: 1 }, user: { attributes: { ok: 1 } }, properties: { ok: 1 } }).replace(/\{"ok":1\}/g, '{"__proto__":{"polluted":"yes"},"ok":1}');
      const r = await req({ raw: inAttrs });
      t.ok(r.status >= 400 && r.status < 500, `__proto__ inside nested objects → 4xx (got ${r.status})`);
      t.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype is not polluted');
      // NUL characters (PostgreSQL refuses them, SQLite cuts statements at them): 400 in every string field.
      for (const field of ep.strings) isProblem(t, await req({ body: { ...ep.valid, [field]: 'a\u0000b' } }), 400, `NUL in ${field}`);
      isProblem(t, await req({ body: { ...ep.valid, ['k\u0000']: 'x' } }), 400, 'NUL in a key');
    });
  }

  t.test('query strings and path ids: unknown enums, bad numbers, bad cursors, SQL metacharacters', async (t) => {
    const list = (q: string) => call('GET', `/api/v1/inbox/conversations?${q}`, 'agent');
    isProblem(t, await list('status=archived'), 400, 'status=archived');
    isProblem(t, await list('status='), 400, 'status empty');
    for (const l of ['abc', '0', '-1', '101', '1.5']) isProblem(t, await list(`limit=${l}`), 400, `limit=${l}`);
    isProblem(t, await list('cursor=%27%20OR%201%3D1%20--'), 400, 'cursor with SQL');
    isProblem(t, await list(`cursor=${Buffer.from(JSON.stringify({ t: "2020-01-01' OR 1=1 --", id: 'x' })).toString('base64url')}`), 400, 'cursor with SQL in the date');
    for (const id of ["zz' OR '1'='1", 'a\u0000b']) {
      isProblem(t, await list(`cursor=${Buffer.from(JSON.stringify({ t: new Date(Date.now() + 60_000).toISOString(), id })).toString('base64url')}`), 400, `cursor with ${JSON.stringify(id)} as its id`);
    }
    for (const q of ['siteId=%00', 'assignee=%00', 'cursor=%00', 'status=open%00']) isProblem(t, await list(q), 400, `NUL in ${q}`);
    isProblem(t, await list('assignee=%27%20OR%201%3D1%20--'), 400, 'assignee with SQL');
    for (const q of ['siteId=%27%20OR%20%271%27%3D%271', 'siteId=x%27%3B%20DROP%20TABLE%20conversations%3B%20--', 'siteId=%25', 'siteId=*']) {
      const r = await list(q);
      t.equal(r.status, 200, `${q}: 200`);
      t.same(r.body.conversations, [], `${q}: empty`);
    }
    for (const q of ['__proto__[polluted]=yes', '__proto__=x', 'constructor[prototype][polluted]=yes', 'status[__proto__]=open']) {
      const r = await list(q);
      t.ok(r.status < 500, `${q}: not 5xx (got ${r.status})`);
      t.equal(({} as Record<string, unknown>).polluted, undefined, `${q}: nothing polluted`);
    }
    const doubled = await list('status=open&status=closed');
    t.ok(doubled.status >= 200 && doubled.status < 500, `repeated status: not 5xx (got ${doubled.status})`);

    for (const [who, base] of [['agent', `/api/v1/inbox/conversations/${conv}/messages`], ['visitor', `/api/v1/widget/conversations/${conv}/messages`]] as const) {
      for (const l of ['abc', '0', '201']) isProblem(t, await call('GET', `${base}?limit=${l}`, who), 400, `${who} history limit=${l}`);
      for (const q of ['after=%27%20OR%201%3D1%20--', 'before=%27%20OR%201%3D1%20--', `after=${missingId()}`, `after=${'x'.repeat(65)}`]) {
        const r = await call('GET', `${base}?${q}`, who);
        isProblem(t, r, (x) => x >= 400 && x < 500, `${who} history ${q.slice(0, 30)}`);
      }
    }
    for (const id of ["'%20OR%201=1%20--", '..%2F..%2Fetc%2Fpasswd', '%00', 'x'.repeat(65), '1']) {
      isProblem(t, await call('GET', `/api/v1/inbox/conversations/${id}`, 'agent'), (x) => x === 404 || x === 400, `inbox conversation id ${id.slice(0, 20)}`);
      isProblem(t, await call('GET', `/api/v1/inbox/visitors/${id}`, 'agent'), (x) => x === 404 || x === 400, `inbox visitor id ${id.slice(0, 20)}`);
      isProblem(t, await call('GET', `/api/v1/widget/conversations/${id}/messages`, 'visitor'), (x) => x === 404 || x === 400, `widget conversation id ${id.slice(0, 20)}`);
    }
    const online = await call('GET', '/api/v1/inbox/visitors/online?siteId=%27%20OR%201%3D1%20--', 'agent');
    t.equal(online.status, 200);
    t.same(online.body.visitors, []);
  });

  t.test('nothing was stored or polluted', async (t) => {
    t.equal(await countMessages(), before, 'no message stored by a rejected request');
    t.equal(({} as Record<string, unknown>).polluted, undefined);
    t.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
    const visitor = await call('GET', `/api/v1/inbox/visitors/${v.id}`, 'agent');
    t.equal(visitor.status, 200);
    t.equal(Object.getPrototypeOf(visitor.body.attributes), Object.prototype);
    t.notOk('polluted' in visitor.body.attributes);
    const ok = await call('POST', '/api/v1/widget/messages', 'visitor', { body: { content: 'still works', clientId: cid() } });
    t.equal(ok.status, 201, 'the API still works');
  });
});
