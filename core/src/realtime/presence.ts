import type { Redis } from 'ioredis';
import type { Clock } from '../clock.js';

export type PresenceKind = 'agent' | 'visitor';
export interface RoomMember {
  id: string;
  name: string;
}

interface Entry {
  kind: PresenceKind;
  accountId: string;
  entityId: string;
  socketId: string;
  meta: Record<string, unknown>;
}

/**
 * Who is online: agents (several devices count once) and visitors, per account.
 *
 * In memory on one node; in Redis when configured, so every instance sees the same
 * answer. Each socket is an entry with an expiry that its instance refreshes on a
 * heartbeat: the sockets of a crashed instance expire instead of staying "online"
 * forever, and `sweep` reports the entities that went offline that way.
 *
 * Redis layout: hash `${this.prefix}pr:<kind>:<entityId>` socketKey → expiry (ms), and sorted
 * set `${this.prefix}pr:<kind>s:<accountId>` entityId → latest expiry, plus hash
 * `${this.prefix}pr:meta:<kind>:<entityId>` for display data (site, current page).
 */
export class Presence {
  private readonly local = new Map<string, Entry>(); // socketKey → entry (this instance)
  private readonly mem = new Map<string, Map<string, number>>(); // memory mode: `${kind}:${entityId}` → socketKey → expiry
  private readonly memAccount = new Map<string, Map<string, number>>(); // `${kind}s:${accountId}` → entityId → expiry
  private readonly memMeta = new Map<string, Record<string, unknown>>();
  private readonly localRooms = new Map<string, { room: string; member: RoomMember }>(); // `${room}|${socketKey}` → membership on this instance
  private readonly memRooms = new Map<string, Map<string, { member: RoomMember; exp: number }>>(); // memory mode: room → socketKey → member

  constructor(private readonly redis: Redis | null, private readonly clock: Clock, private readonly ttlMs: number, private readonly instanceId: string, private readonly prefix = 'charla:') {}

  private key(e: { socketId: string }) {
    return `${this.instanceId}/${e.socketId}`;
  }

  /** Registers a socket. Returns true when the entity just came online (its first socket anywhere). */
  async connect(kind: PresenceKind, accountId: string, entityId: string, socketId: string, meta: Record<string, unknown> = {}): Promise<boolean> {
    const entry: Entry = { kind, accountId, entityId, socketId, meta };
    const sk = this.key(entry);
    this.local.set(sk, entry);
    const exp = this.clock.now().getTime() + this.ttlMs;
    if (this.redis) {
      const now = this.clock.now().getTime();
      const hk = `${this.prefix}pr:${kind}:${entityId}`;
      const res = await this.redis.multi()
        .hset(hk, sk, String(exp)).pexpire(hk, this.ttlMs * 4).hvals(hk)
        .zadd(`${this.prefix}pr:${kind}s:${accountId}`, exp, entityId)
        .hset(`${this.prefix}pr:meta:${kind}:${entityId}`, 'json', JSON.stringify(meta)).pexpire(`${this.prefix}pr:meta:${kind}:${entityId}`, this.ttlMs * 4)
        .sadd(`${this.prefix}pr:accounts`, accountId)
        .exec();
      const vals = (res?.[2]?.[1] as string[]) ?? [];
      return vals.filter((v) => Number(v) > now).length === 1;
    }
    const set = this.mem.get(`${kind}:${entityId}`) ?? new Map<string, number>();
    const was = this.liveCount(set);
    set.set(sk, exp);
    this.mem.set(`${kind}:${entityId}`, set);
    const acc = this.memAccount.get(`${kind}s:${accountId}`) ?? new Map<string, number>();
    acc.set(entityId, exp);
    this.memAccount.set(`${kind}s:${accountId}`, acc);
    this.memMeta.set(`${kind}:${entityId}`, meta);
    return was === 0;
  }

  private liveCount(set: Map<string, number>): number {
    const now = this.clock.now().getTime();
    let n = 0;
    for (const exp of set.values()) if (exp > now) n++;
    return n;
  }

  /** Unregisters a socket. Returns true when the entity just went offline (its last socket anywhere). */
  async disconnect(kind: PresenceKind, accountId: string, entityId: string, socketId: string): Promise<boolean> {
    const sk = this.key({ socketId });
    this.local.delete(sk);
    if (this.redis) {
      const hk = `${this.prefix}pr:${kind}:${entityId}`;
      const now = this.clock.now().getTime();
      const res = await this.redis.multi().hdel(hk, sk).hvals(hk).exec();
      const live = ((res?.[1]?.[1] as string[]) ?? []).filter((v) => Number(v) > now).length;
      if (live === 0) await this.redis.zrem(`${this.prefix}pr:${kind}s:${accountId}`, entityId);
      return live === 0;
    }
    const set = this.mem.get(`${kind}:${entityId}`);
    if (!set) return false;
    set.delete(sk);
    if (this.liveCount(set) === 0) {
      this.mem.delete(`${kind}:${entityId}`);
      this.memAccount.get(`${kind}s:${accountId}`)?.delete(entityId);
      return true;
    }
    return false;
  }

  /** Updates display data (e.g. a visitor's current page). */
  async setMeta(kind: PresenceKind, entityId: string, meta: Record<string, unknown>): Promise<void> {
    if (this.redis) await this.redis.hset(`${this.prefix}pr:meta:${kind}:${entityId}`, 'json', JSON.stringify(meta));
    else this.memMeta.set(`${kind}:${entityId}`, meta);
    for (const e of this.local.values()) if (e.kind === kind && e.entityId === entityId) e.meta = meta;
  }

  async isOnline(kind: PresenceKind, entityId: string): Promise<boolean> {
    const now = this.clock.now().getTime();
    if (this.redis) return (await this.redis.hvals(`${this.prefix}pr:${kind}:${entityId}`)).some((v) => Number(v) > now);
    const set = this.mem.get(`${kind}:${entityId}`);
    return !!set && this.liveCount(set) > 0;
  }

  /** Entities of one kind online in an account, with their display data. */
  async online(kind: PresenceKind, accountId: string): Promise<Array<{ id: string; meta: Record<string, unknown> }>> {
    const now = this.clock.now().getTime();
    let ids: string[];
    if (this.redis) {
      ids = await this.redis.zrangebyscore(`${this.prefix}pr:${kind}s:${accountId}`, now, '+inf');
      const checks = await Promise.all(ids.map((id) => this.isOnline(kind, id)));
      ids = ids.filter((_, i) => checks[i]);
      const metas = await Promise.all(ids.map((id) => this.redis!.hget(`${this.prefix}pr:meta:${kind}:${id}`, 'json')));
      return ids.map((id, i) => ({ id, meta: metas[i] ? (JSON.parse(metas[i]!) as Record<string, unknown>) : {} }));
    }
    const acc = this.memAccount.get(`${kind}s:${accountId}`) ?? new Map<string, number>();
    ids = [...acc.keys()].filter((id) => {
      const set = this.mem.get(`${kind}:${id}`);
      return !!set && this.liveCount(set) > 0;
    });
    return ids.map((id) => ({ id, meta: this.memMeta.get(`${kind}:${id}`) ?? {} }));
  }

  async countOnline(kind: PresenceKind, accountId: string): Promise<number> {
    return (await this.online(kind, accountId)).length;
  }

  /** Refreshes the expiry of this instance's sockets. Called on an interval. */
  async heartbeat(): Promise<void> {
    const exp = this.clock.now().getTime() + this.ttlMs;
    if (this.redis) {
      if (!this.local.size && !this.localRooms.size) return;
      const m = this.redis.multi();
      for (const [key, { room, member }] of this.localRooms) {
        m.hset(`${this.prefix}pr:room:${room}`, key.slice(room.length + 1), JSON.stringify({ member, exp })).pexpire(`${this.prefix}pr:room:${room}`, this.ttlMs * 4);
      }
      for (const [sk, e] of this.local) {
        m.hset(`${this.prefix}pr:${e.kind}:${e.entityId}`, sk, String(exp)).pexpire(`${this.prefix}pr:${e.kind}:${e.entityId}`, this.ttlMs * 4);
        m.zadd(`${this.prefix}pr:${e.kind}s:${e.accountId}`, exp, e.entityId);
        m.pexpire(`${this.prefix}pr:meta:${e.kind}:${e.entityId}`, this.ttlMs * 4);
      }
      await m.exec();
      return;
    }
    for (const [key, { room, member }] of this.localRooms) this.memRooms.get(room)?.set(key.slice(room.length + 1), { member, exp });
    for (const [sk, e] of this.local) {
      this.mem.get(`${e.kind}:${e.entityId}`)?.set(sk, exp);
      this.memAccount.get(`${e.kind}s:${e.accountId}`)?.set(e.entityId, exp);
    }
  }

  /**
   * Finds entities whose every socket expired (their instance died) in the given
   * accounts' sets, removes them and returns them, so the caller can announce them offline.
   */
  async sweep(accountIds: string[]): Promise<Array<{ kind: PresenceKind; accountId: string; entityId: string }>> {
    const now = this.clock.now().getTime();
    const gone: Array<{ kind: PresenceKind; accountId: string; entityId: string }> = [];
    for (const kind of ['agent', 'visitor'] as const) {
      for (const accountId of accountIds) {
        if (this.redis) {
          const expired = await this.redis.zrangebyscore(`${this.prefix}pr:${kind}s:${accountId}`, '-inf', now);
          for (const id of expired) {
            if (await this.isOnline(kind, id)) continue;
            const removed = await this.redis.zrem(`${this.prefix}pr:${kind}s:${accountId}`, id);
            if (removed) gone.push({ kind, accountId, entityId: id });
          }
        } else {
          const acc = this.memAccount.get(`${kind}s:${accountId}`);
          if (!acc) continue;
          for (const id of [...acc.keys()]) {
            const set = this.mem.get(`${kind}:${id}`);
            if (!set || this.liveCount(set) === 0) {
              acc.delete(id);
              this.mem.delete(`${kind}:${id}`);
              gone.push({ kind, accountId, entityId: id });
            }
          }
        }
      }
    }
    return gone;
  }

  /**
   * Rooms: who is looking at something (e.g. the agents viewing a conversation), one
   * entry per socket, shared across instances, expiring like the rest of presence.
   */
  async joinRoom(room: string, socketId: string, member: RoomMember): Promise<void> {
    const sk = this.key({ socketId });
    this.localRooms.set(`${room}|${sk}`, { room, member });
    const exp = this.clock.now().getTime() + this.ttlMs;
    if (this.redis) {
      await this.redis.multi().hset(`${this.prefix}pr:room:${room}`, sk, JSON.stringify({ member, exp })).pexpire(`${this.prefix}pr:room:${room}`, this.ttlMs * 4).exec();
      return;
    }
    const r = this.memRooms.get(room) ?? new Map<string, { member: RoomMember; exp: number }>();
    r.set(sk, { member, exp });
    this.memRooms.set(room, r);
  }

  async leaveRoom(room: string, socketId: string): Promise<void> {
    const sk = this.key({ socketId });
    this.localRooms.delete(`${room}|${sk}`);
    if (this.redis) await this.redis.hdel(`${this.prefix}pr:room:${room}`, sk);
    else {
      this.memRooms.get(room)?.delete(sk);
      if (this.memRooms.get(room)?.size === 0) this.memRooms.delete(room);
    }
  }

  /** The distinct members of a room (several sockets of one member count once). */
  async roomMembers(room: string): Promise<RoomMember[]> {
    const now = this.clock.now().getTime();
    const entries = this.redis
      ? (await this.redis.hvals(`${this.prefix}pr:room:${room}`)).map((v) => JSON.parse(v) as { member: RoomMember; exp: number })
      : [...(this.memRooms.get(room)?.values() ?? [])];
    const out = new Map<string, RoomMember>();
    for (const e of entries) if (e.exp > now) out.set(e.member.id, e.member);
    return [...out.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Every account that has had presence (what a sweep looks at). */
  async knownAccounts(): Promise<string[]> {
    if (this.redis) return this.redis.smembers(`${this.prefix}pr:accounts`);
    return [...new Set([...this.memAccount.keys()].map((k) => k.slice(k.indexOf(':') + 1)))];
  }
}
