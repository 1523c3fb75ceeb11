import t from 'tap';
import { ManualClock } from '@charla/core';
import { signup, startSmtpServer, startTestServer } from '@charla/core/testing';
import { expectProblem } from './expect-problem.js';
import { addMember, inviteAndReadToken, linkToken, login, uniqueEmail } from './team-fixtures.js';

// API.md "Accounts and team": invitations by e-mail, roles, removal, the last owner,
// the account itself.

const PUBLIC_URL = 'http://charla.example.test:8080';
const clock = new ManualClock();
const smtp = await startSmtpServer();
// Sessions outlive the 7-day invitations so the clock can pass an invitation's expiry.
const s = await startTestServer({ plugins: [], clock, config: { smtpUrl: smtp.url, publicUrl: PUBLIC_URL, sessionTtlSeconds: 30 * 24 * 3600 } });
t.teardown(async () => {
  await s.close();
  await smtp.close();
});

const me = (token: string) => s.request('GET', '/api/v1/auth/me', { token });
const members = async (token: string) => (await s.request('GET', '/api/v1/team/members', { token })).body.members as Array<{ id: string; role: string; email: string }>;

t.test('invite by e-mail → the e-mail links to the admin → accept → the new member logs in', async (t) => {
  const a = await signup(s, 'Invite Co');
  const email = uniqueEmail('New.Agent');
  const res = await s.request('POST', '/api/v1/team/invitations', { token: a.token, body: { email: email.toUpperCase(), role: 'agent' } });
  t.equal(res.status, 201, res.text);
  t.match(res.body, { id: String, email: email.toLowerCase(), role: 'agent', expiresAt: String, createdAt: String });
  t.notOk('token' in res.body || 'tokenHash' in res.body, 'the invitation token is only in the e-mail');
  t.ok(Date.parse(res.body.expiresAt) > clock.now().getTime() + 6 * 24 * 3600e3, 'valid for about a week');

  const mail = await smtp.waitFor((m) => m.to.includes(email.toLowerCase()));
  t.match(mail.subject, /Invite Co/);
  const { url, token } = linkToken(mail, '/admin/accept-invitation');
  t.ok(url.startsWith(`${PUBLIC_URL}/admin/accept-invitation?token=`), url);

  const list = await s.request('GET', '/api/v1/team/invitations', { token: a.token });
  t.equal(list.status, 200);
  t.same(list.body.invitations.map((i: { id: string }) => i.id), [res.body.id], 'listed as pending');

  const accept = await s.request('POST', '/api/v1/auth/invitations/accept', { body: { token, name: ' Grace ', password: 'grace password' } });
  t.equal(accept.status, 201, accept.text);
  t.match(accept.body, { token: String, csrfToken: String, user: { id: String, name: 'Grace', email: email.toLowerCase(), role: 'agent' }, account: { id: a.accountId } });
  t.match(String(accept.headers['set-cookie']), /charla_session=/, 'accept sets the session cookie');
  t.equal((await me(accept.body.token)).body.user.role, 'agent');

  const logged = await s.request('POST', '/api/v1/auth/login', { body: { email, password: 'grace password' } });
  t.equal(logged.status, 200);
  t.equal(logged.body.account.id, a.accountId, 'the new member logs in to the inviting account');
  t.ok((await members(a.token)).some((m) => m.id === accept.body.user.id && m.role === 'agent'), 'listed as a member');
  t.same((await s.request('GET', '/api/v1/team/invitations', { token: a.token })).body.invitations, [], 'no longer pending');

  expectProblem(t, await s.request('POST', '/api/v1/auth/invitations/accept', { body: { token, name: 'Again', password: 'grace password' } }), 400, 'CHARLA_CORE_INVITATION_INVALID', 'a used invitation');
  expectProblem(t, await s.request('POST', '/api/v1/auth/invitations/accept', { body: { token: 'x'.repeat(43), name: 'X', password: 'quiet-harbor-lamp-42' } }), 400, 'CHARLA_CORE_INVITATION_INVALID', 'an unknown token');
  expectProblem(t, await s.request('POST', '/api/v1/auth/invitations/accept', { body: { token, name: 'X', password: 'short' } }), 400, 'CHARLA_CORE_VALIDATION', 'a short password');
});

t.test('only owners and admins invite; admins cannot invite owners', async (t) => {
  const a = await signup(s);
  const admin = await addMember(s, smtp, a.token, 'admin');
  const agent = await addMember(s, smtp, a.token, 'agent');
  expectProblem(t, await s.request('POST', '/api/v1/team/invitations', { token: agent.token, body: { email: uniqueEmail(), role: 'agent' } }), 403, 'CHARLA_CORE_FORBIDDEN', 'agent invites');
  expectProblem(t, await s.request('GET', '/api/v1/team/invitations', { token: agent.token }), 403, 'CHARLA_CORE_FORBIDDEN', 'agent lists invitations');
  expectProblem(t, await s.request('POST', '/api/v1/team/invitations', { token: admin.token, body: { email: uniqueEmail(), role: 'owner' } }), 403, 'CHARLA_CORE_ROLE_FORBIDDEN', 'admin invites an owner');
  t.equal((await s.request('POST', '/api/v1/team/invitations', { token: admin.token, body: { email: uniqueEmail(), role: 'admin' } })).status, 201, 'admin invites an admin');
  t.equal((await s.request('POST', '/api/v1/team/invitations', { token: a.token, body: { email: uniqueEmail(), role: 'owner' } })).status, 201, 'owner invites an owner');
  expectProblem(t, await s.request('POST', '/api/v1/team/invitations', { body: { email: uniqueEmail(), role: 'agent' } }), 401, 'CHARLA_CORE_UNAUTHORIZED', 'anonymous');
  expectProblem(t, await s.request('POST', '/api/v1/team/invitations', { token: a.token, body: { email: uniqueEmail(), role: 'superuser' } }), 400, 'CHARLA_CORE_VALIDATION', 'unknown role');
  expectProblem(t, await s.request('POST', '/api/v1/team/invitations', { token: a.token, body: { email: 'nope', role: 'agent' } }), 400, 'CHARLA_CORE_VALIDATION', 'bad e-mail');
});

t.test('an e-mail that already has a user cannot be invited (409)', async (t) => {
  const a = await signup(s);
  const b = await signup(s);
  const agent = await addMember(s, smtp, a.token, 'agent');
  expectProblem(t, await s.request('POST', '/api/v1/team/invitations', { token: a.token, body: { email: agent.email.toUpperCase(), role: 'admin' } }), 409, 'CHARLA_CORE_ALREADY_MEMBER', 'a member');
  expectProblem(t, await s.request('POST', '/api/v1/team/invitations', { token: a.token, body: { email: b.email, role: 'agent' } }), 409, 'CHARLA_CORE_ALREADY_MEMBER', 'a user of another account');
});

t.test('cancel an invitation: 204, its link stops working, a second cancel is 404; a new invitation replaces the pending one', async (t) => {
  const a = await signup(s);
  const first = await inviteAndReadToken(s, smtp, a.token, 'agent');
  const del = await s.request('DELETE', `/api/v1/team/invitations/${first.invitationId}`, { token: a.token });
  t.equal(del.status, 204);
  expectProblem(t, await s.request('DELETE', `/api/v1/team/invitations/${first.invitationId}`, { token: a.token }), 404, 'CHARLA_CORE_INVITATION_NOT_FOUND', 'second cancel');
  expectProblem(t, await s.request('POST', '/api/v1/auth/invitations/accept', { body: { token: first.token, name: 'X', password: 'quiet-harbor-lamp-42' } }), 400, 'CHARLA_CORE_INVITATION_INVALID', 'cancelled link');

  const email = uniqueEmail('twice');
  const one = await inviteAndReadToken(s, smtp, a.token, 'agent', email);
  smtp.messages.splice(0, smtp.messages.length);
  const two = await inviteAndReadToken(s, smtp, a.token, 'admin', email);
  const pending = (await s.request('GET', '/api/v1/team/invitations', { token: a.token })).body.invitations as Array<{ id: string; email: string; role: string }>;
  t.same(pending.map((i) => [i.email, i.role]), [[email, 'admin']], 'one pending invitation per e-mail, the latest');
  expectProblem(t, await s.request('POST', '/api/v1/auth/invitations/accept', { body: { token: one.token, name: 'X', password: 'quiet-harbor-lamp-42' } }), 400, 'CHARLA_CORE_INVITATION_INVALID', 'the replaced link');
  const ok = await s.request('POST', '/api/v1/auth/invitations/accept', { body: { token: two.token, name: 'X', password: 'quiet-harbor-lamp-42' } });
  t.equal(ok.body.user.role, 'admin');
});

t.test('an invitation expires after 7 days', async (t) => {
  const a = await signup(s);
  const inv = await inviteAndReadToken(s, smtp, a.token, 'agent');
  clock.advance(7 * 24 * 3600e3 + 60e3);
  t.same((await s.request('GET', '/api/v1/team/invitations', { token: a.token })).body.invitations, [], 'no longer listed');
  expectProblem(t, await s.request('POST', '/api/v1/auth/invitations/accept', { body: { token: inv.token, name: 'Late', password: 'quiet-harbor-lamp-42' } }), 400, 'CHARLA_CORE_INVITATION_INVALID');
});

t.test('changing a role ends the member\'s sessions at once; the next login carries the new role', async (t) => {
  const a = await signup(s);
  const agent = await addMember(s, smtp, a.token, 'agent');
  const second = await login(s, agent.email, agent.password);
  const res = await s.request('PATCH', `/api/v1/team/members/${agent.userId}`, { token: a.token, body: { role: 'admin' } });
  t.equal(res.status, 200, res.text);
  t.match(res.body, { id: agent.userId, email: agent.email, role: 'admin' });
  expectProblem(t, await me(agent.token), 401, 'CHARLA_CORE_UNAUTHORIZED', 'their old token');
  expectProblem(t, await me(second), 401, 'CHARLA_CORE_UNAUTHORIZED', 'their other session');
  t.equal((await me(a.token)).status, 200, 'the owner\'s session goes on');
  const fresh = await login(s, agent.email, agent.password);
  t.equal((await me(fresh)).body.user.role, 'admin');
  t.equal((await s.request('GET', '/api/v1/team/invitations', { token: fresh })).status, 200, 'the new role applies');

  const same = await s.request('PATCH', `/api/v1/team/members/${agent.userId}`, { token: a.token, body: { role: 'admin' } });
  t.equal(same.status, 200, 'setting the same role is a no-op');
  t.equal((await me(fresh)).status, 200, '…and ends no session');
});

t.test('who may change roles: not agents, admins not to or from owner', async (t) => {
  const a = await signup(s);
  const admin = await addMember(s, smtp, a.token, 'admin');
  const agent = await addMember(s, smtp, a.token, 'agent');
  const other = await addMember(s, smtp, a.token, 'agent');
  expectProblem(t, await s.request('PATCH', `/api/v1/team/members/${other.userId}`, { token: agent.token, body: { role: 'admin' } }), 403, 'CHARLA_CORE_FORBIDDEN', 'agent changes a role');
  expectProblem(t, await s.request('PATCH', `/api/v1/team/members/${other.userId}`, { token: admin.token, body: { role: 'owner' } }), 403, 'CHARLA_CORE_ROLE_FORBIDDEN', 'admin makes an owner');
  expectProblem(t, await s.request('PATCH', `/api/v1/team/members/${a.userId}`, { token: admin.token, body: { role: 'agent' } }), 403, 'CHARLA_CORE_ROLE_FORBIDDEN', 'admin demotes the owner');
  expectProblem(t, await s.request('DELETE', `/api/v1/team/members/${a.userId}`, { token: admin.token }), 403, 'CHARLA_CORE_ROLE_FORBIDDEN', 'admin removes the owner');
  t.equal((await me(a.token)).body.user.role, 'owner', 'the owner is untouched');
  t.equal((await s.request('PATCH', `/api/v1/team/members/${other.userId}`, { token: admin.token, body: { role: 'admin' } })).status, 200, 'admin promotes an agent to admin');
  expectProblem(t, await s.request('PATCH', `/api/v1/team/members/${other.userId}`, { token: a.token, body: { role: 'root' } }), 400, 'CHARLA_CORE_VALIDATION', 'unknown role');
  expectProblem(t, await s.request('PATCH', `/api/v1/team/members/${other.userId}`, { token: a.token, body: {} }), 400, 'CHARLA_CORE_VALIDATION', 'no role');
  expectProblem(t, await s.request('PATCH', '/api/v1/team/members/0190f5c8-0000-7000-8000-000000000000', { token: a.token, body: { role: 'agent' } }), 404, 'CHARLA_CORE_MEMBER_NOT_FOUND', 'unknown member');
});

t.test('the last owner cannot be demoted or removed (409); with a second owner they can', async (t) => {
  const a = await signup(s);
  expectProblem(t, await s.request('PATCH', `/api/v1/team/members/${a.userId}`, { token: a.token, body: { role: 'admin' } }), 409, 'CHARLA_CORE_LAST_OWNER', 'demote self');
  expectProblem(t, await s.request('DELETE', `/api/v1/team/members/${a.userId}`, { token: a.token }), 409, 'CHARLA_CORE_LAST_OWNER', 'remove self');
  t.equal((await me(a.token)).body.user.role, 'owner');
  const second = await addMember(s, smtp, a.token, 'owner');
  const demote = await s.request('PATCH', `/api/v1/team/members/${a.userId}`, { token: second.token, body: { role: 'admin' } });
  t.equal(demote.status, 200, demote.text);
  expectProblem(t, await s.request('DELETE', `/api/v1/team/members/${second.userId}`, { token: second.token }), 409, 'CHARLA_CORE_LAST_OWNER', 'the new last owner');
  expectProblem(t, await s.request('PATCH', `/api/v1/team/members/${second.userId}`, { token: second.token, body: { role: 'agent' } }), 409, 'CHARLA_CORE_LAST_OWNER');
  const owners = (await members(second.token)).filter((m) => m.role === 'owner');
  t.same(owners.map((m) => m.id), [second.userId]);
});

t.test('two owners demoting or removing each other at the same moment still leave one owner', async (t) => {
  for (const action of ['demote', 'remove'] as const) {
    const a = await signup(s);
    const second = await addMember(s, smtp, a.token, 'owner');
    const act = (token: string, target: string) => action === 'demote'
      ? s.request('PATCH', `/api/v1/team/members/${target}`, { token, body: { role: 'agent' } })
      : s.request('DELETE', `/api/v1/team/members/${target}`, { token });
    const results = await Promise.all([act(a.token, second.userId), act(second.token, a.userId)]);
    const statuses = results.map((r) => r.status).sort();
    t.same(statuses, action === 'demote' ? [200, 409] : [204, 409], `${action}: one succeeds, the other is refused (${results.map((r) => r.text).join(' | ')})`);
    const { db, models } = s.app.charla.container.cradle;
    t.equal(await db.scope(a.accountId).count(models.User, { where: { role: 'owner' } }), 1, `${action}: exactly one owner is left`);
  }
});

t.test('an invitation accepted twice at the same moment makes one member', async (t) => {
  const a = await signup(s);
  const inv = await inviteAndReadToken(s, smtp, a.token, 'agent');
  const results = await Promise.all([0, 1].map((i) => s.request('POST', '/api/v1/auth/invitations/accept', { body: { token: inv.token, name: `Racer ${i}`, password: 'quiet-harbor-lamp-42' } })));
  t.same(results.map((r) => r.status).sort(), [201, 400], results.map((r) => r.text).join(' | '));
  t.equal((await members(a.token)).filter((m) => m.email === inv.email).length, 1);
});

t.test('removing a member: 204, their sessions end, they cannot log in, they leave the list', async (t) => {
  const a = await signup(s);
  const agent = await addMember(s, smtp, a.token, 'agent');
  const admin = await addMember(s, smtp, a.token, 'admin');
  expectProblem(t, await s.request('DELETE', `/api/v1/team/members/${admin.userId}`, { token: agent.token }), 403, 'CHARLA_CORE_FORBIDDEN', 'agent removes');
  const res = await s.request('DELETE', `/api/v1/team/members/${agent.userId}`, { token: admin.token });
  t.equal(res.status, 204);
  expectProblem(t, await me(agent.token), 401, 'CHARLA_CORE_UNAUTHORIZED', 'removed member\'s token');
  expectProblem(t, await s.request('POST', '/api/v1/auth/login', { body: { email: agent.email, password: agent.password } }), 401, 'CHARLA_CORE_BAD_CREDENTIALS', 'removed member logs in');
  t.notOk((await members(a.token)).some((m) => m.id === agent.userId));
  expectProblem(t, await s.request('DELETE', `/api/v1/team/members/${agent.userId}`, { token: a.token }), 404, 'CHARLA_CORE_MEMBER_NOT_FOUND', 'second removal');
  const again = await s.request('POST', '/api/v1/team/invitations', { token: a.token, body: { email: agent.email, role: 'agent' } });
  t.equal(again.status, 201, 'a removed member can be invited again');
});

t.test('members list: every member with role and createdAt, owner first', async (t) => {
  const a = await signup(s);
  const agent = await addMember(s, smtp, a.token, 'agent');
  const res = await s.request('GET', '/api/v1/team/members', { token: agent.token });
  t.equal(res.status, 200);
  t.match(res.body.members, [{ id: a.userId, role: 'owner', email: a.email, name: String, createdAt: String }, { id: agent.userId, role: 'agent' }]);
  t.equal(res.body.members.length, 2);
  t.notOk(JSON.stringify(res.body).includes('password'), 'no password hashes');
});

t.test('GET /account for every member; PATCH /account {name} for owners and admins', async (t) => {
  const a = await signup(s, 'Old Name');
  const agent = await addMember(s, smtp, a.token, 'agent');
  const admin = await addMember(s, smtp, a.token, 'admin');
  const got = await s.request('GET', '/api/v1/account', { token: agent.token });
  t.equal(got.status, 200);
  t.match(got.body, { id: a.accountId, name: /^Old Name/, plan: String });
  const renamed = await s.request('PATCH', '/api/v1/account', { token: admin.token, body: { name: '  New Name  ' } });
  t.equal(renamed.status, 200, renamed.text);
  t.same(renamed.body, { id: a.accountId, name: 'New Name', plan: got.body.plan });
  t.equal((await s.request('GET', '/api/v1/account', { token: a.token })).body.name, 'New Name', 'persisted');
  expectProblem(t, await s.request('PATCH', '/api/v1/account', { token: agent.token, body: { name: 'Agent Name' } }), 403, 'CHARLA_CORE_FORBIDDEN', 'agent renames');
  for (const name of ['', '   ', 42, null, ['x'], { x: 1 }, 'x'.repeat(201)]) {
    expectProblem(t, await s.request('PATCH', '/api/v1/account', { token: a.token, body: { name } }), 400, 'CHARLA_CORE_VALIDATION', `name ${JSON.stringify(name).slice(0, 20)}`);
  }
  t.equal((await s.request('GET', '/api/v1/account', { token: a.token })).body.name, 'New Name', 'unchanged by refused renames');
  expectProblem(t, await s.request('GET', '/api/v1/account'), 401, 'CHARLA_CORE_UNAUTHORIZED', 'anonymous');
});
