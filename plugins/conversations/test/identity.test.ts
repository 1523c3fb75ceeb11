import t from 'tap';
import { userHashFor } from '../src/server/index.js';
import { account, boot, initVisitor, isProblem, reply, send } from './contract-helpers.js';

t.test('identity verification (userHash)', async (t) => {
  const s = await boot();
  t.teardown(() => s.close());
  const A = await account(s);
  const other = await account(s);

  const patched = await s.request('PATCH', `/api/v1/sites/${A.site.id}`, { token: A.owner.token, body: { identityVerification: { required: true } } });
  t.equal(patched.status, 200);
  t.equal(patched.body.identityVerification.required, true);
  const secret: string = patched.body.identityVerification.secret;
  t.match(secret, /^[0-9a-f]{64}$/, 'the owner sees the secret');
  const otherSecret = other.site.identityVerification.secret!;
  const appId = A.site.appId;

  t.test('a correct hash verifies; another device with the same user gets the same visitor and history', async (t) => {
    const user = { externalId: 'user-42', email: 'ada@example.com', name: 'Ada', userHash: userHashFor(secret, 'user-42') };
    const laptop = await initVisitor(s, appId, { user });
    const m = await send(s, laptop.token, 'from my laptop');
    await reply(s, A.owner.token, m.conversation.id, 'hello Ada');
    const agentView = await s.request('GET', `/api/v1/inbox/visitors/${laptop.id}`, { token: A.owner.token });
    t.equal(agentView.body.verified, true, 'verified');
    t.equal(agentView.body.externalId, 'user-42');

    const phone = await initVisitor(s, appId, { user });
    t.equal(phone.id, laptop.id, 'the same visitor on another device');
    t.same(phone.init.conversations.map((c: { id: string }) => c.id), [m.conversation.id], 'with its conversations');
    const hist = await s.request('GET', `/api/v1/widget/conversations/${m.conversation.id}/messages`, { token: phone.token });
    t.equal(hist.status, 200);
    t.same(hist.body.messages.map((x: { content: string }) => x.content), ['from my laptop', 'hello Ada'], 'and its history');
    const stillLaptop = await s.request('GET', '/api/v1/widget/conversations', { token: laptop.token });
    t.equal(stillLaptop.status, 200, 'the first device keeps working');

    // An anonymous visitor that logs in with a valid hash joins the contact; its conversations follow.
    const anon = await initVisitor(s, appId);
    const anonMsg = await send(s, anon.token, 'asked before logging in');
    const joined = await initVisitor(s, appId, { visitorToken: anon.token, user });
    t.equal(joined.id, laptop.id, 'joins the verified contact');
    t.ok(joined.init.conversations.some((c: { id: string }) => c.id === anonMsg.conversation.id), 'the anonymous conversation follows');
    isProblem(t, await s.request('GET', '/api/v1/widget/conversations', { token: anon.token }), 401, 'the anonymous token is retired');

    // Verification by e-mail alone.
    const byEmail = await initVisitor(s, appId, { user: { email: 'grace@example.com', userHash: userHashFor(secret, 'grace@example.com') } });
    const byEmail2 = await initVisitor(s, appId, { user: { email: 'grace@example.com', userHash: userHashFor(secret, 'grace@example.com') } });
    t.equal(byEmail2.id, byEmail.id, 'e-mail verified contact is found again');
  });

  t.test('wrong, missing, empty, wrong-length and foreign hashes → 401 (never 500)', async (t) => {
    const id = 'user-77';
    const cases: Array<[string, Record<string, unknown>]> = [
      ['wrong hash', { externalId: id, userHash: userHashFor(secret, 'someone-else') }],
      ['missing hash', { externalId: id }],
      ['empty hash', { externalId: id, userHash: '' }],
      ['short hash', { externalId: id, userHash: 'abc123' }],
      ['long hash', { externalId: id, userHash: userHashFor(secret, id) + '00' }],
      ['non-hex of the right length', { externalId: id, userHash: 'z'.repeat(64) }],
      ['multibyte of the right byte length', { externalId: id, userHash: 'é'.repeat(32) }],
      ['another site\'s hash', { externalId: id, userHash: userHashFor(otherSecret, id) }],
      ['e-mail without hash', { email: 'x@example.com' }],
      ['e-mail with the hash of the externalId of someone else', { email: 'x@example.com', userHash: userHashFor(secret, 'y@example.com') }],
    ];
    for (const [label, user] of cases) {
      const r = await s.request('POST', '/api/v1/widget/init', { body: { appId, user } });
      isProblem(t, r, 401, label);
    }
    // identify on the same site follows the same rule.
    const v = await initVisitor(s, appId);
    for (const [label, user] of cases) {
      const r = await s.request('POST', '/api/v1/widget/identify', { token: v.token, body: user });
      isProblem(t, r, 401, `identify: ${label}`);
    }
    const ok = await s.request('POST', '/api/v1/widget/identify', { token: v.token, body: { externalId: id, userHash: userHashFor(secret, id).toUpperCase() } });
    t.equal(ok.status, 200, 'a correct hash (any hex case) identifies');
    // Required means required: a name or attributes alone are identity data too.
    const anon = await initVisitor(s, appId);
    isProblem(t, await s.request('POST', '/api/v1/widget/identify', { token: anon.token, body: { name: 'Just a name' } }), 401, 'a name alone without a hash: 401');
  });

  t.test('a site that does not require verification never attaches an unverified identity to a verified contact', async (t) => {
    const B = await account(s);
    const secretB = B.site.identityVerification.secret!;
    t.equal(B.site.identityVerification.required, false);
    const user = { externalId: 'vip', email: 'vip@example.com' };
    const real = await initVisitor(s, B.site.appId, { user: { ...user, userHash: userHashFor(secretB, 'vip') } });
    const m = await send(s, real.token, 'my private order #1234');
    const again = await initVisitor(s, B.site.appId, { user: { ...user, userHash: userHashFor(secretB, 'vip') } });
    t.equal(again.id, real.id, 'with the hash: the contact');

    const noHash = await initVisitor(s, B.site.appId, { user });
    t.not(noHash.id, real.id, 'init without hash: another visitor');
    t.same(noHash.init.conversations, [], 'with none of the contact\'s conversations');
    const badHash = await initVisitor(s, B.site.appId, { user: { ...user, userHash: 'f'.repeat(64) } });
    t.not(badHash.id, real.id, 'a wrong hash on a non-verifying site: another visitor');

    const anon = await initVisitor(s, B.site.appId);
    const ident = await s.request('POST', '/api/v1/widget/identify', { token: anon.token, body: user });
    t.equal(ident.status, 200);
    t.not(ident.body.visitor.id, real.id, 'identify without hash: not the contact');
    const hist = await s.request('GET', `/api/v1/widget/conversations/${m.conversation.id}/messages`, { token: ident.body.visitorToken });
    isProblem(t, hist, 404, 'no access to the contact\'s conversation');
    const list = await s.request('GET', '/api/v1/widget/conversations', { token: ident.body.visitorToken });
    t.same(list.body.conversations, []);
    const sendInto = await s.request('POST', '/api/v1/widget/messages', { token: ident.body.visitorToken, body: { conversationId: m.conversation.id, content: 'let me in', clientId: 'x-1' } });
    isProblem(t, sendInto, 404, 'cannot post into it');

    const contact = await s.request('GET', `/api/v1/inbox/visitors/${real.id}`, { token: B.owner.token });
    t.equal(contact.body.email, 'vip@example.com', 'the verified contact is unchanged');
    t.equal(contact.body.verified, true);
    const impostor = await s.request('GET', `/api/v1/inbox/visitors/${ident.body.visitor.id}`, { token: B.owner.token });
    t.equal(impostor.body.verified, false, 'the unverified visitor stays unverified');

    // The verified visitor identifying as someone else without a hash does not rewrite the contact.
    const switched = await s.request('POST', '/api/v1/widget/identify', { token: again.token, body: { email: 'other@example.com' } });
    t.equal(switched.status, 200);
    t.not(switched.body.visitor.id, real.id, 'a different identity without hash leaves the contact');
    const contact2 = await s.request('GET', `/api/v1/inbox/visitors/${real.id}`, { token: B.owner.token });
    t.equal(contact2.body.email, 'vip@example.com', 'the contact\'s e-mail is not rewritten');
  });
});
