import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock } from '@charla/core';
import { signup, startSmtpServer, startTestServer, until, type TestServer, type TestServerOptions } from '@charla/core/testing';
import conversations from '@charla/plugin-conversations';
import webhooks from '../src/server/index.js';

export { conversations, webhooks, until };
export type Smtp = Awaited<ReturnType<typeof startSmtpServer>>;

export interface Received { headers: IncomingHttpHeaders; body: string; json: { id: string; type: string; version?: number; createdAt: string; accountId: string; data: Record<string, unknown> } }

/**
 * A real HTTP receiver on 127.0.0.1. `respond` decides each answer (status, optional
 * headers, or 'hang' to never answer); every request is recorded.
 */
export interface Receiver {
  url: string; port: number; received: Received[];
  respond: (r: Received) => number | 'hang' | { status: number; headers?: Record<string, string>; delayMs?: number };
  /** Requests being answered now, and the most there ever were at once. */
  active: number; peak: number;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const hanging = new Set<import('node:http').ServerResponse>();
  const rec: Receiver = {
    url: '', port: 0, received: [], respond: () => 200, active: 0, peak: 0,
    close: () => new Promise((r) => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const r: Received = { headers: req.headers, body, json: JSON.parse(body) };
      rec.received.push(r);
      rec.active++;
      rec.peak = Math.max(rec.peak, rec.active);
      res.on('close', () => rec.active--);
      const answer = rec.respond(r);
      if (answer === 'hang') {
        hanging.add(res);
        return;
      }
      const { status, headers = {}, delayMs = 0 } = typeof answer === 'number' ? { status: answer } : answer;
      if (!delayMs) return void res.writeHead(status, headers).end('ok');
      hanging.add(res);
      setTimeout(() => {
        hanging.delete(res);
        if (!res.destroyed) res.writeHead(status, headers).end('ok');
      }, delayMs);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  rec.port = (server.address() as AddressInfo).port;
  rec.url = `http://127.0.0.1:${rec.port}/hook`;
  return rec;
}

/**
 * Standard Webhooks verification written from the spec, independently of the plugin's
 * signer: HMAC-SHA256 keyed with the base64-decoded secret over "id.timestamp.body".
 */
export function verify(secret: string, headers: IncomingHttpHeaders, body: string): boolean {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${String(headers['webhook-id'])}.${String(headers['webhook-timestamp'])}.${body}`).digest('base64');
  return String(headers['webhook-signature']).split(' ').some((s) => s === `v1,${expected}`);
}

export interface Env { s: TestServer; smtp: Smtp; clock: ManualClock; receiver: Receiver; close(): Promise<void> }

/**
 * A server with conversations + webhooks, a real SMTP server, a ManualClock and a
 * receiver the operator allowlisted (WEBHOOKS_ALLOWED_HOSTS names its port only).
 */
export async function startEnv(opts: TestServerOptions & { env?: Record<string, string>; receiver?: Receiver; smtp?: Smtp } = {}): Promise<Env> {
  const receiver = opts.receiver ?? (await startReceiver());
  const smtp = opts.smtp ?? (await startSmtpServer());
  const clock = (opts.clock as ManualClock | undefined) ?? new ManualClock();
  const vars = { WEBHOOKS_ALLOWED_HOSTS: `127.0.0.1:${receiver.port}`, WEBHOOKS_RETRY_SCHEDULE: '10,20', WEBHOOKS_TIMEOUT_MS: '400', ...(opts.env ?? {}) };
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars); // read by the plugin when it registers
  const { env: _e, receiver: _r, smtp: _m, ...rest } = opts;
  try {
    const s = await startTestServer({ plugins: [conversations, webhooks], clock, ...rest, config: { smtpUrl: smtp.url, ...(rest.config ?? {}) } });
    return {
      s, smtp, clock, receiver,
      async close() {
        await s.close();
        if (!opts.smtp) await smtp.close();
        if (!opts.receiver) await receiver.close();
      },
    };
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

export const cradle = (s: TestServer) => s.app.charla.container.cradle;
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const cid = () => `c-${randomBytes(6).toString('hex')}`;

/** Runs due event deliveries and jobs until nothing is left that is due now. */
export async function settle(s: TestServer): Promise<void> {
  const { events, jobs } = cradle(s);
  for (let i = 0; i < 3; i++) {
    await events.drain();
    await jobs.runDue();
  }
  await events.drain();
}

export interface World { token: string; accountId: string; userId: string; email: string; appId: string }

export async function world(s: TestServer): Promise<World> {
  const a = await signup(s);
  const site = await s.request('POST', '/api/v1/sites', { token: a.token, body: { name: 'Shop' } });
  if (site.status !== 201) throw new Error(`site: ${site.status} ${site.text}`);
  return { token: a.token, accountId: a.accountId, userId: a.userId, email: a.email, appId: site.body.appId };
}

/** A member invited by e-mail through the real SMTP server. */
export async function addMember(s: TestServer, smtp: Smtp, w: World, role: 'agent' | 'admin'): Promise<{ token: string; email: string }> {
  const email = `${role}-${randomBytes(4).toString('hex')}@example.com`;
  const inv = await s.request('POST', '/api/v1/team/invitations', { token: w.token, body: { email, role } });
  if (inv.status !== 201) throw new Error(`invite: ${inv.status} ${inv.text}`);
  const mail = await smtp.waitFor((m) => m.to.includes(email));
  const token = /token=([A-Za-z0-9_-]+)/.exec(mail.text)![1];
  const r = await s.request('POST', '/api/v1/auth/invitations/accept', { body: { token, name: role, password: `${role}-secret-pw` } });
  if (r.status !== 201) throw new Error(`accept: ${r.status} ${r.text}`);
  return { token: r.body.token, email };
}

/** A visitor writes: conversation.created and message.created follow. */
export async function visitorWrites(s: TestServer, appId: string, content = 'Hello?'): Promise<{ conversationId: string; messageId: string }> {
  const init = await s.request('POST', '/api/v1/widget/init', { body: { appId } });
  if (init.status !== 200) throw new Error(`init: ${init.status} ${init.text}`);
  const r = await s.request('POST', '/api/v1/widget/messages', { token: init.body.visitorToken, body: { content, clientId: cid() } });
  if (r.status !== 201) throw new Error(`send: ${r.status} ${r.text}`);
  return { conversationId: r.body.conversation.id, messageId: r.body.message.id };
}

export async function createHook(s: TestServer, token: string, body: Record<string, unknown>): Promise<{ id: string; secret: string }> {
  const r = await s.request('POST', '/api/v1/webhooks', { token, body });
  if (r.status !== 201) throw new Error(`webhook: ${r.status} ${r.text}`);
  return r.body;
}
