import { isWithinOfficeHours, type Cradle, type OfficeHours, type SiteAttrs } from '@charla/core';

/** Whether a site's team can answer now: inside office hours and at least one agent connected. */
export interface Availability {
  online: boolean;
  inOfficeHours: boolean;
  agentsOnline: number;
}

export const AVAILABILITY_EVENT = 'site:availability';
const MINUTE = 60_000;

/**
 * The account's agents who count as online: connected (any instance), minus those the
 * `availability:beforeCount` hook takes out (the inbox plugin: agents set away).
 */
export async function countAgentsOnline(c: Cradle, accountId: string): Promise<number> {
  const agentIds = [...new Set((await c.presence.online('agent', accountId)).map((a) => a.id))];
  if (!agentIds.length || !c.hooks.has('availability:beforeCount')) return agentIds.length;
  const out = await c.hooks.run('availability:beforeCount', { accountId, agentIds });
  return Array.isArray(out?.agentIds) ? new Set(out.agentIds.filter((id) => agentIds.includes(id))).size : agentIds.length;
}

/** `agentsOnline` when the caller already counted them (one count for all sites of an account). */
export async function availabilityOf(c: Cradle, site: SiteAttrs, now: Date, agentsOnline?: number): Promise<Availability> {
  agentsOnline ??= await countAgentsOnline(c, site.accountId);
  const inOfficeHours = isWithinOfficeHours((site.widget as { officeHours?: OfficeHours | null }).officeHours ?? null, now);
  return { online: inOfficeHours && agentsOnline > 0, inOfficeHours, agentsOnline };
}

/**
 * Live availability for open widgets on the `site:<siteId>` channel (visitors of that
 * site subscribe; agents of its account may too). The widget shows the leave-a-message
 * form exactly while `online` is false, so every change is pushed as `site:availability`:
 *  - on subscribe, the current state (a reconnecting widget is never stale);
 *  - when an agent's first device connects or last one leaves (any instance), to every
 *    site of the account, through the broker;
 *  - when a site's widget settings (office hours) change;
 *  - when a plugin says who counts changed (`ConversationsData.availabilityChanged`,
 *    e.g. the inbox when an agent goes away or comes back);
 *  - when office hours open or close: each instance with visitors of a site on it checks
 *    at every minute boundary (office hours have minute precision) and tells its own
 *    sockets only, so the change is neither missed nor sent twice across instances.
 */
export function installAvailability(c: Cradle): { publishAccount(accountId: string): Promise<void> } {
  const { realtime, events, clock, logger } = c;

  realtime.registerChannel('site', async (actor, id) => {
    if (actor.kind === 'visitor') return actor.siteId === id;
    if (actor.kind === 'agent') return !!(await c.sites.byIdForAccount(actor.accountId, id));
    return false;
  });

  const publish = async (site: SiteAttrs, agentsOnline?: number) =>
    events.publish(`site:${site.id}`, AVAILABILITY_EVENT, await availabilityOf(c, site, clock.now(), agentsOnline), 'visitors');
  const publishAccount = async (accountId: string) => {
    const agentsOnline = await countAgentsOnline(c, accountId);
    for (const site of await c.sites.list(accountId)) await publish(site, agentsOnline);
  };
  events.on('agent.online', 'conversations', (p) => publishAccount(p.accountId));
  events.on('agent.offline', 'conversations', (p) => publishAccount(p.accountId));
  events.on('site.updated', 'conversations', async (p) => {
    const site = p.changes.widget ? await c.sites.byIdForAccount(p.accountId, p.siteId) : null;
    if (site) await publish(site);
  });

  // Office hours: one minute-aligned timer per site with visitor sockets on this instance.
  interface Watch { accountId: string; siteId: string; inOfficeHours: boolean; timer?: NodeJS.Timeout }
  const watched = new Map<string, Watch>();
  const schedule = (w: Watch) => {
    if (watched.get(w.siteId) !== w) return; // unwatched meanwhile
    const delay = MINUTE - (clock.now().getTime() % MINUTE) + 50;
    w.timer = setTimeout(() => void check(w).finally(() => schedule(w)), delay);
    w.timer.unref();
  };
  const check = async (w: Watch) => {
    try {
      const site = await c.sites.byIdForAccount(w.accountId, w.siteId);
      if (!site || watched.get(w.siteId) !== w) return;
      const now = await availabilityOf(c, site, clock.now());
      if (now.inOfficeHours === w.inOfficeHours) return;
      w.inOfficeHours = now.inOfficeHours;
      const channel = `site:${w.siteId}`;
      for (const s of realtime.subscribers(channel)) if (s.actor.kind === 'visitor') s.send({ op: 'event', channel, event: AVAILABILITY_EVENT, data: now });
    } catch (err) {
      logger.warn({ err, siteId: w.siteId }, 'office hours check failed');
    }
  };

  realtime.on('subscribe', async (socket, channel) => {
    const a = socket.actor;
    if (a.kind !== 'visitor' || !channel.startsWith('site:')) return;
    const site = await c.sites.byIdForAccount(a.accountId, a.siteId);
    if (!site) return;
    const now = await availabilityOf(c, site, clock.now());
    socket.send({ op: 'event', channel, event: AVAILABILITY_EVENT, data: now });
    if (!watched.has(site.id)) {
      const w: Watch = { accountId: a.accountId, siteId: site.id, inOfficeHours: now.inOfficeHours };
      watched.set(site.id, w);
      schedule(w);
    }
  });
  realtime.on('unsubscribe', (_socket, channel) => {
    if (!channel.startsWith('site:')) return;
    const siteId = channel.slice('site:'.length);
    if (realtime.subscribers(channel).length) return;
    clearTimeout(watched.get(siteId)?.timer);
    watched.delete(siteId);
  });
  return { publishAccount };
}
