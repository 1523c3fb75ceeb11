// Child: the throughput baseline — the limit of this stack. A bare Fastify route does
// what a message send must do, with the same drivers and broker Charla uses and none of
// Charla's layers (no auth, hooks, ORM, tenancy, validation schemas, views):
//   POST /messages → one transaction: UPDATE conversation seq … RETURNING + INSERT message
//   → publish on the broker (mqemitter, or mqemitter-redis when REDIS_URL is set) to
//   account:/conversation:/visitor: → delivered to the subscribed sockets on /ws.
// DATABASE_URL=postgres://… selects PostgreSQL (pg); otherwise SQLite (sqlite3, WAL).
import Fastify from 'fastify';
import fastifyWebsocket from '@fastify/websocket';
import mqemitter from 'mqemitter';
import mqemitterRedis from 'mqemitter-redis';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { serveRequests, settledMemory } from '../lib/util.mjs';

const pgUrl = process.env.DATABASE_URL;
let db;
if (pgUrl) {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: pgUrl, max: 10 });
  db = {
    exec: (sql) => pool.query(sql),
    async tx(fn) {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        const r = await fn((sql, params) => c.query(sql, params).then((x) => x.rows));
        await c.query('COMMIT');
        return r;
      } catch (err) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        c.release();
      }
    },
    close: () => pool.end(),
  };
} else {
  const { default: sqlite3 } = await import('sqlite3');
  const conn = new sqlite3.Database(join(process.env.DATA_DIR, 'raw.sqlite'));
  const all = (sql, params = []) => new Promise((ok, fail) => conn.all(sql, params, (err, rows) => (err ? fail(err) : ok(rows))));
  let lock = Promise.resolve();
  db = {
    exec: (sql) => new Promise((ok, fail) => conn.exec(sql, (err) => (err ? fail(err) : ok()))),
    // One writer at a time, queued in-process (as Charla does on SQLite).
    tx(fn) {
      const run = async () => {
        await all('BEGIN IMMEDIATE');
        try {
          const r = await fn((sql, params) => all(sql.replace(/\$\d+/g, '?'), params));
          await all('COMMIT');
          return r;
        } catch (err) {
          await all('ROLLBACK').catch(() => undefined);
          throw err;
        }
      };
      const p = lock.then(run, run);
      lock = p.catch(() => undefined);
      return p;
    },
    close: () => new Promise((r) => conn.close(() => r())),
  };
  await db.exec('PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;');
}
await db.exec(`CREATE TABLE IF NOT EXISTS conversations (id varchar(64) PRIMARY KEY, account_id varchar(64) NOT NULL, visitor_id varchar(64) NOT NULL, last_seq integer NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS messages (id varchar(64) PRIMARY KEY, account_id varchar(64) NOT NULL, conversation_id varchar(64) NOT NULL, seq integer NOT NULL, sender_type varchar(16) NOT NULL, sender_id varchar(64), content text NOT NULL, client_id varchar(100), created_at varchar(40) NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS messages_conv_seq ON messages (conversation_id, seq);`);

let broker;
if (process.env.REDIS_URL) {
  const u = new URL(process.env.REDIS_URL);
  broker = mqemitterRedis({ host: u.hostname, port: Number(u.port || 6379) });
} else broker = mqemitter({ concurrency: 0 });

const channels = new Map();
const relay = (msg, done) => {
  const set = channels.get(msg.channel);
  if (set) {
    const frame = JSON.stringify({ op: 'event', channel: msg.channel, event: msg.event, data: msg.data });
    for (const ws of set) if (ws.readyState === 1) ws.send(frame);
  }
  done();
};

const app = Fastify({ logger: false, bodyLimit: 256 * 1024 });
await app.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024, perMessageDeflate: false } });
app.get('/ws', { websocket: true }, (ws) => {
  const mine = new Set();
  ws.on('message', (raw) => {
    let f;
    try { f = JSON.parse(String(raw)); } catch { return; }
    if (f.op === 'subscribe' && typeof f.channel === 'string') {
      let set = channels.get(f.channel);
      if (!set) {
        channels.set(f.channel, (set = new Set()));
        broker.on(`rt/${f.channel}`, relay);
      }
      set.add(ws);
      mine.add(f.channel);
      ws.send(JSON.stringify({ op: 'subscribed', channel: f.channel }));
    }
  });
  ws.on('close', () => {
    for (const c of mine) {
      const set = channels.get(c);
      set?.delete(ws);
      if (set && !set.size) { channels.delete(c); broker.removeListener(`rt/${c}`, relay); }
    }
  });
});

app.post('/setup', async (req) => {
  const accountId = randomUUID();
  const visitors = [];
  for (let i = 0; i < req.body.visitors; i++) {
    const v = { id: randomUUID(), conversationId: randomUUID(), token: 'x' };
    await db.tx((q) => q('INSERT INTO conversations (id, account_id, visitor_id, last_seq) VALUES ($1, $2, $3, 0)', [v.conversationId, accountId, v.id]));
    visitors.push(v);
  }
  return { accountId, visitors };
});

app.post('/messages', async (req, reply) => {
  const { accountId, visitorId, conversationId, content, clientId } = req.body;
  const message = await db.tx(async (q) => {
    const [row] = await q('UPDATE conversations SET last_seq = last_seq + 1 WHERE id = $1 AND account_id = $2 RETURNING last_seq', [conversationId, accountId]);
    if (!row) return null;
    const m = { id: randomUUID(), conversationId, seq: Number(row.last_seq), senderType: 'visitor', senderId: visitorId, content, private: false, clientId, createdAt: new Date().toISOString(), readAt: null };
    await q('INSERT INTO messages (id, account_id, conversation_id, seq, sender_type, sender_id, content, client_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)', [m.id, accountId, conversationId, m.seq, 'visitor', visitorId, content, clientId, m.createdAt]);
    return m;
  });
  if (!message) return reply.code(404).send({ error: 'no conversation' });
  const data = { message, conversation: { id: conversationId, status: 'open' } };
  for (const channel of [`account:${accountId}`, `conversation:${conversationId}`, `visitor:${visitorId}`]) {
    broker.emit({ topic: `rt/${channel}`, channel, event: 'message:new', data });
  }
  return reply.code(201).send({ message });
});

await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.send({ type: 'ready', port: Number(process.env.PORT) });
serveRequests({
  memory: () => settledMemory(),
  exit: async () => {
    await app.close();
    await new Promise((r) => broker.close(r));
    await db.close();
  },
});
