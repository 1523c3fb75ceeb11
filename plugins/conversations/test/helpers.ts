import { randomBytes } from 'node:crypto';
import { signup, startTestServer, type TestServer, type TestServerOptions } from '@charla/core/testing';
import conversations from '../src/server/index.js';

export { conversations };

/** A listening server with the conversations plugin. */
export function startServer(opts: TestServerOptions = {}): Promise<TestServer> {
  return startTestServer({ plugins: [conversations], listen: true, ...opts });
}

export interface World {
  agent: { token: string; accountId: string; userId: string };
  site: { id: string; appId: string; identityVerification: { secret?: string } };
}

/** An account with one site. */
export async function world(s: Pick<TestServer, 'request'>): Promise<World> {
  const a = await signup(s);
  const site = await s.request('POST', '/api/v1/sites', { token: a.token, body: { name: 'Shop' } });
  if (site.status !== 201) throw new Error(`site: ${site.status} ${site.text}`);
  return { agent: { token: a.token, accountId: a.accountId, userId: a.userId }, site: site.body };
}

export async function visitor(s: Pick<TestServer, 'request'>, appId: string, extra: Record<string, unknown> = {}): Promise<{ token: string; id: string }> {
  const r = await s.request('POST', '/api/v1/widget/init', { body: { appId, ...extra } });
  if (r.status !== 200) throw new Error(`init: ${r.status} ${r.text}`);
  return { token: r.body.visitorToken, id: r.body.visitor.id };
}

export const cid = () => `c-${randomBytes(6).toString('hex')}`;

export async function send(s: Pick<TestServer, 'request'>, token: string, content: string, conversationId?: string) {
  const r = await s.request('POST', '/api/v1/widget/messages', { token, body: { content, clientId: cid(), ...(conversationId ? { conversationId } : {}) } });
  if (r.status !== 201) throw new Error(`send: ${r.status} ${r.text}`);
  return r.body as { message: { id: string; seq: number; conversationId: string }; conversation: { id: string } };
}

export async function reply(s: Pick<TestServer, 'request'>, token: string, conversationId: string, content: string, priv = false) {
  const r = await s.request('POST', `/api/v1/inbox/conversations/${conversationId}/messages`, { token, body: { content, clientId: cid(), private: priv } });
  if (r.status !== 201) throw new Error(`reply: ${r.status} ${r.text}`);
  return r.body as { message: { id: string; seq: number } };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
