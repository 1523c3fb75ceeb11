/**
 * Tokens and sessions: forged, expired, tampered and swapped tokens are refused; a
 * deleted user's or demoted agent's old token stops working at once; password change,
 * reset and logout end sessions and close their sockets (4401); cookie writes need CSRF.
 */
import { createHmac, randomBytes } from 'node:crypto';
import t, { type Test } from 'tap';
import { connectSocket, type TestServer } from '@charla/core/testing';
import { addMember, boot, initVisitor, isProblem, linkToken, login, withSmtp, bootWithSmtp } from './helpers.js';

const SECRET = randomBytes(32).toString('hex');
const b64 = (x: unknown) => Buffer.from(typeof x === 'string' ? x : JSON.stringify(x)).toString('base64url');
function sign(header: unknown, claims: unknown, key = SECRET): string {
  const head = `${b64(header)}.${b64(claims)}`;
  return `${head}.${createHmac('sha256', key).update(head).digest('base64url')}`;
}
const HS256 = { alg: 'HS256', typ: 'JWT' };
const decode = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;

async function refused(t: Test, s: TestServer, token: string, what: string, path = '/api/v1/auth/me') {
  const r = await s.request('GET', path, { token });
  t.ok(isProblem(r, [401]), `${what}: ${path} refused 401 (got ${r.status})`);
  await t.rejects(connectSocket(s.url, token), { statusCode: 401 } as never, `${what}: socket upgrade refused 401`);
}

t.test('forged, expired, tampered and swapped tokens', async (t) => {
  const smtp = await withSmtp();
  const s = await boot({ config: { smtpUrl: smtp.url, jwtSecret: SECRET } });
  t.teardown(async () => {
    await s.close();
    await smtp.close();
  });
  const owner = (await s.request('POST', '/api/v1/auth/signup', { body: { accountName: 'Tok', name: 'O', email: `tok-${Date.now()}@example.com`, password: 'token-password' } })).body;
  const other = (await s.request('POST', '/api/v1/auth/signup', { body: { accountName: 'Tok B', name: 'O', email: `tokb-${Date.now()}@example.com`, password: 'token-password' } })).body;
  const site = (await s.request('POST', '/api/v1/sites', { token: owner.token, body: { name: 'S' } })).body;
  const visitor = await initVisitor(s, site.appId);
  t.equal((await s.request('GET', '/api/v1/auth/me', { token: owner.token })).status, 200, 'the genuine token works');
  const claims = decode(owner.token);
  const now = Math.floor(Date.now() / 1000);

  await refused(t, s, `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`, 'alg none, no signature');
  await refused(t, s, sign({ alg: 'none', typ: 'JWT' }, claims), 'alg none, signed');
  await refused(t, s, sign({ alg: 'HS512', typ: 'JWT' }, claims), 'alg HS512');
  await refused(t, s, sign({ typ: 'JWT', alg: 'HS256' }, claims), 'same header, other key order');
  await refused(t, s, sign(HS256, claims, 'x'.repeat(64)), 'signed with a wrong key');
  await refused(t, s, sign(HS256, { ...claims, exp: now - 1 }), 'expired (valid signature)');
  await refused(t, s, sign(HS256, { ...claims, exp: undefined }), 'no exp');
  await refused(t, s, sign(HS256, { ...claims, exp: String(now + 3600) }), 'exp as a string');
  const [h, , sig] = owner.token.split('.');
  await refused(t, s, `${h}.${b64({ ...claims, acc: other.account.id })}.${sig}`, 'tampered acc, old signature');
  await refused(t, s, `${h}.${b64({ ...claims, exp: now + 10 ** 9 })}.${sig}`, 'tampered exp, old signature');
  await refused(t, s, sign(HS256, { ...claims, acc: other.account.id }), 'validly signed, session of another account');
  await refused(t, s, sign(HS256, { ...claims, sub: other.user.id }), 'validly signed, session of another user');
  await refused(t, s, sign(HS256, { ...claims, sid: decode(other.token).sid }), 'validly signed, someone else\'s session id');
  await refused(t, s, sign(HS256, { ...claims, sid: { $ne: null } }), 'session id as an operator object');
  await refused(t, s, sign(HS256, { ...claims, typ: 'visitor' }), 'agent claims retyped as visitor');
  for (const junk of ['', 'a.b', 'a.b.c.d', '....', `${h}.%%%.${sig}`, 'x'.repeat(5000), owner.token.slice(0, -2), `${owner.token}x`]) {
    const r = await s.request('GET', '/api/v1/auth/me', { token: junk });
    t.ok(isProblem(r, [401]), `malformed token ${JSON.stringify(junk.slice(0, 20))}: 401`);
  }

  // Kind swaps.
  const asAgent = await s.request('GET', '/api/v1/auth/me', { token: visitor.token });
  t.ok(isProblem(asAgent, [401, 403]), 'a visitor token on an agent route is refused');
  const inbox = await s.request('GET', '/api/v1/inbox/conversations', { token: visitor.token });
  t.ok(isProblem(inbox, [401, 403]), 'a visitor token cannot read the inbox');
  const asVisitor = await s.request('GET', '/api/v1/widget/conversations', { token: owner.token });
  t.ok(isProblem(asVisitor, [401, 403]), 'an agent token on a visitor route is refused');
  const vclaims = decode(visitor.token);
  await refused(t, s, sign(HS256, { ...vclaims, typ: 'agent', sid: 'x' }), 'visitor claims retyped as agent');
  const forgedVisitor = await s.request('GET', '/api/v1/widget/conversations', { token: sign(HS256, { ...vclaims, sub: randomBytes(8).toString('hex') }) });
  t.ok(isProblem(forgedVisitor, [401, 403]), 'validly signed visitor token for a visitor that does not exist');
  const wrongKeyVisitor = await s.request('GET', '/api/v1/widget/conversations', { token: sign(HS256, vclaims, 'k'.repeat(64)) });
  t.ok(isProblem(wrongKeyVisitor, [401]), 'visitor token with a wrong key');
  const apiKeyShape = await s.request('GET', '/api/v1/auth/me', { token: 'chk_not_a_real_key' });
  t.ok(isProblem(apiKeyShape, [401]), 'an API-key-shaped token is refused when no key matches');
});

t.test('deleted user, lowered role, password change, reset and logout end sessions and sockets', async (t) => {
  const { s, smtp } = await bootWithSmtp(t);
  const owner = (await s.request('POST', '/api/v1/auth/signup', { body: { accountName: 'Sess', name: 'O', email: `sess-${Date.now()}@example.com`, password: 'session-password' } })).body;

  // Deleted user.
  const doomed = await addMember(s, smtp, owner.token, 'agent');
  const doomedSock = await connectSocket(s.url, doomed.token);
  t.equal((await s.request('DELETE', `/api/v1/team/members/${doomed.userId}`, { token: owner.token })).status, 204, 'member removed');
  t.ok(isProblem(await s.request('GET', '/api/v1/auth/me', { token: doomed.token }), [401]), 'deleted user: token refused');
  t.equal((await Promise.race([doomedSock.closed, new Promise((r) => setTimeout(() => r({ code: 0 }), 3000))]) as { code: number }).code, 4401, 'deleted user: socket closed 4401');
  t.ok(isProblem(await s.request('POST', '/api/v1/auth/login', { body: { email: doomed.email, password: doomed.password } }), [401]), 'deleted user cannot log in');

  // Lowered role: the old token loses admin rights at once.
  const admin = await addMember(s, smtp, owner.token, 'admin');
  t.equal((await s.request('GET', '/api/v1/team/invitations', { token: admin.token })).status, 200, 'admin may list invitations');
  const adminSock = await connectSocket(s.url, admin.token);
  t.equal((await s.request('PATCH', `/api/v1/team/members/${admin.userId}`, { token: owner.token, body: { role: 'agent' } })).status, 200, 'demoted to agent');
  const after = await s.request('GET', '/api/v1/team/invitations', { token: admin.token });
  t.ok(isProblem(after, [401, 403]), `old token no longer has admin rights (${after.status})`);
  const invite = await s.request('POST', '/api/v1/team/invitations', { token: admin.token, body: { email: `x-${Date.now()}@example.com`, role: 'admin' } });
  t.ok(isProblem(invite, [401, 403]), 'old token cannot invite');
  if (after.status === 401) t.equal((await Promise.race([adminSock.closed, new Promise((r) => setTimeout(() => r({ code: 0 }), 3000))]) as { code: number }).code, 4401, 'its socket is closed 4401');
  else adminSock.close();

  // Password change: every other session and socket ends; this one stays.
  const pw = await addMember(s, smtp, owner.token, 'agent');
  const second = await login(s, pw.email, pw.password);
  const secondSock = await connectSocket(s.url, second.token);
  const keepSock = await connectSocket(s.url, pw.token);
  t.equal((await s.request('POST', '/api/v1/auth/password/change', { token: pw.token, body: { currentPassword: pw.password, newPassword: 'changed-password-1' } })).status, 204, 'password changed');
  t.ok(isProblem(await s.request('GET', '/api/v1/auth/me', { token: second.token }), [401]), 'change: the other session is refused');
  t.equal((await secondSock.closed).code, 4401, 'change: the other session\'s socket closed 4401');
  t.equal((await s.request('GET', '/api/v1/auth/me', { token: pw.token })).status, 200, 'change: the current session continues');
  keepSock.send({ op: 'ping' });
  await keepSock.waitFor((f) => f.op === 'pong');
  t.pass('change: the current session\'s socket stays open');
  keepSock.close();
  t.ok(isProblem(await s.request('POST', '/api/v1/auth/login', { body: { email: pw.email, password: pw.password } }), [401]), 'change: the old password no longer logs in');

  // Reset: every session and socket ends.
  const r1 = await login(s, pw.email, 'changed-password-1');
  const resetSock = await connectSocket(s.url, r1.token);
  t.equal((await s.request('POST', '/api/v1/auth/password/forgot', { body: { email: pw.email } })).status, 202);
  const mail = await smtp.waitFor((m) => m.to.includes(pw.email) && /reset-password/.test(m.text));
  t.equal((await s.request('POST', '/api/v1/auth/password/reset', { body: { token: linkToken(mail, '/admin/reset-password'), password: 'reset-password-2' } })).status, 200, 'password reset');
  for (const tok of [pw.token, r1.token]) t.ok(isProblem(await s.request('GET', '/api/v1/auth/me', { token: tok }), [401]), 'reset: every earlier session refused');
  t.equal((await resetSock.closed).code, 4401, 'reset: sockets closed 4401');

  // Logout: this session and its sockets end; another session of the same user lives on.
  const l1 = await login(s, pw.email, 'reset-password-2');
  const l2 = await login(s, pw.email, 'reset-password-2');
  const l1Sock = await connectSocket(s.url, l1.token);
  const l2Sock = await connectSocket(s.url, l2.token);
  t.equal((await s.request('POST', '/api/v1/auth/logout', { token: l1.token })).status, 204, 'logged out');
  t.ok(isProblem(await s.request('GET', '/api/v1/auth/me', { token: l1.token }), [401]), 'logout: token refused');
  t.equal((await l1Sock.closed).code, 4401, 'logout: its socket closed 4401');
  t.equal((await s.request('GET', '/api/v1/auth/me', { token: l2.token })).status, 200, 'logout: the other session continues');
  l2Sock.send({ op: 'ping' });
  await l2Sock.waitFor((f) => f.op === 'pong');
  l2Sock.close();
  await t.rejects(connectSocket(s.url, l1.token), { statusCode: 401 } as never, 'logout: the token cannot open a new socket');

  // Visitor token replaced by identify: the old one stops working.
  const site = (await s.request('POST', '/api/v1/sites', { token: owner.token, body: { name: 'S' } })).body;
  const v = await initVisitor(s, site.appId);
  const vSock = await connectSocket(s.url, v.token);
  const ident = await s.request('POST', '/api/v1/widget/identify', { token: v.token, body: { name: 'New name' } });
  t.equal(ident.status, 200, 'visitor identified');
  t.ok(isProblem(await s.request('GET', '/api/v1/widget/conversations', { token: v.token }), [401]), 'the replaced visitor token is refused');
  t.equal((await vSock.closed).code, 4401, 'its socket closed 4401');
});

t.test('cookie sessions: writes need the CSRF token', async (t) => {
  const s = await boot();
  t.teardown(() => s.close());
  const email = `csrf-${Date.now()}@example.com`;
  const res = await s.app.inject({ method: 'POST', url: '/api/v1/auth/signup', payload: { accountName: 'C', name: 'C', email, password: 'csrf-password' } });
  const cookie = String(res.headers['set-cookie']).split(';')[0];
  const csrf = res.json().csrfToken as string;
  t.match(String(res.headers['set-cookie']), /HttpOnly/i, 'the session cookie is httpOnly');
  t.match(String(res.headers['set-cookie']), /SameSite=Lax/i, 'and SameSite');
  t.equal((await s.request('GET', '/api/v1/auth/me', { headers: { cookie } })).status, 200, 'cookie reads work');
  for (const [label, headers] of [['no header', {}], ['wrong header', { 'x-csrf-token': 'nope' }], ['another session\'s token', { 'x-csrf-token': (await login(s, email, 'csrf-password')).csrfToken }], ['empty header', { 'x-csrf-token': '' }]] as const) {
    const w = await s.request('POST', '/api/v1/sites', { headers: { cookie, ...headers }, body: { name: 'CSRF' } });
    t.ok(isProblem(w, [403]), `cookie write with ${label}: 403 (${w.status})`);
  }
  t.equal((await s.request('GET', '/api/v1/sites', { headers: { cookie } })).body.sites.length, 0, 'nothing was created');
  t.equal((await s.request('POST', '/api/v1/sites', { headers: { cookie, 'x-csrf-token': csrf }, body: { name: 'OK' } })).status, 201, 'with the right CSRF token: created');
});
