/**
 * Issue 24: availability is live. Agents connecting and leaving, and office hours opening
 * and closing, reach an open widget through its realtime connection; the leave-a-message
 * form appears and disappears with them — on one server, and across two instances.
 * An agent who is connected but away (inbox plugin) does not count as online.
 */
import t from 'tap';
import type { Browser, Page } from 'playwright-core';
import type { TestServer } from '@charla/core/testing';
import { withBrowser, HostSite, launchBrowser, openMessenger, waitFor } from './harness.js';

const OFFLINE_FORM = 'We are offline, leave us a message and your e-mail: we will answer you there.';
const ONLINE = 'Online · we typically reply in a few minutes';

await withBrowser(t, run);

async function run(): Promise<void> {
  const { startTestServer, signup, connectSocket, createTestStore, backend, requirePart } = await import('@charla/core/testing');
  const { ManualClock } = await import('@charla/core');
  const host = await new HostSite().listen();
  const browser: Browser = await launchBrowser();
  t.teardown(async () => {
    await browser.close();
    await host.close();
  });

  /** Which state the open messenger shows: the offline form, or the online header. */
  const shown = (page: Page) =>
    page.evaluate(() => {
      const root = document.querySelector('charla-widget')?.shadowRoot?.querySelector('charla-messenger')?.shadowRoot;
      return root?.textContent ?? '';
    });
  const waitShown = (page: Page, what: 'offline' | 'online', ms = 10_000) =>
    waitFor(async () => {
      const text = await shown(page);
      return what === 'offline' ? text.includes(OFFLINE_FORM) : text.includes(ONLINE) && !text.includes(OFFLINE_FORM);
    }, ms, `the widget to show ${what}`);

  const openWidget = (apiUrl: string, site: { snippet: string }, path: string) => openMessenger(t, browser, host, apiUrl, site, path);


  /** An agent connecting to `agentSide` and leaving flips a widget connected to `widgetSide`. */
  const agentFlipsWidget = async (t: { pass(m: string): void; same(a: unknown, b: unknown, m: string): void }, agentSide: TestServer, widgetSide: TestServer, path: string) => {
    const owner = await signup(agentSide, 'Live');
    const site = (await agentSide.request('POST', '/api/v1/sites', { token: owner.token, body: { name: 'Live shop', domain: 'localhost' } })).body;
    const { page, errors } = await openWidget(widgetSide.url, site, path);
    await waitShown(page, 'offline');
    t.pass('nobody connected: the leave-a-message form');
    const agent = await connectSocket(agentSide.url, owner.token);
    await waitShown(page, 'online');
    t.pass('an agent connects: the form goes away and the header says online, without a reload');
    const setStatus = async (status: 'away' | 'available') => t.same((await agentSide.request('PATCH', '/api/v1/inbox/agents/me', { token: owner.token, body: { status } })).status, 200, `status ${status}`);
    await setStatus('away');
    await waitShown(page, 'offline');
    t.pass('the only agent sets themselves away (still connected): the form is back');
    await setStatus('available');
    await waitShown(page, 'online');
    t.pass('back to available: online again');
    agent.close();
    await waitShown(page, 'offline');
    t.pass('the last agent leaves: the form is back');
    t.same(errors, [], 'no page errors');
  };

  await t.test('agents connecting and leaving flip an open widget', async (t) => {
    const server = await startTestServer({ listen: true });
    t.teardown(() => server.close());
    await agentFlipsWidget(t, server, server, '/live');
  });

  await t.test('office hours closing and opening flip an open widget', async (t) => {
    // Office hours have minute precision: the server clock is moved to 40 s into a minute
    // before a widget subscribes, so the widget meets a boundary about 20 s later.
    // (A long presence TTL: moving the clock must not expire the agent.)
    const clock = new ManualClock();
    const toSecond40 = () => clock.advance((40_000 - (clock.now().getTime() % 60_000) + 60_000) % 60_000);
    const server = await startTestServer({ listen: true, clock, config: { realtime: { presenceTtlSeconds: 600 } } });
    t.teardown(() => server.close());
    const owner = await signup(server, 'Hours');
    const site = (await server.request('POST', '/api/v1/sites', { token: owner.token, body: { name: 'Hours shop', domain: 'localhost' } })).body;
    const agent = await connectSocket(server.url, owner.token);
    t.teardown(() => agent.close());
    const hhmm = (d: Date) => d.toISOString().slice(11, 16);
    const patchHours = (open: Date, close: Date) =>
      server.request('PATCH', `/api/v1/sites/${site.id}`, { token: owner.token, body: { widget: { officeHours: { timezone: 'UTC', days: [{ day: open.getUTCDay(), open: hhmm(open), close: hhmm(close) }] } } } });
    const minuteStart = () => new Date(Math.floor(clock.now().getTime() / 60_000) * 60_000);

    toSecond40();
    const open = minuteStart();
    t.equal((await patchHours(open, new Date(open.getTime() + 60_000))).status, 200, 'open until the next minute');
    const first = await openWidget(server.url, site, '/hours');
    await waitShown(first.page, 'online');
    t.pass('inside office hours with an agent connected: online');
    await waitShown(first.page, 'offline', 40_000);
    t.pass('office hours close at the minute boundary: the form appears on the open widget');
    t.same(first.errors, [], 'no page errors');
    await first.page.context().close();

    toSecond40();
    const later = new Date(minuteStart().getTime() + 60_000);
    t.equal((await patchHours(later, new Date(later.getTime() + 60 * 60_000))).status, 200, 'open from the next minute');
    const second = await openWidget(server.url, site, '/hours-later');
    await waitShown(second.page, 'offline');
    t.pass('before office hours: the form');
    await waitShown(second.page, 'online', 40_000);
    t.pass('office hours open at the minute boundary: the form goes away');
    t.same(second.errors, [], 'no page errors');
  });

  await t.test('two instances: an agent on instance A flips a widget connected to instance B', async (t) => {
    if (!requirePart('two instances (needs DATABASE_URL and REDIS_URL)', backend.postgres && backend.redis, t)) return;
    const store = await createTestStore();
    const a = await startTestServer({ listen: true, store });
    const b = await startTestServer({ listen: true, store });
    t.teardown(async () => {
      await a.close();
      await b.close();
      await store.cleanup();
    });
    await agentFlipsWidget(t, a, b, '/twin');
  });
}
