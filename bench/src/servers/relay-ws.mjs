// Child: the physical-limit baseline — a plain `ws` server doing Charla's fan-out with
// nothing else: a visitor's frame becomes a message event on account:<id> (agents),
// conversation:<id> and visitor:<id>, each serialized once per channel like Charla's
// publisher does. No auth, no database. Also the idle-socket baseline.
import { WebSocketServer } from 'ws';
import { randomUUID } from 'node:crypto';
import { serveRequests, settledMemory } from '../lib/util.mjs';

const channels = new Map();
const wss = new WebSocketServer({ host: '127.0.0.1', port: Number(process.env.PORT), perMessageDeflate: false, maxPayload: 64 * 1024 });
let seq = 0;
const publish = (channel, event, data) => {
  const set = channels.get(channel);
  if (!set) return;
  const frame = JSON.stringify({ op: 'event', channel, event, data });
  for (const ws of set) if (ws.readyState === 1) ws.send(frame);
};
wss.on('connection', (ws) => {
  const mine = new Set();
  ws.on('message', (raw) => {
    let f;
    try { f = JSON.parse(String(raw)); } catch { return; }
    if (f.op === 'subscribe' && typeof f.channel === 'string') {
      let set = channels.get(f.channel);
      if (!set) channels.set(f.channel, (set = new Set()));
      set.add(ws);
      mine.add(f.channel);
      ws.send(JSON.stringify({ op: 'subscribed', channel: f.channel }));
    } else if (typeof f.content === 'string') {
      const message = { id: randomUUID(), conversationId: f.conversationId, seq: ++seq, senderType: 'visitor', senderId: f.visitorId, content: f.content, private: false, clientId: f.clientId, createdAt: new Date().toISOString(), readAt: null };
      const data = { message, conversation: { id: f.conversationId, status: 'open' } };
      publish(`account:${f.accountId}`, 'message:new', data);
      publish(`conversation:${f.conversationId}`, 'message:new', data);
      publish(`visitor:${f.visitorId}`, 'message:new', data);
    }
  });
  ws.on('close', () => {
    for (const c of mine) {
      const set = channels.get(c);
      set?.delete(ws);
      if (set && !set.size) channels.delete(c);
    }
  });
  ws.on('error', () => undefined);
});
wss.on('listening', () => process.send({ type: 'ready', port: Number(process.env.PORT) }));
serveRequests({ memory: () => settledMemory(), exit: () => new Promise((r) => wss.close(() => r())) });
