import t from 'tap';
import contacts from '@charla/plugin-contacts';
import { conversations, createHook, settle, startEnv, until, verify, webhooks, world } from './helpers.js';

t.test('contact.created and contact.updated: in the catalogue, delivered signed with the full contact when an integration upserts and an agent edits', async (t) => {
  const env = await startEnv({ plugins: [conversations, contacts, webhooks] });
  t.teardown(() => env.close());
  const { s, receiver } = env;
  const w = await world(s);
  const names = ((await s.request('GET', '/api/v1/events/catalogue', { token: w.token })).body.events as Array<{ name: string }>).map((e) => e.name);
  t.ok(names.includes('contact.created') && names.includes('contact.updated'), 'the catalogue lists both');
  const hook = await createHook(s, w.token, { url: receiver.url, events: ['contact.created', 'contact.updated'] });
  const key = (await s.request('POST', '/api/v1/api-keys', { token: w.token, body: { name: 'CRM', scopes: ['contacts:write'] } })).body.key as string;

  const created = await s.request('POST', '/api/v1/contacts', { token: key, body: { externalId: 'u-42', email: 'ana@acme.example', name: 'Ana', attributes: { plan: 'enterprise' } } });
  t.equal(created.status, 201, created.text);
  await settle(s);
  const [first] = await until(() => receiver.received, (r) => r.length === 1);
  t.ok(verify(hook.secret, first.headers, first.body), 'signed');
  t.match(first.json, { type: 'contact.created', accountId: w.accountId, data: { contactId: created.body.id, actorId: null, contact: { id: created.body.id, externalId: 'u-42', email: 'ana@acme.example', attributes: { plan: 'enterprise' } } } });
  t.notOk('tokenVersion' in (first.json.data.contact as object), 'no internal fields');

  const again = await s.request('POST', '/api/v1/contacts', { token: key, body: { externalId: 'u-42', attributes: { seats: 5 } } });
  t.equal(again.status, 200, 'the same externalId updates');
  const patched = await s.request('PATCH', `/api/v1/contacts/${created.body.id}`, { token: w.token, body: { name: 'Ana García' } });
  t.equal(patched.status, 200, patched.text);
  await settle(s);
  const all = await until(() => receiver.received, (r) => r.length === 3);
  t.same(all.map((r) => r.json.type), ['contact.created', 'contact.updated', 'contact.updated']);
  t.match(all[1].json.data, { actorId: null, contact: { attributes: { plan: 'enterprise', seats: 5 } } });
  t.match(all[2].json.data, { actorId: w.userId, contact: { name: 'Ana García' } });

  const missing = await s.request('PATCH', '/api/v1/contacts/nobody', { token: w.token, body: { name: 'x' } });
  t.equal(missing.status, 404, 'an unknown contact is a 404');
  await settle(s);
  t.equal(receiver.received.length, 3, '…and sends nothing');
});
