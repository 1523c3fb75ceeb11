/**
 * Issue 24: the admin on a phone (390×844) and on a laptop (1366×850). On every main
 * screen, in English and Spanish: no sideways scroll of the page or of the content area,
 * no content cut off past the right edge (outside a scroll box made for it, such as a
 * wide table), the navigation never over the content; and on a phone the inbox shows
 * the list or the open conversation, with a way back.
 */
import { randomUUID } from 'node:crypto';
import t from 'tap';
import type { Page } from 'playwright-core';
import { adminSuiteReady, logIn, startHarness, type Harness } from './harness';

const PHONE = { width: 390, height: 844 };
const LAPTOP = { width: 1366, height: 850 };
const SCREENS = ['inbox', 'dashboard', 'team-status', 'quick-replies', 'articles', 'webhooks', 'settings/account', 'settings/team', 'settings/sites', 'settings/plugins', 'settings/api-keys'];

/** What is wrong with the layout of the page as shown, as readable lines (empty: fine). */
function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const vw = document.documentElement.clientWidth;
    const doc = document.scrollingElement!;
    if (doc.scrollWidth > vw + 1) out.push(`the page scrolls sideways (${doc.scrollWidth} > ${vw})`);
    const main = document.querySelector('main.shell-content') as HTMLElement | null;
    if (main && main.scrollWidth > main.clientWidth + 1) out.push(`the content area scrolls sideways (${main.scrollWidth} > ${main.clientWidth})`);
    const name = (el: Element) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : ''}`;
    /** Inside a box that scrolls sideways on purpose (and is itself on screen). */
    const inScrollBox = (el: Element) => {
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const ox = getComputedStyle(p).overflowX;
        if ((ox === 'auto' || ox === 'scroll') && p !== main && p.getBoundingClientRect().right <= vw + 1) return true;
      }
      return false;
    };
    const visible = (el: Element) => {
      const r = el.getBoundingClientRect();
      const s = getComputedStyle(el);
      return r.width > 2 && r.height > 2 && s.visibility !== 'hidden' && s.display !== 'none' && !el.closest('.visually-hidden');
    };
    // Leaves with text, and controls: anything a person reads or uses.
    const things = [...document.querySelectorAll('main *, nav *')].filter((el) =>
      visible(el) && (['INPUT', 'SELECT', 'TEXTAREA', 'BUTTON', 'A'].includes(el.tagName) || [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent!.trim())));
    for (const el of things) {
      const r = el.getBoundingClientRect();
      if ((r.right > vw + 1 || r.left < -1) && !inScrollBox(el)) out.push(`${name(el)} "${(el.textContent ?? '').trim().slice(0, 30)}" is cut off (${Math.round(r.left)}…${Math.round(r.right)} of ${vw})`);
    }
    const nav = document.querySelector('nav.rail')?.getBoundingClientRect();
    const m = main?.getBoundingClientRect();
    if (nav && m && nav.left < m.right && m.left < nav.right && nav.top < m.bottom && m.top < nav.bottom) out.push('the navigation overlaps the content');
    return out.slice(0, 8);
  });
}

if (adminSuiteReady(t)) {
  let h: Harness;
  let conversationId = '';

  t.before(async () => {
    h = await startHarness();
    const site = (await h.api('POST', '/api/v1/sites', { name: 'Layout shop with a rather long name' })).body as { appId: string };
    const v = (await h.api('POST', '/api/v1/widget/init', { appId: site.appId, user: { name: 'Valentina Fernández de la Cruz', email: 'valentina.fernandez.de.la.cruz@example.com' } }, '')).body as { visitorToken: string };
    const sent = await h.api('POST', '/api/v1/widget/messages', { content: 'Hello! Can I change my plan in the middle of the month, and keep https://example.com/a/very/long/link/that/should/wrap?x=1&y=2 working?', clientId: randomUUID() }, v.visitorToken);
    conversationId = (sent.body as { conversation: { id: string } }).conversation.id;
    await h.api('POST', `/api/v1/inbox/conversations/${conversationId}/messages`, { content: 'Yes — the change is prorated.', clientId: randomUUID() });
  });
  t.teardown(async () => h?.close());

  const signedIn = async (viewport: { width: number; height: number }, locale: 'en' | 'es') => {
    const { page } = await h.newPage({ viewport });
    // tsx names the helper functions inside layoutProblems with `__name(…)`: give the page one.
    await page.addInitScript('window.__name = (f) => f');
    await logIn(page, h.owner.email, h.owner.password);
    await page.waitForURL(/\/admin\/inbox/);
    if (locale === 'es') await page.locator('#shell-locale').selectOption('es');
    return page;
  };
  const settle = (page: Page) => page.locator('main').locator('h1, h2, .card').filter({ visible: true }).first().waitFor({ timeout: 10_000 }).then(() => page.waitForLoadState('networkidle'));

  for (const [label, viewport] of [['phone 390×844', PHONE], ['laptop 1366×850', LAPTOP]] as const) {
    for (const locale of ['en', 'es'] as const) {
      t.test(`${label}, ${locale}: every main screen fits, nothing cut off, navigation beside the content`, async (t) => {
        const page = await signedIn(viewport, locale);
        for (const screen of SCREENS) {
          await page.goto(`/admin/${screen}`);
          await settle(page);
          t.same(await layoutProblems(page), [], `/${screen}`);
        }
        await page.goto(`/admin/inbox/${conversationId}`);
        await page.locator('.thread').getByText('prorated').waitFor();
        t.same(await layoutProblems(page), [], 'an open conversation');
      });
    }
  }

  t.test('phone: the inbox shows the list, then the conversation full width, and back', async (t) => {
    const page = await signedIn(PHONE, 'en');
    const item = page.locator(`[data-conversation="${conversationId}"]`);
    await item.waitFor();
    t.ok((await item.boundingBox())!.width > PHONE.width * 0.8, 'the list uses the width of the screen');
    await item.click();
    const composer = page.getByRole('textbox', { name: /reply/i }).or(page.locator('.composer textarea')).first();
    await composer.waitFor();
    const box = (await composer.boundingBox())!;
    t.ok(box.x >= 0 && box.x + box.width <= PHONE.width && box.width > PHONE.width * 0.8, `the reply box is on screen and wide (${Math.round(box.x)}+${Math.round(box.width)})`);
    t.notOk(await item.isVisible(), 'the list makes room for the conversation');
    await page.getByRole('link', { name: '← Inbox' }).click();
    await item.waitFor();
    t.pass('"← Inbox" goes back to the list');
    t.same(await layoutProblems(page), [], 'and the list fits');
  });
}
