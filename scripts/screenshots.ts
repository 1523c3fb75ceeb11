/**
 * Regenerates the screenshots in docs/screenshots/ so the docs show what users see:
 * the admin at 1366×850 (inbox, dashboard, presence, plugin settings) and the widget at
 * 390×844 (a phone), against a real server with a little demo data, in Debian's Chromium.
 *
 *   npm run build && node --import tsx --conditions=charla-source scripts/screenshots.ts
 */
import { mkdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { signup, startTestServer } from '@charla/core/testing';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'screenshots');
mkdirSync(out, { recursive: true });

// A fixed port known before start: the snippet on /demo is built from PUBLIC_URL.
const port = await new Promise<number>((resolve) => {
  const probe = createNetServer().listen(0, '127.0.0.1', () => {
    const { port: p } = probe.address() as AddressInfo;
    probe.close(() => resolve(p));
  });
});
const server = await startTestServer({ config: { port, publicUrl: `http://127.0.0.1:${port}` } as never });
await server.app.listen({ port, host: '127.0.0.1' });
const browser = await chromium.launch({ executablePath: process.env.CHARLA_CHROMIUM ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
try {
  const base = `http://127.0.0.1:${port}`;
  const owner = await signup(server, 'Acme');
  const api = async (method: string, path: string, body?: unknown, token: string | null = owner.token) => {
    const r = await server.request(method, path, { token: token ?? undefined, body });
    if (r.status >= 400) throw new Error(`${method} ${path} → ${r.status} ${r.text}`);
    return r.body;
  };
  const site = await api('POST', '/api/v1/sites', { name: 'Acme Shop' });
  await api('PATCH', `/api/v1/sites/${site.id}`, { widget: { primaryColor: '#4f46e5', greeting: 'Hi! How can we help?' } });
  const visitor = async (user: Record<string, unknown> | undefined, messages: string[]) => {
    const v = await api('POST', '/api/v1/widget/init', { appId: site.appId, ...(user ? { user } : {}), page: { url: 'https://shop.example/pricing', title: 'Pricing' } }, null);
    let conversationId: string | undefined;
    for (const content of messages) {
      const r = await api('POST', '/api/v1/widget/messages', { content, clientId: randomUUID(), ...(conversationId ? { conversationId } : {}) }, v.visitorToken);
      conversationId = r.conversation.id;
    }
    return conversationId!;
  };
  const vera = await visitor({ name: 'Vera Díaz', email: 'vera@example.com', attributes: { plan: 'pro' } }, ['Hello! Can I change my plan mid-month?']);
  await api('POST', `/api/v1/inbox/conversations/${vera}/messages`, { content: 'Yes — the change is prorated. Want me to do it for you?', clientId: randomUUID() });
  await visitor({ name: 'Tom Berg', email: 'tom@example.com' }, ['Do you ship to Norway?']);
  await visitor(undefined, ['Is there a student discount?']);

  const shoot = async (page: Page, name: string) => {
    await page.waitForTimeout(400); // fonts and live counts settle
    await page.screenshot({ path: join(out, `${name}.png`) });
    console.log(`docs/screenshots/${name}.png`);
  };

  const admin = await browser.newContext({ baseURL: base, locale: 'en-US', viewport: { width: 1366, height: 850 } });
  const page = await admin.newPage();
  await page.goto('/admin/login');
  await page.getByLabel('Email').fill(owner.email);
  await page.getByLabel('Password').fill(owner.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(/\/admin\/inbox/);
  await page.locator(`[data-conversation="${vera}"]`).click();
  await page.locator('.thread').getByText('prorated').waitFor();
  await shoot(page, 'admin-inbox');
  await page.goto('/admin/dashboard');
  await page.locator('.slot-item .card').first().waitFor();
  await shoot(page, 'admin-dashboard');
  await page.goto('/admin/presence');
  await page.locator('h1').first().waitFor();
  await shoot(page, 'admin-presence');
  await page.goto('/admin/settings/plugins');
  await page.locator('[data-plugin="inbox"] [data-setting="autoAssign"]').waitFor();
  await shoot(page, 'admin-settings-plugins');

  const phone = await browser.newContext({ locale: 'en-US', viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const w = await phone.newPage();
  await w.goto(`${base}/demo?appId=${encodeURIComponent(site.appId)}`);
  await w.getByRole('button', { name: 'Open chat', exact: true }).waitFor();
  await shoot(w, 'widget-launcher');
  await w.getByRole('button', { name: 'Open chat', exact: true }).click();
  await w.getByRole('textbox', { name: 'Message', exact: true }).waitFor();
  await shoot(w, 'widget-open');
} finally {
  await browser.close();
  await server.close();
}
