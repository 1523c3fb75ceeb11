import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { ManualClock } from '@charla/core';
import { connectSocket, signup, startSmtpServer, startTestServer, until, type TestServer, type TestServerOptions, type TestSocket } from '@charla/core/testing';
import conversations from '@charla/plugin-conversations';
import inbox from '../src/server/index.js';

export { conversations, inbox, until };

/**
 * The plugin declares its built widget module (dist/widget/index.js), which the server
 * checks at boot: build it (as `npm run build` does) when it is missing or older than
 * its source.
 */
export function ensureWidgetModule(): void {
  const pkg = fileURLToPath(new URL('..', import.meta.url));
  const out = `${pkg}dist/widget/index.js`;
  if (existsSync(out) && statSync(out).mtimeMs >= statSync(`${pkg}src/widget/index.ts`).mtimeMs) return;
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.widget.json'], { cwd: pkg, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building the widget module failed:\n${r.stdout}${r.stderr}`);
}
ensureWidgetModule();

/** Long presence expiry: tests move the ManualClock by minutes without sockets expiring. */
export const REALTIME = { maxPayloadBytes: 64 * 1024, maxFramesPerSecond: 50, idleTimeoutSeconds: 60, presenceTtlSeconds: 86_400, allowedAgentOrigins: [] as string[] };

export type Smtp = Awaited<ReturnType<typeof startSmtpServer>>;

export interface Env { s: TestServer; smtp: Smtp; clock: ManualClock; close(): Promise<void> }

/** A listening server with conversations + inbox, a real SMTP server and a ManualClock. */
export async function startEnv(opts: TestServerOptions & { smtp?: Smtp } = {}): Promise<Env> {
  const smtp = opts.smtp ?? (await startSmtpServer());
  const clock = (opts.clock as ManualClock | undefined) ?? new ManualClock();
  const { smtp: _x, ...rest } = opts;
  const s = await startTestServer({ plugins: [conversations, inbox], listen: true, clock, ...rest, config: { smtpUrl: smtp.url, realtime: REALTIME, ...(rest.config ?? {}) } });
  return {
    s, smtp, clock,
    async close() {
      await s.close();
      if (!opts.smtp) await smtp.close();
    },
  };
}

export const cradle = (s: TestServer) => s.app.charla.container.cradle;
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const cid = () => `c-${randomBytes(6).toString('hex')}`;

/** Waits for event handlers, then runs due jobs (twice: a job may enqueue core.mail). */
export async function settle(s: TestServer): Promise<void> {
  const { events, jobs } = cradle(s);
  await events.drain();
  await jobs.runDue();
  await events.drain();
  await jobs.runDue();
  await events.drain();
}

export interface Agent { token: string; userId: string; accountId: string; email: string; name: string }
export interface World { owner: Agent; site: { id: string; appId: string; name: string } }

export async function world(s: TestServer, settings: Record<string, unknown> = {}): Promise<World> {
  const a = await signup(s);
  const site = await s.request('POST', '/api/v1/sites', { token: a.token, body: { name: 'Shop' } });
  if (site.status !== 201) throw new Error(`site: ${site.status} ${site.text}`);
  if (Object.keys(settings).length) await setSettings(s, a.token, settings);
  return { owner: { token: a.token, userId: a.userId, accountId: a.accountId, email: a.email, name: 'Owner' }, site: site.body };
}

export async function setSettings(s: TestServer, token: string, settings: Record<string, unknown>): Promise<void> {
  const r = await s.request('PATCH', '/api/v1/plugins/inbox', { token, body: { settings } });
  if (r.status !== 200) throw new Error(`settings: ${r.status} ${r.text}`);
}

/** A second member, invited by e-mail through the real SMTP server. */
export async function addAgent(s: TestServer, smtp: Smtp, w: World, name: string, role: 'agent' | 'admin' = 'agent'): Promise<Agent> {
  const email = `${name.toLowerCase().replace(/\W+/g, '-')}-${randomBytes(4).toString('hex')}@example.com`;
  const inv = await s.request('POST', '/api/v1/team/invitations', { token: w.owner.token, body: { email, role } });
  if (inv.status !== 201) throw new Error(`invite: ${inv.status} ${inv.text}`);
  const mail = await smtp.waitFor((m) => m.to.includes(email));
  const token = /token=([A-Za-z0-9_-]+)/.exec(mail.text)![1];
  const r = await s.request('POST', '/api/v1/auth/invitations/accept', { body: { token, name, password: `${name}-secret-pw` } });
  if (r.status !== 201) throw new Error(`accept: ${r.status} ${r.text}`);
  return { token: r.body.token, userId: r.body.user.id, accountId: w.owner.accountId, email, name };
}

/** Connects an agent's device and waits until routing sees them online. */
export async function goOnline(s: TestServer, a: Agent, url = s.url): Promise<TestSocket> {
  const sock = await connectSocket(url, a.token);
  sock.send({ op: 'subscribe', channel: `account:${a.accountId}` });
  await sock.waitFor((f) => f.op === 'subscribed');
  for (let i = 0; i < 200; i++) {
    const me = await s.request('GET', '/api/v1/inbox/agents/me', { token: a.token });
    if (me.body?.online) break;
    await sleep(10);
  }
  await cradle(s).events.drain();
  return sock;
}

export async function visitor(s: TestServer, appId: string, user?: Record<string, unknown>): Promise<{ token: string; id: string }> {
  const r = await s.request('POST', '/api/v1/widget/init', { body: { appId, ...(user ? { user } : {}) } });
  if (r.status !== 200) throw new Error(`init: ${r.status} ${r.text}`);
  return { token: r.body.visitorToken, id: r.body.visitor.id };
}

/** A visitor writes (opening a conversation); returns the conversation id after routing ran. */
export async function newConversation(s: TestServer, appId: string, content = 'Hello?', user?: Record<string, unknown>): Promise<{ id: string; visitor: { token: string; id: string } }> {
  const v = await visitor(s, appId, user);
  const r = await s.request('POST', '/api/v1/widget/messages', { token: v.token, body: { content, clientId: cid() } });
  if (r.status !== 201) throw new Error(`send: ${r.status} ${r.text}`);
  await cradle(s).events.drain();
  return { id: r.body.conversation.id, visitor: v };
}

export async function conversation(s: TestServer, token: string, id: string): Promise<{ assigneeId: string | null; priority: string; status: string }> {
  const r = await s.request('GET', `/api/v1/inbox/conversations/${id}`, { token });
  if (r.status !== 200) throw new Error(`get: ${r.status} ${r.text}`);
  return r.body;
}

export async function replyAs(s: TestServer, a: { token: string }, id: string, content = 'On it'): Promise<void> {
  const r = await s.request('POST', `/api/v1/inbox/conversations/${id}/messages`, { token: a.token, body: { content, clientId: cid() } });
  if (r.status !== 201) throw new Error(`reply: ${r.status} ${r.text}`);
  await cradle(s).events.drain();
}
