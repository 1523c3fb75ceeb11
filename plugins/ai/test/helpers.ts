import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import { signup, startTestServer, until, type TestServer, type TestServerOptions } from '@charla/core/testing';
import conversations from '@charla/plugin-conversations';
import inbox from '@charla/plugin-inbox';
import knowledgeBase from '@charla/plugin-knowledge-base';
import ai from '../src/server/index.js';
import { startOpenAiServer, type OpenAiServer } from './openai-server.js';

export { ai, conversations, inbox, knowledgeBase, until };

export interface Env { s: TestServer; fake: OpenAiServer; logs: string[]; close(): Promise<void> }

/** Conversations, inbox, knowledge base and AI on a real server, with a real OpenAI-protocol server and the logs captured. */
export async function startEnv(opts: TestServerOptions = {}): Promise<Env> {
  const fake = await startOpenAiServer();
  const logs: string[] = [];
  const sink = new Writable({ write(chunk, _enc, cb) { logs.push(String(chunk)); cb(); } });
  const s = await startTestServer({ plugins: [conversations, inbox, knowledgeBase, ai], logger: pino({ level: 'debug' }, sink), ...opts });
  return { s, fake, logs, async close() { await s.close(); await fake.close(); } };
}

export interface World { token: string; accountId: string; userId: string; site: { id: string; appId: string } }

export async function world(s: TestServer, name = 'Shop'): Promise<World> {
  const a = await signup(s, name);
  const site = await s.request('POST', '/api/v1/sites', { token: a.token, body: { name } });
  if (site.status !== 201) throw new Error(`site: ${site.status} ${site.text}`);
  return { token: a.token, accountId: a.accountId, userId: a.userId, site: site.body };
}

export async function configure(s: TestServer, token: string, settings: Record<string, unknown>): Promise<void> {
  const r = await s.request('PATCH', '/api/v1/plugins/ai', { token, body: { settings } });
  if (r.status !== 200) throw new Error(`settings: ${r.status} ${r.text}`);
}

export async function article(s: TestServer, token: string, body: Record<string, unknown>): Promise<{ id: string; slug: string; title: string }> {
  const r = await s.request('POST', '/api/v1/kb/articles', { token, body });
  if (r.status !== 201) throw new Error(`article: ${r.status} ${r.text}`);
  return r.body;
}

export async function visitor(s: TestServer, appId: string): Promise<{ token: string; id: string }> {
  const r = await s.request('POST', '/api/v1/widget/init', { body: { appId } });
  if (r.status !== 200) throw new Error(`init: ${r.status} ${r.text}`);
  return { token: r.body.visitorToken, id: r.body.visitor.id };
}

/** Runs due outbox deliveries and jobs (responder turns, embeddings) until nothing is left. */
export async function settle(s: TestServer): Promise<void> {
  const { events, jobs } = s.app.charla.container.cradle;
  for (let i = 0; i < 4; i++) {
    await events.drain();
    await jobs.runDue();
    await jobs.idle();
  }
}

export async function send(s: TestServer, token: string, content: string, conversationId?: string): Promise<{ conversationId: string; messageId: string }> {
  const r = await s.request('POST', '/api/v1/widget/messages', { token, body: { content, clientId: randomUUID(), ...(conversationId ? { conversationId } : {}) } });
  if (r.status !== 201) throw new Error(`send: ${r.status} ${r.text}`);
  return { conversationId: r.body.conversation.id, messageId: r.body.message.id };
}

export interface Msg { id: string; senderType: string; content: string; private: boolean; metadata: Record<string, any> | null }
export async function messages(s: TestServer, token: string, conversationId: string): Promise<Msg[]> {
  const r = await s.request('GET', `/api/v1/inbox/conversations/${conversationId}/messages`, { token });
  return r.body.messages;
}

export const isProblem = (r: { status: number; headers: Record<string, unknown>; body: any }, status: number, code?: string) =>
  r.status === status && String(r.headers['content-type']).startsWith('application/problem+json') && typeof r.body?.detail === 'string' && (code === undefined || r.body.code === code);
