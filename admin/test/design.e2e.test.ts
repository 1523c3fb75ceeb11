/**
 * Issue 24: one design across the admin's screens at 1366×850, the feature plugins'
 * screens (knowledge base, webhooks, inbox) included: every top-level page has its title
 * at the same place, in the same type size, with the same padding; settings pages the
 * same body padding; no browser-default controls (grooved fieldsets); cards alike; and
 * each navigation item has an icon of its own.
 */
import t from 'tap';
import type { Page } from 'playwright-core';
import { adminSuiteReady, logIn, startHarness, type Harness } from './harness';

const LAPTOP = { width: 1366, height: 850 };
const PAGES = ['dashboard', 'team-status', 'quick-replies', 'articles', 'articles/new'];
const SETTINGS = ['settings/account', 'settings/team', 'settings/sites', 'settings/plugins', 'settings/api-keys', 'settings/webhooks'];

interface Look {
  title: { left: number; top: number; fontSize: string; fontWeight: string } | null;
  bodyPadding: string | null;
  grooved: string[];
  cards: string[];
}

function look(page: Page): Promise<Look> {
  return page.evaluate(() => {
    const main = document.querySelector('main.shell-content')!;
    const m = main.getBoundingClientRect();
    const h1 = [...main.querySelectorAll('h1')].find((h) => h.getBoundingClientRect().width > 0 && !h.closest('.subnav'));
    const r = h1?.getBoundingClientRect();
    const s = h1 ? getComputedStyle(h1) : null;
    const body = main.querySelector('.settings-body');
    const visible = (el: Element) => el.getBoundingClientRect().width > 0;
    return {
      title: r && s ? { left: Math.round(r.left - m.left), top: Math.round(r.top - m.top), fontSize: s.fontSize, fontWeight: s.fontWeight } : null,
      bodyPadding: body ? getComputedStyle(body).padding : null,
      grooved: [...main.querySelectorAll('fieldset')].filter((f) => visible(f) && getComputedStyle(f).borderTopStyle === 'groove').map((f) => f.textContent!.trim().slice(0, 30)),
      cards: [...new Set([...main.querySelectorAll('.card')].filter(visible).map((c) => `${getComputedStyle(c).borderRadius} ${getComputedStyle(c).backgroundColor}`))],
    };
  });
}

if (adminSuiteReady(t)) {
  let h: Harness;
  t.before(async () => {
    h = await startHarness();
    await h.api('POST', '/api/v1/sites', { name: 'Design shop' });
  });
  t.teardown(async () => h?.close());

  const signedIn = async () => {
    const { page } = await h.newPage({ viewport: LAPTOP });
    // tsx names the helpers inside `look` with `__name(…)`: give the page one.
    await page.addInitScript('window.__name = (f) => f');
    await logIn(page, h.owner.email, h.owner.password);
    await page.waitForURL(/\/admin\/inbox/);
    return page;
  };
  const open = async (page: Page, screen: string) => {
    await page.goto(`/admin/${screen}`);
    await page.locator('main').locator('h1, h2').filter({ visible: true }).first().waitFor({ timeout: 10_000 });
    await page.waitForLoadState('networkidle');
    return look(page);
  };

  t.test('top-level pages: the title at the same place and size, the same padding, cards alike', async (t) => {
    const page = await signedIn();
    const looks = new Map<string, Look>();
    for (const s of PAGES) looks.set(s, await open(page, s));
    const ref = looks.get('dashboard')!.title!;
    t.ok(ref, 'the dashboard has a title');
    t.equal(ref.left, 24, 'the page padding is 24 px');
    const cardLooks = new Set<string>();
    for (const [s, l] of looks) {
      t.ok(l.title, `/${s} has a title`);
      if (!l.title) continue;
      t.same({ left: l.title.left, fontSize: l.title.fontSize, fontWeight: l.title.fontWeight }, { left: ref.left, fontSize: ref.fontSize, fontWeight: ref.fontWeight }, `/${s}: the title lines up with the others, same type`);
      // (The editor has its "← Articles" link above the title.)
      if (s !== 'articles/new') t.ok(Math.abs(l.title.top - ref.top) <= 12, `/${s}: the title is at the top like the others (${l.title.top} vs ${ref.top})`);
      t.same(l.grooved, [], `/${s}: no browser-default fieldsets`);
      for (const c of l.cards) cardLooks.add(c);
    }
    t.equal(cardLooks.size, 1, `one card style everywhere (${[...cardLooks].join(' | ')})`);
  });

  t.test('settings pages: the same body padding, no browser-default fieldsets', async (t) => {
    const page = await signedIn();
    const paddings = new Set<string>();
    for (const s of SETTINGS) {
      const l = await open(page, s);
      t.ok(l.bodyPadding, `/${s} is in the settings layout`);
      paddings.add(l.bodyPadding ?? '');
      t.same(l.grooved, [], `/${s}: no browser-default fieldsets`);
    }
    t.same([...paddings], ['24px'], 'one padding');
  });

  t.test('each navigation item has an icon of its own', async (t) => {
    const page = await signedIn();
    const icons = await page.locator('nav.rail .rail-items a').evaluateAll((as) => as.map((a) => [a.textContent!.trim(), a.querySelector('path')?.getAttribute('d') ?? '']));
    t.ok(icons.length >= 6, `${icons.length} items`);
    const byIcon = new Map<string, string[]>();
    for (const [label, d] of icons) byIcon.set(d, [...(byIcon.get(d) ?? []), label]);
    t.same([...byIcon.values()].filter((labels) => labels.length > 1), [], 'no two items share an icon');
  });
}
