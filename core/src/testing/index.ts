/**
 * Test helpers for core and plugin tests: a real server on a real database (a temp
 * SQLite file, or a fresh PostgreSQL database when DATABASE_URL is set), Redis when
 * REDIS_URL is set, a real SMTP server to read e-mail from, and small HTTP/WebSocket
 * clients. Nothing here mocks Charla's own parts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { SMTPServer } from 'smtp-server';
import WebSocket from 'ws';
import pg from 'pg';
import { createServer, type CreateServerOptions } from '../server.js';
import type { ConfigOverrides } from '../config.js';

export const backend = {
  postgres: !!process.env.DATABASE_URL,
  redis: !!process.env.REDIS_URL,
};

/** Creates an empty PostgreSQL database next to DATABASE_URL's and returns its URL. */
export async function freshPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const base = new URL(process.env.DATABASE_URL!);
  const name = `charla_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base.href });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base.href);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    async drop() {
      const c = new pg.Client({ connectionString: base.href });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await c.end();
    },
  };
}

export interface TestStore {
  dataDir: string;
  databaseUrl?: string;
  redisUrl?: string;
  redisPrefix: string;
  cleanup(): Promise<void>;
}

/** A private store for one test: temp dir, and a fresh PostgreSQL database when configured. Several servers may share it. */
export async function createTestStore(): Promise<TestStore> {
  const dataDir = mkdtempSync(join(tmpdir(), 'charla-test-'));
  const pgdb = backend.postgres ? await freshPostgresDatabase() : null;
  return {
    dataDir,
    databaseUrl: pgdb?.url,
    redisUrl: process.env.REDIS_URL || undefined,
    redisPrefix: `charla-t-${randomBytes(4).toString('hex')}:`,
    async cleanup() {
      await pgdb?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface TestServerOptions extends Omit<CreateServerOptions, 'config'> {
  config?: ConfigOverrides;
  store?: TestStore;
  listen?: boolean;
}

export interface TestServer {
  app: FastifyInstance;
  store: TestStore;
  /** http://127.0.0.1:<port> when listening. */
  url: string;
  /** JSON request through app.inject; `token` sets Authorization: Bearer. */
  request(method: string, path: string, opts?: { token?: string; body?: unknown; headers?: Record<string, string>; raw?: string }): Promise<{ status: number; body: any; headers: Record<string, unknown>; text: string }>;
  close(): Promise<void>;
}

/** Generous limits so functional tests are not throttled; rate-limit tests set their own. */
export const RELAXED_LIMITS = {
  loginFailuresPerEmail: { max: 1000, windowSeconds: 60 },
  authPerIp: { max: 100000, windowSeconds: 60 },
  widgetInitPerIp: { max: 100000, windowSeconds: 60 },
  messagesPerVisitor: { max: 100000, windowSeconds: 10 },
};

export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const ownStore = !opts.store;
  const store = opts.store ?? (await createTestStore());
  const { store: _s, listen, config, ...rest } = opts;
  // A refused boot drops the store it made (a fresh PostgreSQL database each time).
  const app = await createServer({
    env: { ...process.env, PORT: undefined, PUBLIC_URL: undefined, CHARLA_CONFIG: undefined, NODE_ENV: 'test' },
    ...rest,
    config: {
      dataDir: store.dataDir,
      databaseUrl: store.databaseUrl,
      redisUrl: store.redisUrl,
      redisPrefix: store.redisPrefix,
      logLevel: (process.env.CHARLA_TEST_LOG as never) ?? 'silent',
      jobs: { pollIntervalMs: 50, leaseSeconds: 30, maxAttempts: 8, concurrency: 10 },
      ...config,
      rateLimits: { ...RELAXED_LIMITS, ...(config?.rateLimits ?? {}) } as never,
    },
  }).catch(async (err: unknown) => {
    if (ownStore) await store.cleanup().catch(() => undefined);
    throw err;
  });
  let url = '';
  if (listen) {
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  } else {
    await app.ready();
  }
  return {
    app, store, url,
    async request(method, path, o = {}) {
      const headers: Record<string, string> = { ...(o.headers ?? {}) };
      if (o.token) headers.authorization = `Bearer ${o.token}`;
      const inject: InjectOptions = { method: method as InjectOptions['method'], url: path, headers };
      if (o.raw !== undefined) {
        inject.payload = o.raw;
        headers['content-type'] ??= 'application/json';
      } else if (o.body !== undefined) {
        inject.payload = JSON.stringify(o.body);
        headers['content-type'] = 'application/json';
      }
      const res = await app.inject(inject);
      let body: unknown;
      try {
        body = res.body ? JSON.parse(res.body) : undefined;
      } catch {
        body = undefined;
      }
      return { status: res.statusCode, body, headers: res.headers, text: res.body };
    },
    async close() {
      await app.close();
      if (ownStore) await store.cleanup();
    },
  };
}

let counter = 0;
/** Signs up a fresh account; returns its owner's token and ids. */
export async function signup(server: Pick<TestServer, 'request'>, name = 'Acme'): Promise<{ token: string; csrfToken: string; accountId: string; userId: string; email: string; password: string }> {
  const tag = `${Date.now().toString(36)}${(counter++).toString(36)}${randomBytes(2).toString('hex')}`;
  const email = `owner-${tag}@example.com`;
  const password = `pw-${tag}-secret`;
  const res = await server.request('POST', '/api/v1/auth/signup', { body: { accountName: `${name} ${tag}`, name: 'Owner', email, password } });
  if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${res.text}`);
  return { token: res.body.token, csrfToken: res.body.csrfToken, accountId: res.body.account.id, userId: res.body.user.id, email, password };
}

export interface CapturedMail {
  from: string;
  to: string[];
  raw: string;
  subject: string;
  text: string;
}

/** A real SMTP server on an ephemeral port that keeps every message it receives. */
export async function startSmtpServer(): Promise<{ url: string; messages: CapturedMail[]; waitFor(match: (m: CapturedMail) => boolean, ms?: number): Promise<CapturedMail>; close(): Promise<void> }> {
  const messages: CapturedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const [head, ...bodyParts] = raw.split(/\r?\n\r?\n/);
        const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
        const subject = /^subject: (.*)$/im.exec(unfolded)?.[1] ?? '';
        let text = bodyParts.join('\n\n');
        if (/content-transfer-encoding: quoted-printable/i.test(head)) {
          text = text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
        }
        messages.push({ from: session.envelope.mailFrom ? (session.envelope.mailFrom as { address: string }).address : '', to: session.envelope.rcptTo.map((r) => r.address), raw, subject, text });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    async waitFor(match, ms = 5000) {
      const start = Date.now();
      for (;;) {
        const m = messages.find(match);
        if (m) return m;
        if (Date.now() - start > ms) throw new Error(`no matching e-mail within ${ms} ms (got ${messages.length}: ${messages.map((x) => x.subject).join(', ')})`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface TestSocket {
  ws: WebSocket;
  frames: any[];
  send(frame: unknown): void;
  waitFor(match: (f: any) => boolean, ms?: number): Promise<any>;
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

/** A real WebSocket client for `/api/v1/realtime`. */
export function connectSocket(baseUrl: string, token: string | null, opts: { headers?: Record<string, string>; query?: boolean } = {}): Promise<TestSocket> {
  const url = `${baseUrl.replace(/^http/, 'ws')}/api/v1/realtime${token && opts.query !== false ? `?token=${encodeURIComponent(token)}` : ''}`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: opts.headers });
    const frames: any[] = [];
    let onClose: (v: { code: number; reason: string }) => void;
    const closed = new Promise<{ code: number; reason: string }>((r) => (onClose = r));
    ws.on('message', (d) => {
      try {
        frames.push(JSON.parse(String(d)));
      } catch {
        frames.push(String(d));
      }
    });
    ws.on('close', (code, reason) => onClose({ code, reason: String(reason) }));
    ws.on('open', () =>
      resolve({
        ws, frames, closed,
        send: (f) => ws.send(typeof f === 'string' ? f : JSON.stringify(f)),
        close: () => ws.close(),
        waitFor(match, ms = 5000) {
          return new Promise((ok, fail) => {
            const start = Date.now();
            const iv = setInterval(() => {
              const f = frames.find(match);
              if (f) {
                clearInterval(iv);
                ok(f);
              } else if (Date.now() - start > ms) {
                clearInterval(iv);
                fail(new Error(`no matching frame within ${ms} ms; last: ${JSON.stringify(frames.slice(-3))}`));
              }
            }, 10);
          });
        },
      }),
    );
    ws.on('unexpected-response', (_req, res) => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { statusCode: res.statusCode })));
    ws.on('error', reject);
  });
}

/**
 * Whether an optional part of the suite can run. Prints plainly when it cannot; under
 * CHARLA_REQUIRE_ALL=1 (CI) a missing part is a failure instead of a skip.
 */
export function requirePart(name: string, available: boolean, t: { fail(msg: string): void; comment(msg: string): void }): boolean {
  if (available) return true;
  if (process.env.CHARLA_REQUIRE_ALL === '1') {
    t.fail(`${name} is required (CHARLA_REQUIRE_ALL=1) but not available`);
  } else {
    t.comment(`NOT RUN: ${name} is not available on this machine`);
  }
  return false;
}

/** Polls `fn` every 20 ms until `ok` holds for its value (then returns it); throws with the last value after `ms`. */
export async function until<T>(fn: () => Promise<T> | T, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() - start > ms) throw new Error(`condition not met within ${ms} ms; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export { createServer };
