/**
 * Identity verification proves one value: the externalId (or the e-mail when no
 * externalId is sent). An attacker with a valid hash for its own externalId sends the
 * victim's e-mail beside it, or plants the victim's externalId before proving its own
 * e-mail; when the victim later logs in, nothing may merge the two. On a site that
 * requires verification, a name or attributes without a hash are refused (401).
 */
import { createHmac } from 'node:crypto';
import t from 'tap';
import { account, boot, initVisitor, isProblem, send } from './helpers.js';

t.test('an unproved field beside a valid hash never matches or merges a contact', async (t) => {
  const s = await boot();
  t.teardown(() => s.close());
  const a = await account(s, 'Keys');
  const secret = a.site.identityVerification.secret!;
  const hash = (v: string) => createHmac('sha256', secret).update(v).digest('hex');
  const victimEmail = 'victim@example.com';

  // Attack 1: the attacker's own externalId, hashed, with the victim's e-mail beside it.
  const attacker = await initVisitor(s, a.site.appId, { user: { externalId: 'attacker-1', email: victimEmail, userHash: hash('attacker-1') } });
  // The victim logs in on a site that hashes the e-mail of users without an externalId.
  const victim = await initVisitor(s, a.site.appId, { user: { email: victimEmail, userHash: hash(victimEmail) } });
  t.not(victim.id, attacker.id, 'the victim is not merged into the attacker\'s contact');
  await send(s, victim.token, 'victim secret order 1');
  const seen = await s.request('GET', '/api/v1/widget/conversations', { token: attacker.token });
  t.equal(seen.status, 200);
  t.notOk(seen.text.includes('victim secret'), 'the attacker\'s token reads nothing of the victim');
  const again = await initVisitor(s, a.site.appId, { user: { email: victimEmail, userHash: hash(victimEmail) } });
  t.equal(again.id, victim.id, 'the victim\'s proved e-mail finds the victim again');

  // Attack 2: plant the victim's externalId while anonymous, then prove an own e-mail.
  const anon = await initVisitor(s, a.site.appId, { user: { externalId: 'victim-ext' } });
  const proved = await s.request('POST', '/api/v1/widget/identify', { token: anon.token, body: { email: 'attacker@example.com', userHash: hash('attacker@example.com') } });
  t.equal(proved.status, 200);
  const planted = await s.request('GET', `/api/v1/inbox/visitors/${proved.body.visitor.id}`, { token: a.owner.token });
  t.equal(planted.body.verified, true);
  t.equal(planted.body.externalId, null, 'a contact proved by e-mail keeps no unproved externalId');
  const realVictim = await initVisitor(s, a.site.appId, { user: { externalId: 'victim-ext', userHash: hash('victim-ext') } });
  t.not(realVictim.id, proved.body.visitor.id, 'the victim\'s externalId login does not join the attacker');
  await send(s, realVictim.token, 'victim secret order 2');
  const seen2 = await s.request('GET', '/api/v1/widget/conversations', { token: proved.body.visitorToken });
  t.notOk(seen2.text.includes('victim secret'), 'the attacker reads nothing of the victim');

  // Attack 3: a typed e-mail on an already verified contact never replaces a proved one.
  const typed = await s.request('POST', '/api/v1/widget/identify', { token: again.token, body: { email: victimEmail, name: 'Victim', userHash: hash(victimEmail) } });
  t.equal(typed.status, 200);
  const byExt = await initVisitor(s, a.site.appId, { user: { externalId: 'third', email: victimEmail, userHash: hash('third') } });
  t.not(byExt.id, victim.id, 'an externalId login naming the victim\'s e-mail is its own contact');
});

t.test('identityVerification.required: no identity fields without a valid hash', async (t) => {
  const s = await boot();
  t.teardown(() => s.close());
  const a = await account(s, 'Required');
  const patched = await s.request('PATCH', `/api/v1/sites/${a.site.id}`, { token: a.owner.token, body: { identityVerification: { required: true } } });
  t.equal(patched.status, 200);
  const enterprise = { name: 'Big Corp CTO', attributes: { plan: 'enterprise' } };
  const init = await s.request('POST', '/api/v1/widget/init', { body: { appId: a.site.appId, user: enterprise } });
  t.ok(isProblem(init, [401]), `init with a name and attributes but no hash: 401 (${init.status})`);
  for (const body of [enterprise, { name: 'Only a name' }, { attributes: { plan: 'enterprise' } }]) {
    const anon = await initVisitor(s, a.site.appId);
    const r = await s.request('POST', '/api/v1/widget/identify', { token: anon.token, body });
    t.ok(isProblem(r, [401]), `identify ${JSON.stringify(body)}: 401 (${r.status})`);
    const view = await s.request('GET', `/api/v1/inbox/visitors/${anon.id}`, { token: a.owner.token });
    t.ok(view.body.name === null && Object.keys(view.body.attributes).length === 0, 'the visitor got no name and no attributes');
  }
});
