/**
 * Issue 24: the dashboard is in the navigation and its cards never overlap their
 * headings; Presence and Quick replies have the padding of every other page; the
 * quick-reply suggestions are a styled menu (1366×850).
 */
import { randomUUID } from 'node:crypto';
import t from 'tap';
import type { Page } from 'playwright-core';
import { adminSuiteReady, logIn, startHarness, type Harness } from './harness';

const LAPTOP = { width: 1366, height: 850 };

if (adminSuiteReady(t)) {
  let h: Harness;
  let page: Page;
  t.before(async () => {
    h = await startHarness();
    await h.api('POST', '/api/v1/sites', { name: 'Shop' });
    ({ page } = await h.newPage({ viewport: LAPTOP }));
    await logIn(page, h.owner.email, h.owner.password);
    await page.waitForURL(/\/admin\/inbox/);
  });
  t.teardown(async () => h?.close());

  t.test('Dashboard is in the navigation; no card overlaps its heading', async (t) => {
    const link = page.getByRole('navigation').getByRole('link', { name: 'Dashboard' });
    await link.click();
    await page.waitForURL(/\/admin\/dashboard/);
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
    t.equal(await link.getAttribute('aria-current'), 'page', 'the link is marked current');
    await page.locator('.slot-item .card').first().waitFor();
    if (process.env.CHARLA_SHOTS) await page.screenshot({ path: `${process.env.CHARLA_SHOTS}/dashboard.png` });
    const items = await page.locator('.slot-item').evaluateAll((els) =>
      els.map((el) => {
        const title = el.querySelector('.slot-title')?.getBoundingClientRect();
        const card = el.querySelector('.card')?.getBoundingClientRect();
        return { id: el.getAttribute('data-contribution'), titleBottom: title?.bottom ?? null, cardTop: card?.top ?? null };
      }),
    );
    t.ok(items.length >= 2, `${items.length} cards`);
    for (const i of items) t.ok(i.titleBottom !== null && i.cardTop !== null && i.titleBottom <= i.cardTop + 0.5, `${i.id}: heading (bottom ${i.titleBottom}) above its card (top ${i.cardTop})`);
  });

  t.test('Presence has the page padding of the other screens', async (t) => {
    const pad = async (path: string) => {
      await page.goto(path);
      const title = page.locator('h1').first();
      await title.waitFor();
      return title.evaluate((el) => el.getBoundingClientRect().left - (document.querySelector('main')?.getBoundingClientRect().left ?? 0));
    };
    const dashboard = await pad('/admin/dashboard');
    await page.goto('/admin/dashboard');
    const presenceLink = page.getByRole('navigation').getByRole('link', { name: 'Presence' });
    const href = await presenceLink.getAttribute('href');
    const presence = await pad(href ?? '/admin/presence');
    if (process.env.CHARLA_SHOTS) await page.screenshot({ path: `${process.env.CHARLA_SHOTS}/presence.png` });
    t.ok(presence >= 16, `the Presence title is inset from the edge (${presence}px)`);
    t.ok(Math.abs(presence - dashboard) <= 1, `and by as much as the dashboard's (${dashboard}px)`);
    const quick = await pad('/admin/quick-replies');
    t.ok(Math.abs(quick - dashboard) <= 1, `Quick replies too (${quick}px)`);
  });

  t.test('quick-reply suggestions are a styled menu over the reply box', async (t) => {
    const site = (await h.api('GET', '/api/v1/sites')).body.sites[0] as { appId: string };
    await h.api('POST', '/api/v1/inbox/quick-replies', { shortcut: 'thanks', title: 'Thank you', content: 'Thanks for writing to us!' });
    await h.api('POST', '/api/v1/inbox/quick-replies', { shortcut: 'thanks-later', title: 'Thanks, later', content: 'Thanks, we will write back soon.' });
    const v = (await h.api('POST', '/api/v1/widget/init', { appId: site.appId }, '')).body as { visitorToken: string };
    const conv = (await h.api('POST', '/api/v1/widget/messages', { content: 'Hi', clientId: randomUUID() }, v.visitorToken)).body.conversation.id as string;
    await page.goto(`/admin/inbox/${conv}`);
    await page.getByTestId('inbox-sla').waitFor(); // the inbox plugin's header is up: its reply-box extension too
    await page.getByRole('textbox', { name: 'Reply' }).pressSequentially('/than');
    const menu = page.getByRole('listbox');
    await menu.waitFor();
    if (process.env.CHARLA_SHOTS) await page.screenshot({ path: `${process.env.CHARLA_SHOTS}/quick-replies.png` });
    const look = await menu.evaluate((ul) => {
      const cs = getComputedStyle(ul);
      const items = [...ul.querySelectorAll('li')].map((li) => ({ bg: getComputedStyle(li).backgroundColor, marker: getComputedStyle(li).listStyleType, border: getComputedStyle(li).borderBottomStyle }));
      const box = ul.getBoundingClientRect();
      const reply = document.querySelector('#reply-box')!.getBoundingClientRect();
      return { position: cs.position, bg: cs.backgroundColor, border: cs.borderTopStyle, shadow: cs.boxShadow, items, above: box.bottom <= reply.top + 1 };
    });
    t.equal(look.items.length, 2, 'both matching replies offered');
    t.equal(look.position, 'absolute', 'a menu floating over the thread, not a list pushing the reply box');
    t.ok(look.above, 'just above the reply box');
    t.not(look.bg, 'rgba(0, 0, 0, 0)', 'with a background');
    t.equal(look.border, 'solid', 'and a border');
    t.not(look.shadow, 'none', 'and a shadow');
    t.not(look.items[0].bg, look.items[1].bg, 'the active suggestion is highlighted');
    t.equal(look.items[0].border, 'none', 'no list rules between suggestions');
  });
}
