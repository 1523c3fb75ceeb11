import { randomBytes } from 'node:crypto';
import { signup, startTestServer, until, type TestServer, type TestServerOptions } from '@charla/core/testing';
import conversations from '@charla/plugin-conversations';
import knowledgeBase from '@charla/plugin-knowledge-base';
import bot from '../src/server/index.js';

export { bot, conversations, knowledgeBase, until };

export interface World { token: string; accountId: string; userId: string; site: { id: string; appId: string } }

/** A server with conversations, the knowledge base and the bot (the real kernel, database and job queue). */
export function startBotServer(opts: TestServerOptions = {}): Promise<TestServer> {
  return startTestServer({ plugins: [conversations, knowledgeBase, bot], ...opts });
}

export async function world(s: TestServer, name = 'Shop'): Promise<World> {
  const a = await signup(s, name);
  const site = await s.request('POST', '/api/v1/sites', { token: a.token, body: { name } });
  if (site.status !== 201) throw new Error(`site: ${site.status} ${site.text}`);
  return { token: a.token, accountId: a.accountId, userId: a.userId, site: site.body };
}

export async function visitor(s: TestServer, appId: string, extra: Record<string, unknown> = {}): Promise<{ token: string; id: string }> {
  const r = await s.request('POST', '/api/v1/widget/init', { body: { appId, ...extra } });
  if (r.status !== 200) throw new Error(`init: ${r.status} ${r.text}`);
  return { token: r.body.visitorToken, id: r.body.visitor.id };
}

/** The visitor writes; returns `{message, conversation}`. */
export async function say(s: TestServer, token: string, content: string, conversationId?: string): Promise<{ message: { id: string }; conversation: { id: string } }> {
  const r = await s.request('POST', '/api/v1/widget/messages', { token, body: { content, clientId: randomBytes(6).toString('hex'), conversationId } });
  if (r.status !== 201) throw new Error(`say: ${r.status} ${r.text}`);
  return r.body;
}

/** Runs every due outbox delivery and responder turn, until nothing is left. */
export async function settle(s: TestServer): Promise<void> {
  const { events, jobs } = s.app.charla.container.cradle;
  for (let i = 0; i < 3; i++) {
    await events.drain();
    await jobs.runDue(['conversations.respond']);
    await jobs.idle();
  }
}

export interface Msg { id: string; senderType: string; content: string; private: boolean; metadata?: Record<string, unknown> }

export async function history(s: TestServer, token: string, conversationId: string): Promise<Msg[]> {
  const r = await s.request('GET', `/api/v1/inbox/conversations/${conversationId}/messages`, { token });
  if (r.status !== 200) throw new Error(`history: ${r.status} ${r.text}`);
  return r.body.messages;
}

export const lines = (msgs: Msg[]) => msgs.map((m) => `${m.senderType}: ${m.content}`);

export async function rule(s: TestServer, token: string, body: Record<string, unknown>): Promise<{ id: string; position: number; [k: string]: unknown }> {
  const r = await s.request('POST', '/api/v1/bot/rules', { token, body });
  if (r.status !== 201) throw new Error(`rule: ${r.status} ${r.text}`);
  return r.body;
}

export async function flow(s: TestServer, token: string, body: Record<string, unknown>): Promise<{ id: string; [k: string]: unknown }> {
  const r = await s.request('POST', '/api/v1/bot/flows', { token, body });
  if (r.status !== 201) throw new Error(`flow: ${r.status} ${r.text}`);
  return r.body;
}

export async function article(s: TestServer, token: string, body: Record<string, unknown>): Promise<{ id: string; slug: string; title: string }> {
  const r = await s.request('POST', '/api/v1/kb/articles', { token, body });
  if (r.status !== 201) throw new Error(`article: ${r.status} ${r.text}`);
  return r.body;
}
