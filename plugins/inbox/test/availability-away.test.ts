/**
 * Issue 24: an agent set away is connected but does not count as online for the widget's
 * availability (the `availability:beforeCount` hook), and going away or coming back
 * reaches open widgets live (`ConversationsData.availabilityChanged` → `site:availability`).
 */
import t from 'tap';
import { connectSocket } from '@charla/core/testing';
import { addAgent, goOnline, settle, startEnv, visitor, world } from './helpers.js';

t.test('away agents do not make a site online; status changes reach the visitors live', async (t) => {
  const env = await startEnv();
  t.teardown(() => env.close());
  const { s, smtp } = env;
  const w = await world(s);
  const bea = await addAgent(s, smtp, w, 'Bea');
  const setStatus = async (a: { token: string }, status: 'away' | 'available') => {
    const r = await s.request('PATCH', '/api/v1/inbox/agents/me', { token: a.token, body: { status } });
    t.equal(r.status, 200, `status ${status}`);
    await settle(s);
  };
  const beaSock = await goOnline(s, bea);
  t.teardown(() => beaSock.close());

  const v = await visitor(s, w.site.appId);
  const vs = await connectSocket(s.url, v.token);
  t.teardown(() => vs.close());
  vs.send({ op: 'subscribe', channel: `site:${w.site.id}` });
  const availability = (online: boolean, agentsOnline: number, after = 0) =>
    vs.waitFor((f) => vs.frames.indexOf(f) >= after && f.event === 'site:availability' && f.data.online === online && f.data.agentsOnline === agentsOnline);
  await availability(true, 1);
  t.pass('Bea connected and available: online');

  let mark = vs.frames.length;
  await setStatus(bea, 'away');
  await availability(false, 0, mark);
  t.pass('Bea goes away (still connected): the visitor is told the team is offline');
  const init = await s.request('POST', '/api/v1/widget/init', { body: { appId: w.site.appId } });
  t.match(init.body.site, { online: false, agentsOnline: 0 }, 'a widget booting now sees offline too');

  mark = vs.frames.length;
  const ownerSock = await goOnline(s, { ...w.owner });
  t.teardown(() => ownerSock.close());
  await availability(true, 1, mark);
  t.pass('the owner connects (available): online with one agent, away Bea not counted');

  mark = vs.frames.length;
  await setStatus(bea, 'available');
  await availability(true, 2, mark);
  t.pass('Bea is back: two agents online');
});
