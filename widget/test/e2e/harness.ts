/**
 * End-to-end harness: a real Charla server (SQLite in a temp dir), a host page served
 * from ANOTHER origin (localhost vs 127.0.0.1, other port) with a hostile stylesheet,
 * and headless Chromium from /usr/bin/chromium through playwright-core (never downloaded).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';

export const CHROMIUM = process.env.CHARLA_CHROMIUM ?? '/usr/bin/chromium';
export const widgetRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Why the browser tests cannot run here, or null. Missing chromium fails under CHARLA_REQUIRE_ALL=1. */
export function browserSkipReason(): string | null {
  if (existsSync(CHROMIUM)) return null;
  const msg = `browser tests did NOT run: ${CHROMIUM} is missing (apt-get install chromium)`;
  if (process.env.CHARLA_REQUIRE_ALL === '1') throw new Error(msg + ' and CHARLA_REQUIRE_ALL=1');
  console.log(`# ${msg}`);
  return msg;
}

/** Runs `suite` (widget built first) when Chromium is here; otherwise records why it did not run. */
export async function withBrowser(t: { pass(msg: string): void }, suite: () => Promise<void>): Promise<void> {
  const skip = browserSkipReason();
  if (skip) {
    t.pass(skip);
    return;
  }
  ensureWidgetBuilt();
  await suite();
}

/** Builds widget/dist when it is missing (the server serves /widget/ from it). */
export function ensureWidgetBuilt(): void {
  if (existsSync(join(widgetRoot, 'dist', 'manifest.json')) && process.env.CHARLA_WIDGET_REBUILD !== '1') return;
  const r = spawnSync(process.execPath, [join(widgetRoot, 'scripts', 'build.mjs')], { cwd: widgetRoot, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('widget build failed');
}

export async function launchBrowser(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // playwright-core gives every launch a fresh temporary --user-data-dir.
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export const HOSTILE_CSS = `
  * { font-family: "Comic Sans MS", cursive !important; color: #f0f !important; background: #ff0 !important;
      box-sizing: content-box !important; line-height: 3 !important; letter-spacing: 4px !important;
      opacity: .98 !important; border: 3px dashed red !important; }
  button { display: none !important; }
  div, span, input, textarea, form, section, p { display: none !important; }
  body > * { position: static !important; transform: rotate(0.01deg) !important; }
  :root { --charla-primary: #000 !important; }
`;

/** A static host page server on `localhost` (the API is on 127.0.0.1): another origin. */
export class HostSite {
  server: Server;
  pages = new Map<string, string>();
  constructor() {
    this.server = createHttpServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      const html = this.pages.get(path) ?? this.pages.get('*');
      if (!html) {
        res.writeHead(404).end('not found');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html);
    });
  }
  async listen(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, 'localhost', () => r()));
    return this;
  }
  get origin(): string {
    return `http://localhost:${(this.server.address() as AddressInfo).port}`;
  }
  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

/** The host page: hostile CSS, optional inline script before the snippet, the snippet itself. */
export function hostPage(opts: { snippet: string; before?: string; after?: string; title?: string }): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${opts.title ?? 'Host shop'}</title>
<style>${HOSTILE_CSS}</style></head><body><h1>Host page</h1><main id="app">content</main>
${opts.before ? `<script>${opts.before}</script>` : ''}
${opts.snippet}
${opts.after ? `<script>${opts.after}</script>` : ''}
</body></html>`;
}

export async function newPage(browser: Browser, locale = 'en-US'): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  return { context, page, errors };
}

export function waitFor<T>(fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, ms = 10_000, what = 'condition'): Promise<T> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const tick = async () => {
      try {
        const v = await fn();
        if (v) return resolve(v as T);
      } catch {
        /* retry */
      }
      if (Date.now() - start > ms) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 50);
    };
    void tick();
  });
}

/**
 * Serves `site`'s snippet (pointed at `apiUrl`) at `path` of `host`, opens it in a new
 * context (closed at teardown) and opens the messenger. `headHtml` goes into the page's head.
 */
export async function openMessenger(
  t: { teardown(fn: () => unknown): void },
  browser: Browser, host: HostSite, apiUrl: string, site: { snippet: string }, path: string, headHtml = '',
): Promise<{ page: Page; errors: string[] }> {
  const snippet = site.snippet.replace(/src="[^"]*\/widget\/loader\.js"/, `src="${apiUrl}/widget/loader.js"`);
  host.pages.set(path, hostPage({ snippet }).replace('</head>', `${headHtml}</head>`));
  const { context, page, errors } = await newPage(browser);
  t.teardown(() => context.close());
  await page.goto(`${host.origin}${path}`);
  await page.getByRole('button', { name: 'Open chat', exact: true }).click();
  await page.getByRole('textbox', { name: 'Message', exact: true }).waitFor();
  return { page, errors };
}

/** A listening test server, the host page server and Chromium, all closed at teardown. */
export async function startWidgetWorld(t: { teardown(fn: () => unknown): void }, options: { plugins?: string[] } = {}): Promise<{ server: import('@charla/core/testing').TestServer; host: HostSite; browser: Browser }> {
  const { startTestServer } = await import('@charla/core/testing');
  const server = await startTestServer({ listen: true, ...(options.plugins ? { config: { plugins: options.plugins } } : {}) });
  const host = await new HostSite().listen();
  const browser = await launchBrowser();
  t.teardown(async () => {
    await browser.close();
    await host.close();
    await server.close();
  });
  return { server, host, browser };
}
