import t from 'tap';
import { baseUrlAllowed, readOptions } from '../src/server/settings.js';
import { configure, isProblem, startEnv, world } from './helpers.js';

t.test('settings: defaults, the key write-only, never in responses or logs', async (t) => {
  const env = await startEnv();
  t.teardown(() => env.close());
  const w = await world(env.s);
  const before = await env.s.request('GET', '/api/v1/plugins/ai', { token: w.token });
  t.equal(before.status, 200);
  t.match(before.body.settings, { enabled: false, baseUrl: '', apiKey: '', model: '', embeddingModel: '', tone: 'friendly', language: 'auto', maxAnswerChars: 800, onlyFromKnowledgeBase: true });
  t.ok(before.body.settings.handoffKeywords.includes('humano'), 'Spanish and English words for "a person" by default');

  const key = 'sk-live-very-secret-key-123';
  const saved = await env.s.request('PATCH', '/api/v1/plugins/ai', { token: w.token, body: { settings: { enabled: true, baseUrl: env.fake.baseUrl, apiKey: key, model: 'llama3.1' } } });
  t.equal(saved.status, 200);
  t.equal(saved.body.settings.apiKey, '••••••••', 'the answer masks the key');
  const read = await env.s.request('GET', '/api/v1/plugins/ai', { token: w.token });
  t.equal(read.body.settings.apiKey, '••••••••', 'reads mask the key');
  // Saving the form back untouched keeps the key: the provider still gets it.
  await configure(env.s, w.token, { ...read.body.settings, tone: 'formal' });
  const check = await env.s.request('POST', '/api/v1/ai/test-connection', { token: w.token });
  t.same(check.body, { chat: { ok: true }, embeddings: null });
  t.equal(env.fake.chats.at(-1)!.headers.authorization, `Bearer ${key}`, 'the provider gets the real key');
  await env.s.request('POST', '/api/v1/ai/test', { token: w.token, body: { question: 'anything' } });
  const all = env.logs.join('') + JSON.stringify(read.body) + JSON.stringify(check.body);
  t.ok(env.logs.length > 3, 'something was logged');
  t.notOk(all.includes(key), 'the key is in no log line and no response');

  const bad = await env.s.request('PATCH', '/api/v1/plugins/ai', { token: w.token, body: { settings: { maxAnswerChars: 5 } } });
  t.ok(isProblem(bad, 400), 'an out-of-range setting is a 400 problem');
  const tone = await env.s.request('PATCH', '/api/v1/plugins/ai', { token: w.token, body: { settings: { tone: 'rude' } } });
  t.ok(isProblem(tone, 400), 'an unknown tone is a 400 problem');
});

t.test('test connection reports a failing provider without a 500', async (t) => {
  const env = await startEnv();
  t.teardown(() => env.close());
  const w = await world(env.s);
  const none = await env.s.request('POST', '/api/v1/ai/test-connection', { token: w.token });
  t.ok(isProblem(none, 409, 'CHARLA_AI_NOT_CONFIGURED'), 'nothing configured: 409 saying what to set');
  await configure(env.s, w.token, { baseUrl: env.fake.baseUrl, model: 'm', embeddingModel: 'e' });
  env.fake.chat = () => ({ status: 401, error: 'bad key' });
  env.fake.embeddingStatus = 500;
  const r = await env.s.request('POST', '/api/v1/ai/test-connection', { token: w.token });
  t.equal(r.status, 200);
  t.same(r.body, { chat: { ok: false, error: 'The AI provider answered HTTP 401.' }, embeddings: { ok: false, error: 'The AI provider answered HTTP 500.' } });
  env.fake.chat = () => 'ok';
  env.fake.embeddingStatus = 200;
  const ok = await env.s.request('POST', '/api/v1/ai/test-connection', { token: w.token });
  t.same(ok.body, { chat: { ok: true }, embeddings: { ok: true, dimensions: 64 } });
});

t.test('the operator allowlist of base URLs (AI_ALLOWED_BASE_URLS)', async (t) => {
  const options = readOptions({ AI_ALLOWED_BASE_URLS: 'https://api.openai.com/v1, http://ollama:11434/' });
  t.same(options.allowedBaseUrls, ['https://api.openai.com/v1', 'http://ollama:11434']);
  t.ok(baseUrlAllowed('https://api.openai.com/v1', options));
  t.ok(baseUrlAllowed('http://ollama:11434/v1', options), 'a path under an allowed URL');
  t.notOk(baseUrlAllowed('https://api.openai.com.evil.test/v1', options), 'a lookalike host is refused');
  t.notOk(baseUrlAllowed('http://169.254.169.254/latest', options));
  t.notOk(baseUrlAllowed('file:///etc/passwd', readOptions({})), 'only http(s), even without a list');
  t.ok(baseUrlAllowed('http://localhost:11434/v1', readOptions({})), 'no list: any http(s) URL');
  t.throws(() => readOptions({ AI_ALLOWED_BASE_URLS: 'ftp://x' }), /AI_ALLOWED_BASE_URLS/);
  t.throws(() => readOptions({ AI_TIMEOUT_MS: '-1' }), /AI_TIMEOUT_MS/);

  process.env.AI_ALLOWED_BASE_URLS = 'https://api.openai.com/v1';
  t.teardown(() => { delete process.env.AI_ALLOWED_BASE_URLS; });
  const env = await startEnv();
  t.teardown(() => env.close());
  const w = await world(env.s);
  await configure(env.s, w.token, { enabled: true, baseUrl: env.fake.baseUrl, model: 'm' });
  const r = await env.s.request('POST', '/api/v1/ai/test', { token: w.token, body: { question: 'hello' } });
  t.ok(isProblem(r, 400, 'CHARLA_AI_BASE_URL_NOT_ALLOWED'), 'a URL outside the list is refused');
  t.equal(env.fake.chats.length, 0, 'and never called');
});
