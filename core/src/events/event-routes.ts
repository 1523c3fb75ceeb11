import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AwilixContainer } from 'awilix';
import type { Cradle } from '../container.js';
import { problems } from '../http/schemas.js';

const Catalogue = Type.Object({
  events: Type.Array(Type.Object({
    name: Type.String(),
    owner: Type.String({ description: 'core or the plugin that emits it' }),
    schema: Type.Unknown({ description: 'JSON schema (TypeBox) of the payload' }),
  })),
});

/** The runtime catalogue of domain events, for admins choosing what a webhook delivers. */
export async function eventRoutes(app: FastifyInstance, { container }: { container: AwilixContainer<Cradle> }): Promise<void> {
  const { events } = container.cradle;
  app.get('/events/catalogue', {
    config: { auth: 'agent', roles: ['owner', 'admin'] },
    schema: { tags: ['events'], summary: 'Domain events of this instance and their payload schemas', response: { 200: Catalogue, ...problems(401, 403) } },
  }, async () => ({ events: events.catalogue() }));
}
