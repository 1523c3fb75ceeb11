import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AwilixContainer } from 'awilix';
import type { Cradle } from '../container.js';
import { agentOf } from '../http/request-auth.js';
import { AccountSchema, Email, Id, Name, RoleSchema, UserSchema, problems } from '../http/schemas.js';
import type { Role } from '../auth/actor.js';
import { AccountEntitlementsSchema } from './entitlements.js';
import { isOperator } from '../auth/operator.js';

const Member = Type.Intersect([UserSchema, Type.Object({ createdAt: Type.String() })]);
const Invitation = Type.Object({ id: Type.String(), email: Type.String(), role: RoleSchema, expiresAt: Type.String(), createdAt: Type.String() });
const managers: Role[] = ['owner', 'admin'];

export async function teamRoutes(app: FastifyInstance, { container }: { container: AwilixContainer<Cradle> }): Promise<void> {
  const { team } = container.cradle;

  app.get('/account', { config: { auth: 'agent' }, schema: { tags: ['account'], summary: 'This account', response: { 200: AccountSchema, ...problems(401) } } }, async (request) => team.getAccount(agentOf(request).accountId));

  app.get('/account/entitlements', {
    config: { auth: 'agent' },
    schema: {
      tags: ['account'], summary: "What this account's plan (with its overrides) grants: plugins, limits, entitlements; and whether the caller is an instance operator",
      response: { 200: Type.Intersect([AccountEntitlementsSchema, Type.Object({ operator: Type.Boolean({ description: 'The caller is listed in OPERATOR_EMAILS (the admin shows the operator console)' }) })]), ...problems(401) },
    },
  }, async (request) => {
    const actor = agentOf(request);
    return { ...(await container.cradle.entitlements.for(actor.accountId)), operator: isOperator(container.cradle.config, actor) };
  });

  app.patch('/account', {
    config: { auth: 'agent', roles: managers },
    schema: { tags: ['account'], summary: 'Rename the account', body: Type.Object({ name: Type.Optional(Name) }), response: { 200: AccountSchema, ...problems(400, 401, 403) } },
  }, async (request) => team.updateAccount(agentOf(request), request.body as { name?: string }));

  app.get('/team/members', { config: { auth: 'agent' }, schema: { tags: ['team'], summary: 'Team members', response: { 200: Type.Object({ members: Type.Array(Member) }), ...problems(401) } } }, async (request) => ({ members: await team.members(agentOf(request).accountId) }));

  app.patch('/team/members/:id', {
    config: { auth: 'agent', roles: managers },
    schema: { tags: ['team'], summary: 'Change a member\'s role (ends their sessions)', params: Type.Object({ id: Id }), body: Type.Object({ role: RoleSchema }), response: { 200: UserSchema, ...problems(400, 401, 403, 404, 409) } },
  }, async (request) => team.changeRole(agentOf(request), (request.params as { id: string }).id, (request.body as { role: Role }).role));

  app.delete('/team/members/:id', {
    config: { auth: 'agent', roles: managers },
    schema: { tags: ['team'], summary: 'Remove a member', params: Type.Object({ id: Id }), response: { 204: Type.Null(), ...problems(401, 403, 404, 409) } },
  }, async (request, reply) => {
    await team.remove(agentOf(request), (request.params as { id: string }).id);
    return reply.code(204).send();
  });

  app.post('/team/invitations', {
    config: { auth: 'agent', roles: managers },
    schema: { tags: ['team'], summary: 'Invite a member by e-mail', body: Type.Object({ email: Email, role: RoleSchema }), response: { 201: Invitation, ...problems(400, 401, 403, 409) } },
  }, async (request, reply) => {
    const body = request.body as { email: string; role: Role };
    return reply.code(201).send(await team.invite(agentOf(request), body.email, body.role));
  });

  app.get('/team/invitations', {
    config: { auth: 'agent', roles: managers },
    schema: { tags: ['team'], summary: 'Pending invitations', response: { 200: Type.Object({ invitations: Type.Array(Invitation) }), ...problems(401, 403) } },
  }, async (request) => ({ invitations: await team.invitations(agentOf(request).accountId) }));

  app.delete('/team/invitations/:id', {
    config: { auth: 'agent', roles: managers },
    schema: { tags: ['team'], summary: 'Cancel a pending invitation', params: Type.Object({ id: Id }), response: { 204: Type.Null(), ...problems(401, 403, 404) } },
  }, async (request, reply) => {
    await team.revokeInvitation(agentOf(request), (request.params as { id: string }).id);
    return reply.code(204).send();
  });
}
