/**
 * Password reset: the link always uses PUBLIC_URL (Host / X-Forwarded-Host poisoning),
 * malformed e-mail shapes are 400, tokens work once and expire, and known and unknown
 * e-mails take the same path (same answer; the same reads, observed by instrumenting
 * the database, not by timing). Identity verification: every wrong userHash is 401,
 * never an exception.
 */
import { createHmac } from 'node:crypto';
import t from 'tap';
import { ManualClock } from '../../../core/src/clock.js';
import { account, boot, initVisitor, isProblem, linkToken, uniqueEmail, withSmtp } from './helpers.js';

const PUBLIC_URL = 'https://charla.example.com';

t.test('password reset', async (t) => {
  const smtp = await withSmtp();
  const clock = new ManualClock();
  const s = await boot({ clock, config: { smtpUrl: smtp.url, publicUrl: PUBLIC_URL } });
  t.teardown(async () => {
    await s.close();
    await smtp.close();
  });
  const a = await account(s, 'Reset');

  // Host header poisoning.
  const poison = { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http', forwarded: 'host=evil.example', origin: 'https://evil.example', referer: 'https://evil.example/' };
  t.equal((await s.request('POST', '/api/v1/auth/password/forgot', { body: { email: a.owner.email }, headers: poison })).status, 202);
  const mail = await smtp.waitFor((m) => m.to.includes(a.owner.email) && /reset-password/.test(m.text));
  t.notMatch(mail.text, /evil\.example/, 'the e-mail never names the attacker\'s host');
  t.match(mail.text, new RegExp(`${PUBLIC_URL.replace(/\./g, '\\.')}/admin/reset-password\\?token=`), 'the link uses PUBLIC_URL');
  const token = linkToken(mail, '/admin/reset-password');

  // Malformed e-mail shapes.
  for (const email of [[a.owner.email], { $gt: '' }, { email: a.owner.email }, null, 42, true, '', `${a.owner.email}\r\nBcc: evil@evil.example`, `${a.owner.email},evil@evil.example`, `${a.owner.email} evil@evil.example`, 'x'.repeat(400) + '@example.com']) {
    const r = await s.request('POST', '/api/v1/auth/password/forgot', { body: { email } });
    t.ok(isProblem(r, [400]), `forgot with email ${JSON.stringify(email).slice(0, 40)}: 400 (${r.status})`);
  }
  const arr = await s.request('POST', '/api/v1/auth/password/forgot', { raw: JSON.stringify([{ email: a.owner.email }]) });
  t.ok(isProblem(arr, [400]), 'a JSON array body: 400');
  await new Promise((r) => setTimeout(r, 300));
  t.equal(smtp.messages.filter((m) => m.to.includes(a.owner.email)).length, 1, 'no malformed request sent a second e-mail');
  t.equal(smtp.messages.filter((m) => m.to.some((x) => /evil/.test(x))).length, 0, 'no e-mail went to the attacker');

  // Token shapes, reuse, expiry.
  for (const bad of [{ $ne: '' }, [token], token.slice(0, -1), `${token}x`, token.toUpperCase(), `${token}\u0000`]) {
    const r = await s.request('POST', '/api/v1/auth/password/reset', { body: { token: bad, password: 'a-new-password-1' } });
    t.ok(isProblem(r, [400]), `reset with token ${JSON.stringify(bad).slice(0, 30)}: 400`);
  }
  t.equal((await s.request('POST', '/api/v1/auth/password/reset', { body: { token, password: 'a-new-password-1' } })).status, 200, 'the genuine token works once');
  const reused = await s.request('POST', '/api/v1/auth/password/reset', { body: { token, password: 'a-new-password-2' } });
  t.ok(isProblem(reused, [400]), 'reused token: 400');
  t.equal((await s.request('POST', '/api/v1/auth/login', { body: { email: a.owner.email, password: 'a-new-password-1' } })).status, 200, 'the reuse changed nothing');
  await s.request('POST', '/api/v1/auth/password/forgot', { body: { email: a.owner.email } });
  const mail2 = await smtp.waitFor((m) => m.to.includes(a.owner.email) && linkToken(m, '/admin/reset-password') !== token);
  clock.advance(61 * 60 * 1000);
  const expired = await s.request('POST', '/api/v1/auth/password/reset', { body: { token: linkToken(mail2, '/admin/reset-password'), password: 'a-new-password-3' } });
  t.ok(isProblem(expired, [400]), 'expired token (61 min later): 400');
  clock.advance(-61 * 60 * 1000);

  // Known and unknown e-mails: same answer, same reads (instrumented, not timed).
  const queries: string[] = [];
  const sequelize = s.app.charla.db.sequelize;
  sequelize.addHook('beforeQuery', (_opts, query) => {
    const sql = (query as unknown as { sql?: string })?.sql;
    if (sql) queries.push(String(sql));
  });
  const trace = async (email: string) => {
    queries.length = 0;
    const r = await s.request('POST', '/api/v1/auth/password/forgot', { body: { email } });
    return { status: r.status, text: r.text, headers: Object.keys(r.headers).filter((h) => !['date', 'content-length'].includes(h)).sort(), reads: queries.filter((q) => /^\s*SELECT/i.test(q)).map((q) => q.replace(/'[^']*'|\$\d+/g, '?')), writes: queries.filter((q) => /^\s*(INSERT|UPDATE|DELETE)/i.test(q)).map((q) => /(INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)/i.exec(q)?.[2]) };
  };
  const known = await trace(a.owner.email);
  const unknown = await trace(uniqueEmail('nobody'));
  t.equal(known.status, 202);
  t.equal(unknown.status, 202, 'unknown e-mail: 202 too');
  t.equal(known.text, unknown.text, 'identical bodies');
  t.same(known.headers, unknown.headers, 'identical header sets');
  t.same(known.reads, unknown.reads, 'identical reads: no early return on an unknown e-mail');
  t.ok(known.writes.every((tbl) => /password_reset|job/i.test(String(tbl))), `the known e-mail only adds its reset row and mail job (${known.writes.join(', ')})`);
  t.same(unknown.writes, [], 'the unknown e-mail writes nothing');
});

t.test('identity verification', async (t) => {
  const s = await boot();
  t.teardown(() => s.close());
  const a = await account(s, 'Ident');
  const other = (await s.request('POST', '/api/v1/sites', { token: a.owner.token, body: { name: 'Other' } })).body;
  const patched = await s.request('PATCH', `/api/v1/sites/${a.site.id}`, { token: a.owner.token, body: { identityVerification: { required: true } } });
  t.equal(patched.status, 200, 'identity verification turned on');
  const secret = patched.body.identityVerification.secret as string;
  const otherSecret = other.identityVerification.secret as string;
  const hash = (v: string, k = secret) => createHmac('sha256', k).update(v).digest('hex');
  const alice = { externalId: 'alice-1', email: 'alice@example.com' };
  const good = await s.request('POST', '/api/v1/widget/init', { body: { appId: a.site.appId, user: { ...alice, userHash: hash(alice.externalId) } } });
  t.equal(good.status, 200, 'the right hash is accepted');
  await s.request('POST', '/api/v1/widget/messages', { token: good.body.visitorToken, body: { content: 'alice private', clientId: 'alice-c1' } });

  const wrong: [string, unknown][] = [
    ['missing', undefined], ['empty', ''], ['wrong', hash('someone-else')], ['other site\'s secret', hash(alice.externalId, otherSecret)],
    ['hash of the e-mail for the externalId', hash(alice.email)], ['one char', 'a'], ['one short', hash(alice.externalId).slice(1)],
    ['one long', `${hash(alice.externalId)}0`], ['200 chars', 'f'.repeat(200)], ['non-hex', 'z'.repeat(64)], ['unicode', 'é'.repeat(32)], ['base64 of the right hmac', createHmac('sha256', secret).update(alice.externalId).digest('base64')],
  ];
  for (const [label, userHash] of wrong) {
    const r = await s.request('POST', '/api/v1/widget/init', { body: { appId: a.site.appId, user: { ...alice, ...(userHash === undefined ? {} : { userHash }) } } });
    t.ok(isProblem(r, [401]), `init, ${label} userHash: 401 (${r.status})`);
    t.notOk(r.text.includes('alice private'), 'nothing of alice');
  }
  for (const userHash of [{ $ne: '' }, [hash(alice.externalId)], 1, null, 'f'.repeat(201)]) {
    const r = await s.request('POST', '/api/v1/widget/init', { body: { appId: a.site.appId, user: { ...alice, userHash } } });
    t.ok(isProblem(r, [400, 401]), `init, userHash ${JSON.stringify(userHash).slice(0, 20)}: refused (${r.status})`);
  }
  // Replay: bob's valid hash presented with alice's id; alice's with only her e-mail.
  const bobHash = hash('bob-2');
  const replay = await s.request('POST', '/api/v1/widget/init', { body: { appId: a.site.appId, user: { externalId: 'alice-1', userHash: bobHash } } });
  t.ok(isProblem(replay, [401]), 'replay of bob\'s hash for alice: 401');
  const byEmail = await s.request('POST', '/api/v1/widget/init', { body: { appId: a.site.appId, user: { email: alice.email, userHash: hash(alice.externalId) } } });
  t.ok(isProblem(byEmail, [401]), 'alice\'s externalId hash used with her e-mail only: 401');
  // The same through identify, from an anonymous visitor.
  const anon = await initVisitor(s, a.site.appId);
  for (const [label, userHash] of wrong.slice(0, 6)) {
    const r = await s.request('POST', '/api/v1/widget/identify', { token: anon.token, body: { ...alice, ...(userHash === undefined ? {} : { userHash }) } });
    t.ok(isProblem(r, [401]), `identify, ${label} userHash: 401`);
  }
  const still = await s.request('GET', '/api/v1/widget/conversations', { token: anon.token });
  t.equal(still.status, 200, 'the refused identify left the anonymous visitor as it was');
  t.notOk(still.text.includes('alice private'), 'and gave it nothing of alice');
  // The other site's visitor with alice's genuine hash for this site.
  const cross = await s.request('POST', '/api/v1/widget/init', { body: { appId: other.appId, user: { ...alice, userHash: hash(alice.externalId) } } });
  t.ok(cross.status === 200 || isProblem(cross, [401]), 'a hash of site 1 on site 2 (not required there): accepted as unverified or refused');
  if (cross.status === 200) t.not(cross.body.visitor.id, good.body.visitor.id, 'but never alice of site 1');
});
