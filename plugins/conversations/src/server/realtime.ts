import { isId, type Actor, type Cradle, type RealtimeSocket } from '@charla/core';
import { visitorView } from './views.js';
import { modelsOf } from './models.js';

/**
 * The plugin's realtime side: who may subscribe to `conversation:<id>` and
 * `visitor:<id>`, the `typing` and `read` ops, visitor presence (online/offline), and
 * `conversation:presence` — the agents viewing a conversation, shown to the visitor as
 * "agent connected".
 */
export function installRealtime(c: Cradle): void {
  const { realtime, db, events, presence, logger } = c;
  const m = modelsOf(db);

  const conversationAllowed = async (actor: Actor, id: string) => {
    if (!isId(id)) return false;
    if (actor.kind === 'agent') return !!(await db.scope(actor.accountId).findById(m.Conversation, id));
    if (actor.kind === 'visitor') return !!(await db.scope(actor.accountId).findOne(m.Conversation, { where: { id, visitorId: actor.visitorId } }));
    return false;
  };
  realtime.registerChannel('conversation', conversationAllowed);
  realtime.registerChannel('visitor', async (actor, id) => {
    if (actor.kind === 'visitor') return actor.visitorId === id;
    if (actor.kind === 'agent') return isId(id) && !!(await db.scope(actor.accountId).findById(m.Visitor, id));
    return false;
  });

  // typing: ephemeral (never stored), throttled per socket and conversation.
  const lastTyping = new WeakMap<RealtimeSocket, Map<string, { typing: boolean; at: number }>>();
  realtime.registerOp('typing', async (socket, frame) => {
    const conversationId = frame.conversationId;
    const typing = frame.typing === true;
    if (typeof conversationId !== 'string') return socket.send({ op: 'error', code: 'bad_frame', detail: '"conversationId" must be a string.' });
    const seen = lastTyping.get(socket) ?? new Map<string, { typing: boolean; at: number }>();
    lastTyping.set(socket, seen);
    const prev = seen.get(conversationId);
    const now = Date.now();
    if (prev && prev.typing === typing && now - prev.at < 2000) return;
    if (!(await conversationAllowed(socket.actor, conversationId))) return socket.send({ op: 'error', code: 'forbidden', conversationId });
    seen.set(conversationId, { typing, at: now });
    const a = socket.actor;
    if (a.kind === 'agent') events.publish(`conversation:${conversationId}`, 'agent:typing', { conversationId, typing, userId: a.userId, name: a.name });
    else if (a.kind === 'visitor') events.publish(`conversation:${conversationId}`, 'visitor:typing', { conversationId, typing });
  });

  realtime.registerOp('read', async (socket, frame) => {
    const { conversationId, messageId } = frame;
    if (typeof conversationId !== 'string' || typeof messageId !== 'string') return socket.send({ op: 'error', code: 'bad_frame', detail: '"conversationId" and "messageId" must be strings.' });
    const a = socket.actor;
    if (a.kind === 'visitor') await c.messages.markRead({ by: 'visitor', actor: a }, conversationId, messageId);
    else if (a.kind === 'agent') await c.messages.markRead({ by: 'agent', actor: a }, conversationId, messageId);
  });

  // Visitor presence.
  const announce = async (accountId: string, visitorId: string, online: boolean) => {
    const v = await db.scope(accountId).findById(m.Visitor, visitorId);
    if (!v) return;
    events.emit(online ? 'visitor.online' : 'visitor.offline', { accountId, siteId: v.siteId, visitorId });
    events.publish(`account:${accountId}`, online ? 'visitor:online' : 'visitor:offline', { visitor: visitorView(v, { online }), siteId: v.siteId }, 'agents');
  };
  // Per socket, disconnect waits for connect: a socket closed at once never leaves a stale entry.
  const pending = new Map<string, Promise<void>>();
  realtime.on('connect', (socket) => {
    const a = socket.actor;
    if (a.kind !== 'visitor') return;
    const p = (async () => {
      const first = await presence.connect('visitor', a.accountId, a.visitorId, socket.id, { siteId: a.siteId });
      if (first) await announce(a.accountId, a.visitorId, true);
      const v = await db.scope(a.accountId).findById(m.Visitor, a.visitorId);
      if (v) await presence.setMeta('visitor', a.visitorId, { siteId: a.siteId, currentUrl: v.currentUrl, currentTitle: v.currentTitle });
    })();
    const settled: Promise<void> = p.catch(() => undefined).then(() => {
      if (pending.get(socket.id) === settled) pending.delete(socket.id); // done: nothing for disconnect to wait for
    });
    pending.set(socket.id, settled);
    return p;
  });
  realtime.on('disconnect', async (socket) => {
    const a = socket.actor;
    if (a.kind !== 'visitor') return;
    await pending.get(socket.id);
    pending.delete(socket.id);
    if (await presence.disconnect('visitor', a.accountId, a.visitorId, socket.id)) await announce(a.accountId, a.visitorId, false);
  });
  realtime.on('expired', async (e) => {
    if (e.kind === 'visitor') await announce(e.accountId, e.entityId, false);
  });

  // Agents viewing a conversation → `conversation:presence` for the visitor (shared across instances).
  const room = (conversationId: string) => `conversation:${conversationId}`;
  const publishViewers = async (conversationId: string) => {
    const agents = await presence.roomMembers(room(conversationId));
    events.publish(`conversation:${conversationId}`, 'conversation:presence', { conversationId, agents });
  };
  realtime.on('subscribe', async (socket, channel) => {
    if (!channel.startsWith('conversation:')) return;
    const id = channel.slice('conversation:'.length);
    if (socket.actor.kind === 'visitor') {
      socket.send({ op: 'event', channel, event: 'conversation:presence', data: { conversationId: id, agents: await presence.roomMembers(room(id)) } });
      return;
    }
    if (socket.actor.kind !== 'agent') return;
    await presence.joinRoom(room(id), socket.id, { id: socket.actor.userId, name: socket.actor.name });
    await publishViewers(id);
  });
  realtime.on('unsubscribe', async (socket, channel) => {
    if (socket.actor.kind !== 'agent' || !channel.startsWith('conversation:')) return;
    const id = channel.slice('conversation:'.length);
    await presence.leaveRoom(room(id), socket.id);
    await publishViewers(id);
  });
  void logger;
}
