import { Type, type TSchema } from '@sinclair/typebox';
import type { EventName } from '../extension-points.js';
import type { CharlaPlugin } from '../plugins/types.js';
import { PluginLoadError } from '../plugins/loader.js';

const Id = Type.String({ description: 'id' });
const account = { accountId: Id };
const changes = Type.Record(Type.String(), Type.Unknown(), { description: 'the changed fields and their new values' });

/** Payload schemas of core's domain events (`EventMap`), for the runtime catalogue. */
export const CORE_EVENTS = {
  'account.created': Type.Object({ ...account, userId: Id }),
  'account.updated': Type.Object({ ...account, changes }),
  'user.created': Type.Object({ ...account, userId: Id, role: Type.String() }),
  'user.updated': Type.Object({ ...account, userId: Id, changes }),
  'user.removed': Type.Object({ ...account, userId: Id }),
  'sessions.revoked': Type.Object({ ...account, userId: Id, sessionIds: Type.Union([Type.Array(Id), Type.Literal('all')]), exceptSessionId: Type.Optional(Id) }),
  'agent.online': Type.Object({ ...account, userId: Id }),
  'agent.offline': Type.Object({ ...account, userId: Id }),
  'site.created': Type.Object({ ...account, siteId: Id }),
  'site.updated': Type.Object({ ...account, siteId: Id, changes }),
  'site.deleted': Type.Object({ ...account, siteId: Id }),
} satisfies Partial<Record<EventName, TSchema>>;

/** Refuses, before anything connects, a plugin that defines an event someone else already does. */
export function checkEventDefinitions(plugins: CharlaPlugin[]): void {
  const owners = new Map<string, string>(Object.keys(CORE_EVENTS).map((n) => [n, 'core']));
  for (const p of plugins) {
    for (const name of Object.keys(p.emits ?? {})) {
      const taken = owners.get(name);
      if (taken) throw new PluginLoadError(`plugin "${p.name}": event "${name}" is defined twice (by ${taken} and ${p.name})`);
      owners.set(name, p.name);
    }
  }
}
