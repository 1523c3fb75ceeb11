import t from 'tap';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { signup, startTestServer } from '@charla/core/testing';
import conversations from '@charla/plugin-conversations';
import plugin from '../src/server/index.js';

// The plugin declares its built widget module (dist/widget/index.js), which the server
// checks at boot: build it first, as `npm run build` does.
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.widget.json'], { cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8' });
if (build.status !== 0) throw new Error(`building the widget module failed:\n${build.stdout}${build.stderr}`);

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

// The widget part: widget init (conversations plugin) lists the module, with the notice
// text from the settings, for accounts where the plugin is on; core serves it.
t.test('__NAME__ widget module', async (t) => {
  const s = await startTestServer({ plugins: [conversations, plugin] });
  t.teardown(() => s.close());
  const a = await signup(s);
  const site = (await s.request('POST', '/api/v1/sites', { token: a.token, body: { name: 'Shop' } })).body;
  const init = async () => (await s.request('POST', '/api/v1/widget/init', { body: { appId: site.appId } })).body.plugins as Array<{ name: string; url: string; data: { text?: string } }>;

  const [mine] = (await init()).filter((p) => p.name === '__NAME__');
  t.ok(mine, 'listed when the plugin is on');
  t.same(mine.data, { text: 'Questions about __Name__? We are here to help.' }, 'data: the notice text from the settings');
  const js = await s.request('GET', mine.url);
  t.equal(js.status, 200, 'its URL serves the module');
  t.match(String(js.headers['content-type']), /^application\/javascript/);
  t.equal(js.headers['cache-control'], 'public, max-age=31536000, immutable');
  t.match(js.text, /export default function setup/, 'the built module');
  t.notMatch(js.text, /^import /m, 'self-contained: no imports left');

  await s.request('PATCH', '/api/v1/plugins/__NAME__', { token: a.token, body: { settings: { widgetNotice: 'Spring sale!' } } });
  t.same((await init()).find((p) => p.name === '__NAME__')?.data, { text: 'Spring sale!' }, 'a settings change reaches the next widget boot');

  const off = await s.request('PATCH', '/api/v1/plugins/__NAME__', { token: a.token, body: { enabled: false } });
  t.equal(off.status, 200);
  t.notOk((await init()).some((p) => p.name === '__NAME__'), 'not listed when the plugin is off for the account');
});
