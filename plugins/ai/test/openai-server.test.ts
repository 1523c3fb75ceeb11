import t from 'tap';
import { chat, embed, ProviderError, type ProviderConfig } from '../src/server/provider.js';
import { bagOfWords, startOpenAiServer } from './openai-server.js';

const config = (baseUrl: string, extra: Partial<ProviderConfig> = {}): ProviderConfig => ({ baseUrl, apiKey: 'sk-test', model: 'm', embeddingModel: 'e', timeoutMs: 2000, ...extra });

t.test('the fixture answers chat completions as OpenAI does, plain and streamed, with usage', async (t) => {
  const fake = await startOpenAiServer();
  t.teardown(() => fake.close());
  fake.chat = (r) => ({ content: `You said: ${r.body.messages.at(-1)!.content}`, promptTokens: 11, completionTokens: 7 });
  const plain = await chat(config(fake.baseUrl), [{ role: 'system', content: 'rules' }, { role: 'user', content: 'hola' }]);
  t.same(plain, { text: 'You said: hola', promptTokens: 11, completionTokens: 7 });
  t.equal(fake.chats[0].headers.authorization, 'Bearer sk-test');
  t.same(fake.chats[0].body.messages.map((m) => m.role), ['system', 'user']);
  const pieces: string[] = [];
  const streamed = await chat(config(fake.baseUrl), [{ role: 'user', content: 'a longer question to split' }], { onToken: (p) => pieces.push(p) });
  t.equal(fake.chats[1].body.stream, true);
  t.ok(pieces.length > 1, 'several pieces arrived');
  t.equal(pieces.join(''), 'You said: a longer question to split');
  t.same({ p: streamed.promptTokens, c: streamed.completionTokens }, { p: 11, c: 7 });
});

t.test('embeddings come back as floats and as base64, and the client asks for floats', async (t) => {
  const fake = await startOpenAiServer();
  t.teardown(() => fake.close());
  const vectors = await embed(config(fake.baseUrl), ['devolución de un pedido', 'shipping times']);
  t.equal(fake.embeddings[0].body.encoding_format, 'float');
  t.same(vectors[0], bagOfWords('devolución de un pedido'));
  // The fixture speaks base64 too (what the OpenAI API does when asked).
  const res = await fetch(`${fake.baseUrl}/embeddings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'e', input: ['shipping times'], encoding_format: 'base64' }) });
  const body = await res.json() as { data: Array<{ embedding: string }> };
  const bytes = Buffer.from(body.data[0].embedding, 'base64');
  const decoded = Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4));
  t.same(decoded, bagOfWords('shipping times'));
});

t.test('failures are ProviderErrors: HTTP errors, timeouts, an unreachable server', async (t) => {
  const fake = await startOpenAiServer();
  t.teardown(() => fake.close());
  fake.chat = () => ({ status: 500 });
  await t.rejects(chat(config(fake.baseUrl), [{ role: 'user', content: 'x' }]), { name: 'ProviderError', kind: 'http' });
  fake.chat = () => 'hang';
  const started = Date.now();
  await t.rejects(chat(config(fake.baseUrl, { timeoutMs: 300 }), [{ role: 'user', content: 'x' }]), { name: 'ProviderError', kind: 'timeout' });
  t.ok(Date.now() - started < 2000, 'the timeout holds');
  await t.rejects(chat(config('http://127.0.0.1:1/v1'), [{ role: 'user', content: 'x' }]), ProviderError);
  fake.embeddingStatus = 503;
  await t.rejects(embed(config(fake.baseUrl), ['x']), { name: 'ProviderError', kind: 'http' });
});
