/**
 * The JSON parser of every route refuses what would later crash or be silently
 * changed: nesting deeper than 64 (an 8,000-level plugin setting overflowed the stack
 * when cloned), lone UTF-16 surrogates (stored as U+FFFD) and bytes that are not UTF-8.
 * `/demo` without an appId shows only the signed-in agent's own site, never the oldest
 * site of the instance.
 */
import t from 'tap';
import { account, boot, initVisitor, isProblem, send } from './helpers.js';

const nest = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;

t.test('JSON depth, lone surrogates and invalid UTF-8 are 400 on every route', async (t) => {
  const s = await boot();
  t.teardown(() => s.close());
  const a = await account(s, 'Parser');
  const v = await initVisitor(s, a.site.appId);

  const deepSettings = await s.request('PATCH', '/api/v1/plugins/inbox', { token: a.owner.token, raw: `{"settings":${nest(8000)}}` });
  t.ok(isProblem(deepSettings, [400]), `8,000-level plugin settings: 400 (${deepSettings.status})`);
  t.match(deepSettings.body?.detail, /deeper than 64/, 'the detail names the limit');
  for (const [method, path, token] of [['POST', '/api/v1/widget/messages', v.token], ['POST', '/api/v1/sites', a.owner.token], ['POST', '/api/v1/auth/login', undefined]] as const) {
    const r = await s.request(method, path, { token, raw: `{"x":${nest(65)}}` });
    t.ok(isProblem(r, [400]) && /deeper than 64/.test(r.body.detail), `${path}, 66 levels: 400 (${r.status})`);
  }
  const shallow = await s.request('PATCH', '/api/v1/plugins/inbox', { token: a.owner.token, raw: `{"settings":{"x":${nest(10)}}}` });
  t.not(shallow.status, 500, `a shallow nested setting is judged by the route, not the parser (${shallow.status})`);

  const lone = await s.request('POST', '/api/v1/widget/messages', { token: v.token, raw: '{"content":"half an emoji \\ud83d here","clientId":"lone-1"}' });
  t.ok(isProblem(lone, [400]), `a lone high surrogate in a message: 400 (${lone.status})`);
  t.match(lone.body?.detail, /\$\.content contains a lone UTF-16 surrogate/, 'the detail names the field');
  const low = await s.request('POST', '/api/v1/widget/messages', { token: v.token, raw: '{"content":"x\\udc00","clientId":"lone-2"}' });
  t.ok(isProblem(low, [400]), 'a lone low surrogate: 400');
  const key = await s.request('POST', '/api/v1/widget/track', { token: v.token, raw: '{"name":"e","properties":{"k\\ud800":1}}' });
  t.ok(isProblem(key, [400]), 'a lone surrogate in a key: 400');
  const emoji = await s.request('POST', '/api/v1/widget/messages', { token: v.token, raw: '{"content":"a real emoji \\ud83d\\ude00","clientId":"pair-1"}' });
  t.equal(emoji.status, 201, 'a surrogate pair is fine');
  t.equal(emoji.body.message.content, 'a real emoji 😀', 'and stored as sent');
  const msgs = await s.request('GET', `/api/v1/inbox/conversations/${emoji.body.conversation.id}/messages`, { token: a.owner.token });
  t.notOk(msgs.text.includes('\ufffd'), 'no replacement character was stored');

  const bytes = await s.app.inject({ method: 'POST', url: '/api/v1/widget/messages', headers: { authorization: `Bearer ${v.token}`, 'content-type': 'application/json' }, payload: Buffer.concat([Buffer.from('{"content":"bad '), Buffer.from([0xed, 0xa0, 0x80, 0xff]), Buffer.from('","clientId":"bytes-1"}')]) });
  t.equal(bytes.statusCode, 400, 'bytes that are not UTF-8: 400');
  t.match(JSON.parse(bytes.body).detail, /not valid UTF-8/);
  await send(s, v.token, 'still fine');
  t.pass('the visitor still sends');
});

t.test('/demo without an appId shows only the signed-in agent\'s own site', async (t) => {
  const s = await boot();
  t.teardown(() => s.close());
  const victim = await account(s, 'Oldest', { name: 'Victim Private Shop' });
  const other = await account(s, 'Other', { name: 'Own Shop Of B' });
  const anon = await s.app.inject({ method: 'GET', url: '/demo' });
  t.equal(anon.statusCode, 200);
  t.notOk(anon.body.includes(victim.site.appId) || anon.body.includes('Victim Private Shop'), 'an anonymous caller sees no account\'s site');
  t.match(anon.body, /Sign in/, 'and is told to sign in or pass an appId');
  const login = await s.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: other.owner.email, password: other.owner.password } });
  const cookie = String(login.headers['set-cookie']).split(';')[0];
  const mine = await s.app.inject({ method: 'GET', url: '/demo', headers: { cookie } });
  t.ok(mine.body.includes(other.site.appId), 'a signed-in agent sees their own first site');
  t.notOk(mine.body.includes(victim.site.appId), 'never the oldest site of another account');
  const explicit = await s.app.inject({ method: 'GET', url: `/demo?appId=${victim.site.appId}` });
  t.ok(explicit.body.includes(victim.site.appId), 'with its (public) appId a site\'s demo page still opens');
});
