import { randomBytes } from 'node:crypto';
import type { Test } from 'tap';
import { signup, type TestServer } from '@charla/core/testing';

export const cradle = (s: TestServer) => s.app.charla.container.cradle;
export const cid = () => `c-${randomBytes(6).toString('hex')}`;

/** Runs due event deliveries and jobs until nothing is left that is due now. */
export async function settle(s: TestServer): Promise<void> {
  const { events, jobs } = cradle(s);
  for (let i = 0; i < 3; i++) {
    await events.drain();
    await jobs.runDue();
    await jobs.idle(); // what the background worker took meanwhile
  }
  await events.drain();
}

export function expectProblem(t: Test, res: { status: number; body: any; headers: Record<string, unknown>; text: string }, status: number, code?: string): void {
  t.equal(res.status, status, `status ${status} (got ${res.status}: ${res.text.slice(0, 300)})`);
  t.match(String(res.headers['content-type']), /^application\/problem\+json/, 'problem+json');
  if (code) t.equal(res.body?.code, code);
  t.type(res.body?.detail, 'string');
}

/** An operator (OPERATOR_EMAILS must hold OPERATOR) signs up its own account. */
export const OPERATOR = 'ops@charla.example';
export async function operator(s: TestServer): Promise<string> {
  const r = await s.request('POST', '/api/v1/auth/signup', { body: { accountName: 'Operator Co', name: 'Olga', email: OPERATOR, password: 'operator password' } });
  if (r.status !== 201) throw new Error(`operator signup: ${r.status} ${r.text}`);
  return r.body.token as string;
}

export async function site(s: TestServer, token: string, name = 'Shop'): Promise<{ status: number; body: any; headers: Record<string, unknown>; text: string }> {
  return s.request('POST', '/api/v1/sites', { token, body: { name } });
}

/** A visitor starts a conversation: conversation.created and message.created follow. */
export async function visitorWrites(s: TestServer, appId: string, content = 'Hello?'): Promise<{ conversationId: string; visitorToken: string }> {
  const init = await s.request('POST', '/api/v1/widget/init', { body: { appId } });
  if (init.status !== 200) throw new Error(`init: ${init.status} ${init.text}`);
  const r = await s.request('POST', '/api/v1/widget/messages', { token: init.body.visitorToken, body: { content, clientId: cid() } });
  if (r.status !== 201) throw new Error(`send: ${r.status} ${r.text}`);
  return { conversationId: r.body.conversation.id, visitorToken: init.body.visitorToken };
}

export const invite = (s: TestServer, token: string, email: string, role = 'agent') => s.request('POST', '/api/v1/team/invitations', { token, body: { email, role } });

export { signup };

/** Plans for the tests: a small one with every limit, and an unlimited one. */
export const PLANS = [
  { id: 'small', name: 'Small', plugins: ['*'], limits: { agents: 2, sites: 1, conversationsPerMonth: 2 } },
  { id: 'big', name: 'Big', plugins: ['*'], limits: { agents: null, sites: null, conversationsPerMonth: null }, entitlements: { removeBranding: true } },
];
