/**
 * E2E harness: a real Charla server (temp SQLite, real SMTP receiver) serving the built
 * admin from admin/dist/browser, and Debian's Chromium driven by playwright-core.
 * No browser is ever downloaded.
 */
import { existsSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startSmtpServer, startTestServer, signup, type TestServer } from '@charla/core/testing';

export const CHROMIUM = process.env.CHARLA_CHROMIUM ?? '/usr/bin/chromium';
export const ADMIN_DIST = join(dirname(fileURLToPath(import.meta.url)), '../dist/browser/index.html');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createNetServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface Harness {
  server: TestServer;
  base: string;
  smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  browser: Browser;
  /** A new context (default 1400×900, en-US). */
  newPage(opts?: { viewport?: { width: number; height: number } }): Promise<{ context: BrowserContext; page: Page }>;
  api(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: any }>;
  owner: Awaited<ReturnType<typeof signup>>;
  close(): Promise<void>;
}

/** `plugins`: the server's enabled plugins (default: the built-in ones); `config`: more server configuration (plans, operators). */
export async function startHarness(opts: { plugins?: string[]; config?: Record<string, unknown> } = {}): Promise<Harness> {
  const smtp = await startSmtpServer();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = await startTestServer({ config: { smtpUrl: smtp.url, publicUrl: base, port, ...(opts.plugins ? { plugins: opts.plugins } : {}), ...opts.config } as never });
  await server.app.listen({ port, host: '127.0.0.1' });
  let owner: Awaited<ReturnType<typeof signup>>;
  let browser: Browser;
  // playwright's launch() always starts Chromium with a new, empty --user-data-dir of its own.
  try {
    owner = await signup(server, 'E2E');
    browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  } catch (err) {
    await server.close().catch(() => undefined);
    await smtp.close().catch(() => undefined);
    throw err;
  }
  const contexts: BrowserContext[] = [];
  return {
    server,
    base,
    smtp,
    browser,
    owner,
    async newPage(opts = {}) {
      const context = await browser.newContext({ baseURL: base, locale: 'en-US', viewport: opts.viewport ?? { width: 1400, height: 900 } });
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      return { context, page };
    },
    async api(method, path, body, token = owner.token) {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = text;
      }
      return { status: res.status, body: parsed };
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close().catch(() => undefined);
      await server.close();
      await smtp.close();
    },
  };
}

/** Log in through the login form, as a person would. */
export async function logIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/admin/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

export function browserAvailable(): boolean {
  return existsSync(CHROMIUM);
}

/**
 * Whether the admin browser suite can run here: Chromium present (missing fails under
 * CHARLA_REQUIRE_ALL=1, else says plainly it did not run) and the admin built (missing fails).
 */
export function adminSuiteReady(t: { fail(msg: string): void; comment(msg: string): void }): boolean {
  if (!browserAvailable()) {
    if (process.env.CHARLA_REQUIRE_ALL === '1') t.fail(`Chromium is required (CHARLA_REQUIRE_ALL=1) but ${CHROMIUM} is missing`);
    else t.comment(`NOT RUN: the admin browser tests did not run: ${CHROMIUM} is missing (apt-get install chromium)`);
    return false;
  }
  if (!existsSync(ADMIN_DIST)) {
    t.fail(`the admin is not built (${ADMIN_DIST} is missing): run \`npm run build -w @charla/admin\` first`);
    return false;
  }
  return true;
}
