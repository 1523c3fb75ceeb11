/**
 * Account hygiene: a used reset link retires the others; an invitation is worth what
 * its sender could grant today (removed or demoted admins' invitations stop working);
 * common passwords are refused with a clear 400; `GET /auth/me` does not count against
 * the per-IP limit of credential requests.
 */
import t from 'tap';
import { account, addMember, boot, bootWithSmtp, isProblem, linkToken, login, uniqueEmail } from './helpers.js';

const STRONG = 'quiet-harbor-lamp-42';

t.test('a password reset retires every other reset link', async (t) => {
  const { s, smtp } = await bootWithSmtp(t);
  const a = await account(s, 'Reset');
  const links: string[] = [];
  for (let i = 0; i < 2; i++) {
    t.equal((await s.request('POST', '/api/v1/auth/password/forgot', { body: { email: a.owner.email } })).status, 202);
    const mail = await smtp.waitFor((m) => m.to.includes(a.owner.email) && /reset-password/.test(m.text) && !links.includes(linkToken(m, '/admin/reset-password')));
    links.push(linkToken(mail, '/admin/reset-password'));
  }
  t.equal((await s.request('POST', '/api/v1/auth/password/reset', { body: { token: links[1], password: STRONG } })).status, 200, 'the newest link resets');
  const old = await s.request('POST', '/api/v1/auth/password/reset', { body: { token: links[0], password: 'attacker-owns-this-9' } });
  t.ok(isProblem(old, [400]), `the older link no longer works (${old.status})`);
  t.equal((await s.request('POST', '/api/v1/auth/login', { body: { email: a.owner.email, password: STRONG } })).status, 200, 'the reset password stands');

  // A password change retires pending links too.
  await s.request('POST', '/api/v1/auth/password/forgot', { body: { email: a.owner.email } });
  const pending = linkToken(await smtp.waitFor((m) => m.to.includes(a.owner.email) && !links.includes(linkToken(m, '/admin/reset-password'))), '/admin/reset-password');
  const session = await login(s, a.owner.email, STRONG);
  t.equal((await s.request('POST', '/api/v1/auth/password/change', { token: session.token, body: { currentPassword: STRONG, newPassword: 'second-quiet-harbor-7' } })).status, 204);
  t.ok(isProblem(await s.request('POST', '/api/v1/auth/password/reset', { body: { token: pending, password: 'attacker-owns-this-9' } }), [400]), 'a link sent before a password change no longer works');
});

t.test('invitations of a removed or demoted admin cannot be accepted with their role', async (t) => {
  const { s, smtp } = await bootWithSmtp(t);
  const a = await account(s, 'Invites');
  const invite = async (by: string, role: string) => {
    const email = uniqueEmail('invitee');
    const r = await s.request('POST', '/api/v1/team/invitations', { token: by, body: { email, role } });
    if (r.status !== 201) throw new Error(`invite ${r.status} ${r.text}`);
    return linkToken(await smtp.waitFor((m) => m.to.includes(email.toLowerCase())), '/admin/accept-invitation');
  };
  const accept = (token: string) => s.request('POST', '/api/v1/auth/invitations/accept', { body: { token, name: 'Invitee', password: STRONG } });

  const removed = await addMember(s, smtp, a.owner.token, 'admin');
  const fromRemoved = await invite(removed.token, 'admin');
  t.equal((await s.request('DELETE', `/api/v1/team/members/${removed.userId}`, { token: a.owner.token })).status, 204);
  const r1 = await accept(fromRemoved);
  t.ok(isProblem(r1, [400]), `a removed admin's invitation: refused (${r1.status})`);

  const demoted = await addMember(s, smtp, a.owner.token, 'admin');
  const fromDemoted = await invite(demoted.token, 'admin');
  t.equal((await s.request('PATCH', `/api/v1/team/members/${demoted.userId}`, { token: a.owner.token, body: { role: 'agent' } })).status, 200);
  const r2 = await accept(fromDemoted);
  t.ok(isProblem(r2, [400]), `a demoted admin's invitation: refused (${r2.status})`);
  t.match(r2.body?.detail, /no longer valid/);

  const members = await s.request('GET', '/api/v1/team/members', { token: a.owner.token });
  t.notOk(members.body.members.some((m: { name: string }) => m.name === 'Invitee'), 'nobody joined through them');
  const current = await addMember(s, smtp, a.owner.token, 'admin');
  t.equal((await accept(await invite(current.token, 'agent'))).status, 201, 'a current admin\'s invitation works');
});

t.test('weak passwords are refused with a clear 400', async (t) => {
  const { s, smtp } = await bootWithSmtp(t);
  const a = await account(s, 'Weak');
  for (const password of ['password', '12345678', '        ', 'qwerty123', 'iloveyou']) {
    const r = await s.request('POST', '/api/v1/auth/signup', { body: { accountName: 'W', name: 'W', email: uniqueEmail('weak'), password } });
    t.ok(isProblem(r, [400]) && r.body.code === 'CHARLA_CORE_WEAK_PASSWORD', `signup with ${JSON.stringify(password)}: 400 (${r.status} ${r.body?.code})`);
    t.match(r.body?.detail, /too weak: /, 'the detail says why');
  }
  const session = await login(s, a.owner.email, a.owner.password);
  t.equal((await s.request('POST', '/api/v1/auth/password/change', { token: session.token, body: { currentPassword: a.owner.password, newPassword: 'password1' } })).body?.code, 'CHARLA_CORE_WEAK_PASSWORD', 'password change: refused');
  await s.request('POST', '/api/v1/auth/password/forgot', { body: { email: a.owner.email } });
  const token = linkToken(await smtp.waitFor((m) => m.to.includes(a.owner.email)), '/admin/reset-password');
  t.equal((await s.request('POST', '/api/v1/auth/password/reset', { body: { token, password: '11111111' } })).body?.code, 'CHARLA_CORE_WEAK_PASSWORD', 'reset: refused');
  t.equal((await s.request('POST', '/api/v1/auth/password/reset', { body: { token, password: STRONG } })).status, 200, 'the link still works with a strong password');
});

t.test('GET /auth/me does not count against the per-IP auth limit', async (t) => {
  const s = await boot({ config: { rateLimits: { authPerIp: { max: 4, windowSeconds: 60 } } as never } });
  t.teardown(() => s.close());
  const a = await account(s, 'NAT');
  const statuses: number[] = [];
  for (let i = 0; i < 20; i++) statuses.push((await s.request('GET', '/api/v1/auth/me', { token: a.owner.token })).status);
  t.ok(statuses.every((x) => x === 200), '20 × /me from one address: all 200');
  t.equal((await s.request('POST', '/api/v1/auth/login', { body: { email: a.owner.email, password: a.owner.password } })).status, 200, 'a colleague behind the same address can still log in');
});
