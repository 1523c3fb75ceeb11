import t from 'tap';
import { ManualClock, definePlugin, type EventMap } from '@charla/core';
import { signup, startSmtpServer, startTestServer } from '@charla/core/testing';
import { expectProblem } from './expect-problem.js';
import { linkToken, login, uniqueEmail } from './team-fixtures.js';

// API.md "Accounts and team": sign-up, login, me, logout, password change, forgot/reset
// (e-mail through a real SMTP server), cookie sessions with CSRF.

const PUBLIC_URL = 'https://charla.example.test';
const clock = new ManualClock();
const smtp = await startSmtpServer();
// Records the kernel's revocation event (the realtime gateway closes sockets from it).
const revoked: Array<EventMap['sessions.revoked']> = [];
const revocations = definePlugin({ name: 'revocations', version: '1.0.0', events: { 'sessions.revoked': (e) => void revoked.push(e) } });
const s = await startTestServer({ plugins: [revocations], clock, config: { smtpUrl: smtp.url, publicUrl: PUBLIC_URL } });
t.teardown(async () => {
  await s.close();
  await smtp.close();
});

const me = (token: string) => s.request('GET', '/api/v1/auth/me', { token });

t.test('signup creates the account and its owner: 201 with token, csrfToken, user and account', async (t) => {
  const email = uniqueEmail('Owner').replace('owner', 'OWNER');
  const res = await s.request('POST', '/api/v1/auth/signup', { body: { accountName: '  Acme Inc ', name: 'Ada', email, password: 'correct horse' } });
  t.equal(res.status, 201, res.text);
  t.type(res.body.token, 'string');
  t.type(res.body.csrfToken, 'string');
  t.match(res.body.user, { id: String, name: 'Ada', email: email.toLowerCase(), role: 'owner' });
  t.match(res.body.account, { id: String, name: 'Acme Inc', plan: String });
  t.notOk('passwordHash' in res.body.user, 'no password hash in the response');
  t.match(res.body.user.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7/, 'ids are UUIDv7');
  const m = await me(res.body.token);
  t.equal(m.status, 200);
  t.same(m.body.user, res.body.user);
  t.same(m.body.account, res.body.account);
  t.equal(m.body.csrfToken, res.body.csrfToken, '/me returns the same csrfToken');
});

t.test('signup with a taken e-mail is 409, whatever its case', async (t) => {
  const a = await signup(s);
  for (const email of [a.email, a.email.toUpperCase(), `  ${a.email} `.trim().replace('owner', 'Owner')]) {
    const res = await s.request('POST', '/api/v1/auth/signup', { body: { accountName: 'Other', name: 'X', email, password: 'quiet-harbor-lamp-42' } });
    expectProblem(t, res, 409, 'CHARLA_CORE_EMAIL_TAKEN', email);
  }
});

t.test('signup refuses a malformed e-mail or a password under 8 characters with 400', async (t) => {
  const base = { accountName: 'Acme', name: 'Ada', email: uniqueEmail(), password: 'quiet-harbor-lamp-42' };
  for (const email of ['not-an-email', 'a@', '@b.com', 'a b@c.com', '']) {
    expectProblem(t, await s.request('POST', '/api/v1/auth/signup', { body: { ...base, email } }), 400, 'CHARLA_CORE_VALIDATION', `email ${JSON.stringify(email)}`);
  }
  const short = await s.request('POST', '/api/v1/auth/signup', { body: { ...base, password: '1234567' } });
  expectProblem(t, short, 400, 'CHARLA_CORE_VALIDATION', '7-character password');
  t.match(short.body.detail, /password/);
  const eight = await s.request('POST', '/api/v1/auth/signup', { body: { ...base, password: 'k7#qLm2x' } });
  t.equal(eight.status, 201, '8 characters that are hard to guess are enough');
  for (const weak of ['12345678', 'password', 'password123', '        ', 'qwertyuiop', 'aaaaaaaaaaaa']) {
    const res = await s.request('POST', '/api/v1/auth/signup', { body: { ...base, email: uniqueEmail(), password: weak } });
    expectProblem(t, res, 400, 'CHARLA_CORE_WEAK_PASSWORD', `weak password ${JSON.stringify(weak)}`);
    t.match(res.body.detail, /too weak/, 'the detail says why');
  }
  const ownEmail = uniqueEmail();
  expectProblem(t, await s.request('POST', '/api/v1/auth/signup', { body: { ...base, email: ownEmail, password: ownEmail } }), 400, 'CHARLA_CORE_WEAK_PASSWORD', 'the e-mail as password');
  for (const missing of ['accountName', 'name', 'email', 'password']) {
    const body: Record<string, unknown> = { ...base, email: uniqueEmail() };
    delete body[missing];
    const res = await s.request('POST', '/api/v1/auth/signup', { body });
    expectProblem(t, res, 400, 'CHARLA_CORE_VALIDATION', `without ${missing}`);
    t.match(res.body.detail, missing, 'the detail names the missing field');
  }
  expectProblem(t, await s.request('POST', '/api/v1/auth/signup', { body: { ...base, email: uniqueEmail(), name: '   ' } }), 400, 'CHARLA_CORE_VALIDATION', 'blank name');
});

t.test('signup is 403 when the instance is invite-only; login still works there', async (t) => {
  const closed = await startTestServer({ plugins: [], config: { signup: 'invite-only' } });
  t.teardown(() => closed.close());
  const res = await closed.request('POST', '/api/v1/auth/signup', { body: { accountName: 'Acme', name: 'Ada', email: uniqueEmail(), password: 'quiet-harbor-lamp-42' } });
  expectProblem(t, res, 403, 'CHARLA_CORE_SIGNUP_CLOSED');
  expectProblem(t, await closed.request('POST', '/api/v1/auth/login', { body: { email: uniqueEmail(), password: 'quiet-harbor-lamp-42' } }), 401, 'CHARLA_CORE_BAD_CREDENTIALS');
});

t.test('two sign-ups with one e-mail at the same moment: one account, one 409', async (t) => {
  const email = uniqueEmail('race');
  const results = await Promise.all([0, 1].map((i) => s.request('POST', '/api/v1/auth/signup', { body: { accountName: `Race ${i}`, name: 'R', email: i ? email.toUpperCase() : email, password: 'quiet-harbor-lamp-42' } })));
  t.same(results.map((r) => r.status).sort(), [201, 409], results.map((r) => r.text.slice(0, 120)).join(' | '));
  const { db, models } = s.app.charla.container.cradle;
  t.equal(await db.withoutTenant('test: count users by e-mail', () => models.User.count({ where: { email } })), 1);
});

t.test('login: 200 with the session for the right password (any e-mail case), 401 otherwise', async (t) => {
  const a = await signup(s);
  const ok = await s.request('POST', '/api/v1/auth/login', { body: { email: a.email.toUpperCase(), password: a.password } });
  t.equal(ok.status, 200, ok.text);
  t.match(ok.body, { token: String, csrfToken: String, user: { id: a.userId, email: a.email, role: 'owner' }, account: { id: a.accountId } });
  t.not(ok.body.token, a.token, 'a new session');
  t.equal((await me(ok.body.token)).status, 200);
  const wrong = await s.request('POST', '/api/v1/auth/login', { body: { email: a.email, password: 'wrong password' } });
  expectProblem(t, wrong, 401, 'CHARLA_CORE_BAD_CREDENTIALS');
  const unknown = await s.request('POST', '/api/v1/auth/login', { body: { email: uniqueEmail(), password: a.password } });
  expectProblem(t, unknown, 401, 'CHARLA_CORE_BAD_CREDENTIALS');
  t.equal(unknown.body.detail, wrong.body.detail, 'an unknown e-mail and a wrong password look the same');
  expectProblem(t, await s.request('POST', '/api/v1/auth/login', { body: { email: a.email } }), 400, 'CHARLA_CORE_VALIDATION', 'missing password');
});

t.test('me needs a token', async (t) => {
  expectProblem(t, await s.request('GET', '/api/v1/auth/me'), 401, 'CHARLA_CORE_UNAUTHORIZED');
  expectProblem(t, await me('garbage'), 401, 'CHARLA_CORE_UNAUTHORIZED');
});

t.test('logout ends this session only: its token is 401 at once, other sessions go on', async (t) => {
  const a = await signup(s);
  const other = await login(s, a.email, a.password);
  const res = await s.request('POST', '/api/v1/auth/logout', { token: a.token });
  t.equal(res.status, 204);
  t.equal(res.text, '');
  t.match(String(res.headers['set-cookie']), /charla_session=;/, 'the cookie is cleared');
  expectProblem(t, await me(a.token), 401, 'CHARLA_CORE_UNAUTHORIZED', 'logged-out token');
  expectProblem(t, await s.request('POST', '/api/v1/auth/logout', { token: a.token }), 401, undefined, 'second logout');
  t.equal((await me(other)).status, 200, 'the other session still works');
});

t.test('password change: 204, every other session ends, this one goes on, the new password logs in', async (t) => {
  const a = await signup(s);
  const other = await login(s, a.email, a.password);
  const third = await login(s, a.email, a.password);
  expectProblem(t, await s.request('POST', '/api/v1/auth/password/change', { token: a.token, body: { currentPassword: 'not it', newPassword: 'new password 1' } }), 403, 'CHARLA_CORE_WRONG_PASSWORD');
  t.equal((await me(other)).status, 200, 'a refused change ends nothing');
  expectProblem(t, await s.request('POST', '/api/v1/auth/password/change', { token: a.token, body: { currentPassword: a.password, newPassword: 'short' } }), 400, 'CHARLA_CORE_VALIDATION');
  const res = await s.request('POST', '/api/v1/auth/password/change', { token: a.token, body: { currentPassword: a.password, newPassword: 'new password 1' } });
  t.equal(res.status, 204, res.text);
  t.equal((await me(a.token)).status, 200, 'the session that changed it goes on');
  expectProblem(t, await me(other), 401, 'CHARLA_CORE_UNAUTHORIZED', 'other session');
  expectProblem(t, await me(third), 401, 'CHARLA_CORE_UNAUTHORIZED', 'third session');
  expectProblem(t, await s.request('POST', '/api/v1/auth/login', { body: { email: a.email, password: a.password } }), 401, 'CHARLA_CORE_BAD_CREDENTIALS', 'old password');
  t.equal((await s.request('POST', '/api/v1/auth/login', { body: { email: a.email, password: 'new password 1' } })).status, 200, 'new password');
});

t.test('forgot → e-mail with a PUBLIC_URL link (even with a forged Host) → reset: single use, ends every session', async (t) => {
  const a = await signup(s);
  const second = await login(s, a.email, a.password);
  const unknownEmail = uniqueEmail('nobody');
  const unknown = await s.request('POST', '/api/v1/auth/password/forgot', { body: { email: unknownEmail }, headers: { host: 'evil.example.com' } });
  t.equal(unknown.status, 202, 'an unknown e-mail gets 202 too');
  const known = await s.request('POST', '/api/v1/auth/password/forgot', {
    body: { email: a.email.toUpperCase() },
    headers: { host: 'evil.example.com', 'x-forwarded-host': 'evil.example.com', 'x-forwarded-proto': 'http' },
  });
  t.equal(known.status, 202);
  t.same(known.body, unknown.body, 'known and unknown e-mails get the same answer');

  const mail = await smtp.waitFor((m) => m.to.includes(a.email));
  t.match(mail.subject, /reset/i);
  const { url, token } = linkToken(mail, '/admin/reset-password');
  t.ok(url.startsWith(`${PUBLIC_URL}/admin/reset-password?token=`), `the link is built from PUBLIC_URL: ${url}`);
  t.notMatch(mail.raw, /evil\.example\.com/, 'the forged host appears nowhere in the e-mail');
  t.notOk(smtp.messages.some((m) => m.to.includes(unknownEmail)), 'no e-mail goes to an unknown address');

  const { db, models } = s.app.charla.container.cradle;
  const rows = await db.withoutTenant('test: read reset rows', () => models.PasswordReset.findAll({ where: { userId: a.userId } }));
  t.equal(rows.length, 1);
  t.not(rows[0].tokenHash, token, 'the token is not stored as is');
  t.notOk(rows.some((r) => JSON.stringify(r.get({ plain: true })).includes(token)), 'the token is nowhere in the row');

  const reset = await s.request('POST', '/api/v1/auth/password/reset', { body: { token, password: 'brand new pw' } });
  t.equal(reset.status, 200, reset.text);
  t.same(reset.body, { email: a.email });
  expectProblem(t, await me(a.token), 401, 'CHARLA_CORE_UNAUTHORIZED', 'first session after reset');
  expectProblem(t, await me(second), 401, 'CHARLA_CORE_UNAUTHORIZED', 'second session after reset');
  t.equal((await s.request('POST', '/api/v1/auth/login', { body: { email: a.email, password: 'brand new pw' } })).status, 200, 'the new password works');
  expectProblem(t, await s.request('POST', '/api/v1/auth/login', { body: { email: a.email, password: a.password } }), 401, undefined, 'the old password no longer works');

  const again = await s.request('POST', '/api/v1/auth/password/reset', { body: { token, password: 'another pw 2' } });
  expectProblem(t, again, 400, 'CHARLA_CORE_RESET_TOKEN_INVALID', 'a used token');
  expectProblem(t, await s.request('POST', '/api/v1/auth/password/reset', { body: { token: 'x'.repeat(43), password: 'another pw 2' } }), 400, 'CHARLA_CORE_RESET_TOKEN_INVALID', 'an unknown token');
  expectProblem(t, await s.request('POST', '/api/v1/auth/password/forgot', { body: { email: 'not an email' } }), 400, 'CHARLA_CORE_VALIDATION', 'forgot with a malformed e-mail');
  expectProblem(t, await s.request('POST', '/api/v1/auth/password/forgot', { body: {} }), 400, 'CHARLA_CORE_VALIDATION', 'forgot without e-mail');
});

t.test('logout, password change and reset announce the ended sessions (sessions.revoked)', async (t) => {
  const { events } = s.app.charla.container.cradle;
  const a = await signup(s);
  const sid = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).sid as string;
  const mine = () => revoked.filter((e) => e.userId === a.userId);

  const second = await login(s, a.email, a.password);
  await s.request('POST', '/api/v1/auth/logout', { token: second });
  await events.drain();
  t.same(mine(), [{ accountId: a.accountId, userId: a.userId, sessionIds: [sid(second)] }], 'logout: this session (payloads travel as JSON: no undefined keys)');

  await s.request('POST', '/api/v1/auth/password/change', { token: a.token, body: { currentPassword: a.password, newPassword: 'changed pw 1' } });
  await events.drain();
  t.same(mine()[1], { accountId: a.accountId, userId: a.userId, sessionIds: 'all', exceptSessionId: sid(a.token) }, 'password change: all but this one');

  await s.request('POST', '/api/v1/auth/password/forgot', { body: { email: a.email } });
  const { token } = linkToken(await smtp.waitFor((m) => m.to.includes(a.email)), '/admin/reset-password');
  await s.request('POST', '/api/v1/auth/password/reset', { body: { token, password: 'changed pw 2' } });
  await events.drain();
  t.same(mine()[2], { accountId: a.accountId, userId: a.userId, sessionIds: 'all' }, 'reset: every session');
  t.equal(mine().length, 3);
});

t.test('a reset link expires after an hour', async (t) => {
  const a = await signup(s);
  t.equal((await s.request('POST', '/api/v1/auth/password/forgot', { body: { email: a.email } })).status, 202);
  const { token } = linkToken(await smtp.waitFor((m) => m.to.includes(a.email)), '/admin/reset-password');
  clock.advance(61 * 60 * 1000);
  expectProblem(t, await s.request('POST', '/api/v1/auth/password/reset', { body: { token, password: 'brand new pw' } }), 400, 'CHARLA_CORE_RESET_TOKEN_INVALID');
  t.equal((await me(a.token)).status, 200, 'a refused reset ends no session');
  t.equal((await s.request('POST', '/api/v1/auth/login', { body: { email: a.email, password: a.password } })).status, 200, 'the password is unchanged');
});

t.test('an agent session ends when it expires, checked on every request', async (t) => {
  const short = new ManualClock();
  const srv = await startTestServer({ plugins: [], clock: short, config: { sessionTtlSeconds: 3600 } });
  t.teardown(() => srv.close());
  const a = await signup(srv);
  t.equal((await srv.request('GET', '/api/v1/auth/me', { token: a.token })).status, 200);
  short.advance(3601 * 1000);
  expectProblem(t, await srv.request('GET', '/api/v1/auth/me', { token: a.token }), 401, 'CHARLA_CORE_UNAUTHORIZED');
});

function cookieOf(res: { headers: Record<string, unknown> }): { header: string; pair: string } {
  const raw = res.headers['set-cookie'];
  const header = (Array.isArray(raw) ? raw : [raw]).map(String).find((c) => c.startsWith('charla_session=')) ?? '';
  return { header, pair: header.split(';')[0] };
}

t.test('login sets an httpOnly SameSite=Lax session cookie (Secure on an https PUBLIC_URL)', async (t) => {
  const a = await signup(s);
  const res = await s.request('POST', '/api/v1/auth/login', { body: { email: a.email, password: a.password } });
  const { header, pair } = cookieOf(res);
  t.ok(header, 'a charla_session cookie is set');
  t.match(header, /;\s*HttpOnly/i);
  t.match(header, /;\s*SameSite=Lax/i);
  t.match(header, /;\s*Path=\//i);
  t.match(header, /;\s*Secure/i, 'Secure because PUBLIC_URL is https');
  t.equal(pair, `charla_session=${res.body.token}`);
});

t.test('cookie-authenticated writes need x-csrf-token; reads and Bearer writes do not', async (t) => {
  const plain = await startTestServer({ plugins: [], config: { publicUrl: 'http://localhost:3999' } });
  t.teardown(() => plain.close());
  const a = await signup(plain);
  const res = await plain.request('POST', '/api/v1/auth/login', { body: { email: a.email, password: a.password } });
  const { header, pair } = cookieOf(res);
  t.notMatch(header, /Secure/i, 'no Secure flag on an http PUBLIC_URL');
  const csrf = res.body.csrfToken as string;
  const cookie = { cookie: pair };

  const read = await plain.request('GET', '/api/v1/auth/me', { headers: cookie });
  t.equal(read.status, 200, 'a cookie read needs no CSRF header');
  t.equal(read.body.csrfToken, csrf);

  expectProblem(t, await plain.request('POST', '/api/v1/sites', { headers: cookie, body: { name: 'No header' } }), 403, 'CHARLA_CORE_CSRF_TOKEN_INVALID', 'no header');
  expectProblem(t, await plain.request('POST', '/api/v1/sites', { headers: { ...cookie, 'x-csrf-token': 'wrong' }, body: { name: 'Wrong' } }), 403, 'CHARLA_CORE_CSRF_TOKEN_INVALID', 'wrong header');
  expectProblem(t, await plain.request('POST', '/api/v1/sites', { headers: { ...cookie, 'x-csrf-token': a.csrfToken }, body: { name: 'Other session' } }), 403, 'CHARLA_CORE_CSRF_TOKEN_INVALID', 'csrf token of another session');
  expectProblem(t, await plain.request('PATCH', '/api/v1/account', { headers: cookie, body: { name: 'Renamed' } }), 403, 'CHARLA_CORE_CSRF_TOKEN_INVALID', 'PATCH without header');
  expectProblem(t, await plain.request('POST', '/api/v1/auth/logout', { headers: cookie }), 403, 'CHARLA_CORE_CSRF_TOKEN_INVALID', 'logout without header');
  t.equal((await plain.request('GET', '/api/v1/sites', { headers: cookie })).body.sites.length, 0, 'nothing was created without the header');

  const ok = await plain.request('POST', '/api/v1/sites', { headers: { ...cookie, 'x-csrf-token': csrf }, body: { name: 'With header' } });
  t.equal(ok.status, 201, ok.text);
  t.equal((await plain.request('POST', '/api/v1/sites', { token: a.token, body: { name: 'Bearer' } })).status, 201, 'Bearer writes need no CSRF header');
  const out = await plain.request('POST', '/api/v1/auth/logout', { headers: { ...cookie, 'x-csrf-token': csrf } });
  t.equal(out.status, 204);
  expectProblem(t, await plain.request('GET', '/api/v1/auth/me', { headers: cookie }), 401, 'CHARLA_CORE_UNAUTHORIZED', 'the cookie after logout');
});
