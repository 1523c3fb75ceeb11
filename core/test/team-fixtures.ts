/** Team fixtures through the real API: invite by e-mail, read the link at the SMTP server, accept. */
import { randomBytes } from 'node:crypto';
import type { CapturedMail, TestServer } from '@charla/core/testing';

export interface Smtp {
  messages: CapturedMail[];
  waitFor(match: (m: CapturedMail) => boolean, ms?: number): Promise<CapturedMail>;
}

export interface Member {
  token: string;
  csrfToken: string;
  userId: string;
  email: string;
  password: string;
  role: string;
}

/** The token of the first link in an e-mail whose path is `path` (e.g. /admin/accept-invitation). */
export function linkToken(mail: CapturedMail, path: string): { url: string; token: string } {
  const m = new RegExp(`(https?://\\S+?${path.replace(/\//g, '\\/')}\\?token=([A-Za-z0-9_%-]+))`).exec(mail.text);
  if (!m) throw new Error(`no ${path} link in e-mail "${mail.subject}":\n${mail.text}`);
  return { url: m[1], token: decodeURIComponent(m[2]) };
}

export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}@example.com`;
}

/** Invites `email` as `role` with `inviterToken`, waits for the e-mail and returns the invitation token. */
export async function inviteAndReadToken(s: TestServer, smtp: Smtp, inviterToken: string, role: string, email = uniqueEmail(role)): Promise<{ invitationId: string; token: string; email: string }> {
  const res = await s.request('POST', '/api/v1/team/invitations', { token: inviterToken, body: { email, role } });
  if (res.status !== 201) throw new Error(`invite failed: ${res.status} ${res.text}`);
  const mail = await smtp.waitFor((m) => m.to.includes(email.toLowerCase()) && /accept-invitation/.test(m.text));
  return { invitationId: res.body.id, token: linkToken(mail, '/admin/accept-invitation').token, email: email.toLowerCase() };
}

/** Adds a member with `role` to the inviter's account through invitation and acceptance. */
export async function addMember(s: TestServer, smtp: Smtp, inviterToken: string, role: 'owner' | 'admin' | 'agent', name = `${role} member`): Promise<Member> {
  const inv = await inviteAndReadToken(s, smtp, inviterToken, role);
  const password = `pw-${randomBytes(6).toString('hex')}`;
  const res = await s.request('POST', '/api/v1/auth/invitations/accept', { body: { token: inv.token, name, password } });
  if (res.status !== 201) throw new Error(`accept failed: ${res.status} ${res.text}`);
  return { token: res.body.token, csrfToken: res.body.csrfToken, userId: res.body.user.id, email: inv.email, password, role };
}

/** A fresh session for an existing user. */
export async function login(s: TestServer, email: string, password: string): Promise<string> {
  const res = await s.request('POST', '/api/v1/auth/login', { body: { email, password } });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.text}`);
  return res.body.token;
}
