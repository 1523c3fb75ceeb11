import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { definePlugin } from '@charla/core';
import { account, boot, conversationsPlugin, initVisitor } from './contract-helpers.js';

// Widget init delivers the widget modules of the plugins on for the visitor's account
// (`plugins: [{name, url, data}]`); a plugin turned off is not listed; a failing data()
// leaves that plugin out and the widget still boots.

const dir = mkdtempSync(join(tmpdir(), 'charla-conv-widget-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const script = join(dir, 'promo.js');
writeFileSync(script, 'export default function (api) { api.notice({ text: String(api.data.text) }); }\n');

const promo = definePlugin({
  name: 'promo',
  version: '1.0.0',
  widget: { script, data: async (ctx, v) => ({ text: `Hello ${v.visitorId}`, site: v.siteId, on: await ctx.enabledFor(v.accountId) }) },
});
const broken = definePlugin({ name: 'broken-data', version: '1.0.0', widget: { script, data: () => { throw new Error('boom'); } } });

t.test('widget init lists the widget modules of the plugins on for the account', async (t) => {
  const s = await boot({ plugins: [conversationsPlugin, promo, broken] });
  t.teardown(() => s.close());
  const A = await account(s);
  const B = await account(s);

  const v = await initVisitor(s, A.site.appId);
  t.same(v.init.plugins.map((p: { name: string }) => p.name), ['promo'], 'promo listed; broken-data (its data() throws) left out, init still 200');
  const [entry] = v.init.plugins;
  t.match(entry.url, /^\/widget\/plugins\/promo\/[0-9a-f]{16}\.js$/, 'a path on the server, content-hashed');
  t.same(entry.data, { text: `Hello ${v.id}`, site: A.site.id, on: true }, 'data(ctx, {accountId, siteId, visitorId}) for this visitor, with the plugin context');
  const js = await s.request('GET', entry.url, { headers: { origin: 'https://shop.example.com' } });
  t.equal(js.status, 200);
  t.match(String(js.headers['content-type']), /^application\/javascript/);
  t.match(js.text, /api\.notice/);

  const again = await initVisitor(s, A.site.appId, { visitorToken: v.token });
  t.same(again.init.plugins, v.init.plugins, 'the same visitor gets the same list');

  const off = await s.request('PATCH', '/api/v1/plugins/promo', { token: A.owner.token, body: { enabled: false } });
  t.equal(off.status, 200);
  t.same((await initVisitor(s, A.site.appId)).init.plugins, [], 'turned off for the account: not listed');
  const other = await initVisitor(s, B.site.appId);
  t.same(other.init.plugins.map((p: { name: string }) => p.name), ['promo'], 'another account still gets it');
  t.equal(other.init.plugins[0].data.site, B.site.id);
});

t.test('without plugins with a widget part the list is empty', async (t) => {
  const s = await boot();
  t.teardown(() => s.close());
  const A = await account(s);
  t.same((await initVisitor(s, A.site.appId)).init.plugins, []);
});
