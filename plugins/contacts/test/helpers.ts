import { ManualClock } from '@charla/core';
import { signup, startTestServer, type TestServer, type TestServerOptions } from '@charla/core/testing';
import conversations from '@charla/plugin-conversations';
import contacts from '../src/server/index.js';

export { conversations, contacts };
export type Req = Pick<TestServer, 'request'>;

/** A server with conversations + contacts and a clock the test moves. */
export async function startEnv(opts: TestServerOptions = {}): Promise<{ s: TestServer; clock: ManualClock }> {
  const clock = (opts.clock as ManualClock | undefined) ?? new ManualClock();
  // Sessions outlive the days the tests move the clock by.
  const s = await startTestServer({ plugins: [conversations, contacts], clock, ...opts, config: { sessionTtlSeconds: 400 * 86_400, ...(opts.config ?? {}) } });
  return { s, clock };
}

export interface World { token: string; accountId: string; userId: string; site: { id: string; appId: string; identityVerification: { secret?: string } } }

/** An account (its owner's token) with one site. */
export async function world(s: Req): Promise<World> {
  const a = await signup(s);
  const site = await s.request('POST', '/api/v1/sites', { token: a.token, body: { name: 'Shop' } });
  if (site.status !== 201) throw new Error(`site: ${site.status} ${site.text}`);
  return { token: a.token, accountId: a.accountId, userId: a.userId, site: site.body };
}

/** A widget visitor (POST /widget/init), with optional page, locale, user. */
export async function visitor(s: Req, appId: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<{ token: string; id: string }> {
  const r = await s.request('POST', '/api/v1/widget/init', { body: { appId, ...extra }, headers });
  if (r.status !== 200) throw new Error(`init: ${r.status} ${r.text}`);
  return { token: r.body.visitorToken, id: r.body.visitor.id };
}

export async function ok<T = any>(p: Promise<{ status: number; body: any; text: string }>, status = 200): Promise<T> {
  const r = await p;
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${r.text}`);
  return r.body as T;
}

export const ids = (body: { contacts: Array<{ id: string }> }) => body.contacts.map((c) => c.id).sort();
export const MIN = 60_000;
export const DAY = 86_400_000;
