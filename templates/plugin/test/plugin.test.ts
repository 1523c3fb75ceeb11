import t from 'tap';
import { signup, startTestServer } from '@charla/core/testing';
import plugin from '../src/server/index.js';

// Boots the real kernel with only this plugin, on a real database.
t.test('__NAME__ plugin', async (t) => {
  const s = await startTestServer({ plugins: [plugin] });
  t.teardown(() => s.close());
  const a = await signup(s);
  const b = await signup(s);

  t.test('its route stores and lists notes, per account', async (t) => {
    const created = await s.request('POST', '/api/v1/__NAME__/notes', { token: a.token, body: { text: 'first' } });
    t.equal(created.status, 201);
    const mine = await s.request('GET', '/api/v1/__NAME__/notes', { token: a.token });
    t.ok(mine.body.notes.some((n: { text: string }) => n.text === 'first'));
    const theirs = await s.request('GET', '/api/v1/__NAME__/notes', { token: b.token });
    t.notOk(theirs.body.notes.some((n: { text: string }) => n.text === 'first'), 'another account never sees them');
    t.equal((await s.request('POST', '/api/v1/__NAME__/notes', { token: a.token, body: { text: '' } })).status, 400);
    t.equal((await s.request('GET', '/api/v1/__NAME__/notes')).status, 401);
  });

  t.test('its event handler runs after a site is created', async (t) => {
    await s.request('POST', '/api/v1/sites', { token: a.token, body: { name: 'Shop' } });
    await s.app.charla.container.cradle.events.drain();
    const notes = await s.request('GET', '/api/v1/__NAME__/notes', { token: a.token });
    t.ok(notes.body.notes.some((n: { text: string }) => /^Site .* was created$/.test(n.text)));
  });

  t.test('its hook refuses invitations to blocked domains (a setting)', async (t) => {
    const set = await s.request('PATCH', '/api/v1/plugins/__NAME__', { token: a.token, body: { settings: { blockedInviteDomains: ['spam.test'] } } });
    t.equal(set.status, 200);
    const refused = await s.request('POST', '/api/v1/team/invitations', { token: a.token, body: { email: 'x@spam.test', role: 'agent' } });
    t.equal(refused.status, 403);
    t.match(refused.body.detail, /blocked/);
    const allowed = await s.request('POST', '/api/v1/team/invitations', { token: a.token, body: { email: 'x@ok.test', role: 'agent' } });
    t.equal(allowed.status, 201);
  });
});
