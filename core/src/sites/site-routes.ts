import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AwilixContainer } from 'awilix';
import type { Cradle } from '../container.js';
import { agentOf } from '../http/request-auth.js';
import { Id, Name, problems } from '../http/schemas.js';
import type { Role } from '../auth/actor.js';
import type { WidgetConfig } from './site-service.js';
import { OfficeHoursSchema } from './office-hours.js';

const Color = Type.String({ maxLength: 7 });
export const WidgetSchema = Type.Object({
  primaryColor: Color, backgroundColor: Color, textColor: Color,
  logoUrl: Type.Union([Type.String({ maxLength: 2000 }), Type.Null()]),
  greeting: Type.String({ maxLength: 500 }),
  position: Type.Union([Type.Literal('right'), Type.Literal('left')]),
  officeHours: Type.Union([OfficeHoursSchema, Type.Null()]),
});
const SiteSchema = Type.Object({
  id: Type.String(), name: Type.String(), appId: Type.String(), domain: Type.Union([Type.String(), Type.Null()]),
  widget: WidgetSchema,
  identityVerification: Type.Object({ required: Type.Boolean(), secret: Type.Optional(Type.String()) }),
  snippet: Type.String(), createdAt: Type.String(), updatedAt: Type.String(),
});
const Domain = Type.Union([Type.String({ maxLength: 300 }), Type.Null()]);
const managers: Role[] = ['owner', 'admin'];

export async function siteRoutes(app: FastifyInstance, { container }: { container: AwilixContainer<Cradle> }): Promise<void> {
  const { sites } = container.cradle;

  app.post('/sites', {
    config: { auth: 'agent', roles: managers },
    schema: { tags: ['sites'], summary: 'Create a site (gets its own appId and snippet)', body: Type.Object({ name: Name, domain: Type.Optional(Domain) }), response: { 201: SiteSchema, ...problems(400, 401, 403) } },
  }, async (request, reply) => {
    const actor = agentOf(request);
    const site = await sites.create(actor.accountId, request.body as { name: string; domain?: string | null });
    return reply.code(201).send(sites.view(site, actor.role));
  });

  app.get('/sites', { config: { auth: 'agent' }, schema: { tags: ['sites'], summary: 'Sites of this account', response: { 200: Type.Object({ sites: Type.Array(SiteSchema) }), ...problems(401) } } }, async (request) => {
    const actor = agentOf(request);
    return { sites: (await sites.list(actor.accountId)).map((s) => sites.view(s, actor.role)) };
  });

  app.get('/sites/:id', { config: { auth: 'agent' }, schema: { tags: ['sites'], summary: 'One site', params: Type.Object({ id: Id }), response: { 200: SiteSchema, ...problems(401, 404) } } }, async (request) => {
    const actor = agentOf(request);
    return sites.view(await sites.get(actor.accountId, (request.params as { id: string }).id), actor.role);
  });

  app.patch('/sites/:id', {
    config: { auth: 'agent', roles: managers },
    schema: {
      tags: ['sites'], summary: 'Change a site: name, domain, widget look, office hours, identity verification',
      params: Type.Object({ id: Id }),
      body: Type.Object({
        name: Type.Optional(Name),
        domain: Type.Optional(Domain),
        widget: Type.Optional(Type.Partial(WidgetSchema)),
        identityVerification: Type.Optional(Type.Object({ required: Type.Optional(Type.Boolean()), rotateSecret: Type.Optional(Type.Boolean()) })),
      }),
      response: { 200: SiteSchema, ...problems(400, 401, 403, 404) },
    },
  }, async (request) => {
    const actor = agentOf(request);
    const body = request.body as { name?: string; domain?: string | null; widget?: Partial<WidgetConfig>; identityVerification?: { required?: boolean; rotateSecret?: boolean } };
    return sites.view(await sites.update(actor.accountId, (request.params as { id: string }).id, body), actor.role);
  });

  app.delete('/sites/:id', { config: { auth: 'agent', roles: managers }, schema: { tags: ['sites'], summary: 'Delete a site', params: Type.Object({ id: Id }), response: { 204: Type.Null(), ...problems(401, 403, 404) } } }, async (request, reply) => {
    await sites.remove(agentOf(request).accountId, (request.params as { id: string }).id);
    return reply.code(204).send();
  });
}
