// Child: the peer baseline — a socket.io 4 server doing the same fan-out as
// relay-ws.mjs with rooms (websocket transport, as a Node chat server would run it).
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { Server } from 'socket.io';
import { serveRequests, settledMemory } from '../lib/util.mjs';

const http = createServer();
const io = new Server(http, { transports: ['websocket'], perMessageDeflate: false, maxHttpBufferSize: 64 * 1024 });
let seq = 0;
io.on('connection', (socket) => {
  socket.on('subscribe', (channel, ack) => {
    socket.join(channel);
    if (typeof ack === 'function') ack({ op: 'subscribed', channel });
  });
  socket.on('send', (f) => {
    if (!f || typeof f.content !== 'string') return;
    const message = { id: randomUUID(), conversationId: f.conversationId, seq: ++seq, senderType: 'visitor', senderId: f.visitorId, content: f.content, private: false, clientId: f.clientId, createdAt: new Date().toISOString(), readAt: null };
    const data = { message, conversation: { id: f.conversationId, status: 'open' } };
    for (const channel of [`account:${f.accountId}`, `conversation:${f.conversationId}`, `visitor:${f.visitorId}`]) {
      io.to(channel).emit('event', { op: 'event', channel, event: 'message:new', data });
    }
  });
});
http.listen(Number(process.env.PORT), '127.0.0.1', () => process.send({ type: 'ready', port: Number(process.env.PORT) }));
serveRequests({ memory: () => settledMemory(), exit: () => new Promise((r) => io.close(() => r())) });
