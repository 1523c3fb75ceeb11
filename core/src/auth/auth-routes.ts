import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AwilixContainer } from 'awilix';
import type { Cradle } from '../container.js';
import { agentOf } from '../http/request-auth.js';
import { Email, Name, Password, SessionSchema, UserSchema, AccountSchema, problems } from '../http/schemas.js';
import { SESSION_COOKIE, type SessionResult } from './auth-service.js';

export async function authRoutes(app: FastifyInstance, { container }: { container: AwilixContainer<Cradle> }): Promise<void> {
  const { auth, config, rateLimiter } = container.cradle;
  const secure = config.publicUrl.startsWith('https://');

  // 30 credential requests per IP per minute (configurable), shared across instances with
  // Redis. Only routes that check or set a credential count: `GET /me` and logout do not,
  // or agents behind one NAT would lock each other out of logging in.
  const perIp = async (request: FastifyRequest) => {
    await rateLimiter.consume(`auth-ip:${request.ip}`, config.rateLimits.authPerIp, 'authentication requests from this address');
  };

  const setSession = (reply: FastifyReply, s: SessionResult) => {
    reply.setCookie(SESSION_COOKIE, s.token, { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: config.sessionTtlSeconds });
    return { token: s.token, csrfToken: s.csrfToken, user: s.user, account: s.account };
  };
  const ua = (r: FastifyRequest) => (typeof r.headers['user-agent'] === 'string' ? r.headers['user-agent'] : undefined);

  app.post('/signup', {
    preHandler: perIp,
    config: { auth: 'public' },
    schema: {
      tags: ['auth'], summary: 'Create an account and its owner',
      body: Type.Object({ accountName: Name, name: Name, email: Email, password: Password }),
      response: { 201: SessionSchema, ...problems(400, 403, 409, 429) },
    },
  }, async (request, reply) => {
    const body = request.body as { accountName: string; name: string; email: string; password: string };
    const s = await auth.signup(body, ua(request));
    return reply.code(201).send(setSession(reply, s));
  });

  app.post('/login', {
    preHandler: perIp,
    config: { auth: 'public' },
    schema: {
      tags: ['auth'], summary: 'Log in',
      body: Type.Object({ email: Type.String({ minLength: 1, maxLength: 320 }), password: Type.String({ minLength: 1, maxLength: 200 }) }),
      response: { 200: SessionSchema, ...problems(400, 401, 429) },
    },
  }, async (request, reply) => {
    const body = request.body as { email: string; password: string };
    return setSession(reply, await auth.login(body, request.ip, ua(request)));
  });

  app.post('/logout', { config: { auth: 'agent' }, schema: { tags: ['auth'], summary: 'End this session', response: { 204: Type.Null(), ...problems(401) } } }, async (request, reply) => {
    await auth.logout(agentOf(request));
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(204).send();
  });

  app.get('/me', {
    config: { auth: 'agent' },
    schema: { tags: ['auth'], summary: 'The logged-in user', response: { 200: Type.Object({ user: UserSchema, account: AccountSchema, csrfToken: Type.String() }), ...problems(401) } },
  }, async (request) => auth.me(agentOf(request)));

  app.post('/password/change', {
    preHandler: perIp,
    config: { auth: 'agent' },
    schema: { tags: ['auth'], summary: 'Change password (ends every other session)', body: Type.Object({ currentPassword: Type.String({ minLength: 1, maxLength: 200 }), newPassword: Password }), response: { 204: Type.Null(), ...problems(400, 401, 403) } },
  }, async (request, reply) => {
    const body = request.body as { currentPassword: string; newPassword: string };
    await auth.changePassword(agentOf(request), body.currentPassword, body.newPassword);
    return reply.code(204).send();
  });

  app.post('/password/forgot', {
    preHandler: perIp,
    config: { auth: 'public' },
    schema: { tags: ['auth'], summary: 'E-mail a password-reset link (202 for any e-mail)', body: Type.Object({ email: Email }), response: { 202: Type.Object({ accepted: Type.Boolean() }), ...problems(400, 429) } },
  }, async (request, reply) => {
    await auth.forgotPassword((request.body as { email: string }).email);
    return reply.code(202).send({ accepted: true });
  });

  app.post('/password/reset', {
    preHandler: perIp,
    config: { auth: 'public' },
    schema: { tags: ['auth'], summary: 'Set a new password with a reset token (ends every session)', body: Type.Object({ token: Type.String({ minLength: 10, maxLength: 200 }), password: Password }), response: { 200: Type.Object({ email: Type.String() }), ...problems(400, 429) } },
  }, async (request) => {
    const body = request.body as { token: string; password: string };
    return auth.resetPassword(body.token, body.password);
  });

  app.post('/invitations/accept', {
    preHandler: perIp,
    config: { auth: 'public' },
    schema: { tags: ['auth'], summary: 'Accept a team invitation', body: Type.Object({ token: Type.String({ minLength: 10, maxLength: 200 }), name: Name, password: Password }), response: { 201: SessionSchema, ...problems(400, 409, 429) } },
  }, async (request, reply) => {
    const body = request.body as { token: string; name: string; password: string };
    return reply.code(201).send(setSession(reply, await auth.acceptInvitation(body, ua(request))));
  });
}
