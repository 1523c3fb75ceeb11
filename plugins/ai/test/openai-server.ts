import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A chat completion request as the server received it. */
export interface ChatRequest {
  headers: IncomingHttpHeaders;
  body: { model: string; messages: Array<{ role: string; content: string }>; stream?: boolean; [k: string]: unknown };
}
export interface EmbeddingRequest {
  headers: IncomingHttpHeaders;
  body: { model: string; input: string | string[]; encoding_format?: 'float' | 'base64'; [k: string]: unknown };
}

/** What the scripted model answers: text (with token counts), an HTTP error, or nothing at all. */
export type ChatScript =
  | string
  | { content: string; promptTokens?: number; completionTokens?: number }
  | { status: number; error?: string }
  | 'hang';

export interface OpenAiServer {
  /** `http://127.0.0.1:<port>/v1`: what an admin puts in `baseUrl`. */
  baseUrl: string;
  chats: ChatRequest[];
  embeddings: EmbeddingRequest[];
  /** Decides each chat completion's answer (default: "OK"). */
  chat: (r: ChatRequest) => ChatScript;
  /** Vector of one input text (default: `bagOfWords`). */
  embed: (text: string, model: string) => number[];
  /** Answer embeddings with an HTTP error instead (e.g. 500). */
  embeddingStatus: number;
  /** Reply with float arrays even when base64 was asked for (what Ollama and some servers do). */
  floatsAlways: boolean;
  close(): Promise<void>;
}

const DIMENSIONS = 64;
const STOP = new Set(['the', 'a', 'an', 'is', 'of', 'to', 'and', 'how', 'do', 'i', 'my', 'can', 'el', 'la', 'de', 'que', 'y', 'en', 'un', 'una', 'mi', 'como', 'los', 'las', 'por', 'para', 'se', 'es', 'puedo']);

/**
 * A deterministic stand-in for an embedding model: each word (lowercased, accents
 * removed, a crude stem of its first 5 letters) adds to one of 64 dimensions, so texts
 * that share words are close in cosine and unrelated texts are not.
 */
export function bagOfWords(text: string): number[] {
  const v = new Array<number>(DIMENSIONS).fill(0);
  const words = text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().split(/[^a-z0-9]+/).filter((w) => w && !STOP.has(w));
  for (const w of words) {
    const stem = w.slice(0, 5);
    let h = 0;
    for (const ch of stem) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
    v[h % DIMENSIONS] += 1;
  }
  if (words.length === 0) v[0] = 1;
  return v;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/**
 * A real HTTP server speaking the OpenAI protocol on 127.0.0.1 (the parts Charla uses):
 * `POST /v1/chat/completions` (JSON, or server-sent events with `stream: true`, usage in
 * the last chunk) and `POST /v1/embeddings` (float arrays, or base64 little-endian
 * float32 when `encoding_format: "base64"`). Each test scripts its answers and reads
 * what was asked.
 */
export async function startOpenAiServer(): Promise<OpenAiServer> {
  const open = new Set<ServerResponse>();
  const fake: OpenAiServer = {
    baseUrl: '', chats: [], embeddings: [], chat: () => 'OK', embed: (text) => bagOfWords(text), embeddingStatus: 200, floatsAlways: false,
    close: () => new Promise((resolve) => {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return json(res, 400, { error: { message: 'invalid JSON', type: 'invalid_request_error' } });
      }
      if (req.method === 'POST' && req.url === '/v1/chat/completions') return chat({ headers: req.headers, body: body as ChatRequest['body'] }, res);
      if (req.method === 'POST' && req.url === '/v1/embeddings') return embeddings({ headers: req.headers, body: body as EmbeddingRequest['body'] }, res);
      json(res, 404, { error: { message: `no route ${req.method} ${req.url}`, type: 'invalid_request_error' } });
    });
  });

  function chat(r: ChatRequest, res: ServerResponse): void {
    fake.chats.push(r);
    const script = fake.chat(r);
    if (script === 'hang') {
      open.add(res);
      return;
    }
    if (typeof script === 'object' && 'status' in script) return json(res, script.status, { error: { message: script.error ?? 'scripted failure', type: 'server_error' } });
    const answer = typeof script === 'string' ? { content: script } : script;
    const promptTokens = answer.promptTokens ?? r.body.messages.reduce((n, m) => n + Math.ceil(String(m.content).length / 4), 0);
    const completionTokens = answer.completionTokens ?? Math.ceil(answer.content.length / 4);
    const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
    const id = `chatcmpl-${fake.chats.length}`;
    const created = Math.floor(Date.now() / 1000);
    if (!r.body.stream) {
      return json(res, 200, {
        id, object: 'chat.completion', created, model: r.body.model,
        choices: [{ index: 0, message: { role: 'assistant', content: answer.content }, finish_reason: 'stop' }], usage,
      });
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const chunk = (delta: Record<string, unknown>, finish: string | null, extra: Record<string, unknown> = {}) =>
      res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: r.body.model, choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`);
    chunk({ role: 'assistant', content: '' }, null);
    for (const piece of answer.content.match(/.{1,12}/gs) ?? []) chunk({ content: piece }, null);
    chunk({}, 'stop');
    res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: r.body.model, choices: [], usage })}\n\n`);
    res.end('data: [DONE]\n\n');
  }

  function embeddings(r: EmbeddingRequest, res: ServerResponse): void {
    fake.embeddings.push(r);
    if (fake.embeddingStatus !== 200) return json(res, fake.embeddingStatus, { error: { message: 'scripted failure', type: 'server_error' } });
    const inputs = Array.isArray(r.body.input) ? r.body.input : [r.body.input];
    const base64 = r.body.encoding_format === 'base64' && !fake.floatsAlways;
    const data = inputs.map((text, index) => {
      const vector = fake.embed(String(text), r.body.model);
      return { object: 'embedding', index, embedding: base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector };
    });
    const tokens = inputs.reduce((n, s) => n + Math.ceil(String(s).length / 4), 0);
    json(res, 200, { object: 'list', data, model: r.body.model, usage: { prompt_tokens: tokens, total_tokens: tokens } });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  fake.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return fake;
}
