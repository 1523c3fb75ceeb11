import t from 'tap';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { cradle, startEnv, until, verify, visitorWrites, world } from './helpers.js';

// docs/integrations.md end to end: an admin creates a key; the integrator runs the curl
// example that /api/docs/json gives for POST /api/v1/webhooks (a real curl against a
// listening server), receives a signed message.created, and reads the conversation with
// the JavaScript example of GET /api/v1/inbox/conversations.

const run = promisify(execFile);
type Op = { 'x-codeSamples': Array<{ lang: string; source: string }> };

t.test('from "create a key" to a working call, with the examples of the API document', async (t) => {
  const env = await startEnv({ listen: true });
  t.teardown(() => env.close());
  const { s, receiver } = env;
  const w = await world(s);
  const key = await s.request('POST', '/api/v1/api-keys', { token: w.token, body: { name: 'n8n', scopes: ['webhooks:write', 'conversations:read'] } });
  t.equal(key.status, 201);
  const doc = (await s.request('GET', '/api/docs/json')).body as { paths: Record<string, Record<string, Op>> };
  const publicUrl = cradle(s).config.publicUrl.replace(/\/$/, '');
  const sample = (path: string, method: string, lang: string) => doc.paths[path][method]['x-codeSamples'].find((c) => c.lang === lang)!.source.replaceAll(publicUrl, s.url);

  const curl = sample('/api/v1/webhooks', 'post', 'curl').replace('https://example.com/hooks/charla', receiver.url);
  t.match(curl, /CHARLA_API_KEY: an API key with webhooks:write/);
  const { stdout } = await run('bash', ['-c', `${curl} --silent --show-error`], { env: { ...process.env, CHARLA_API_KEY: key.body.key } });
  const created = JSON.parse(stdout) as { id: string; secret: string; events: string[] };
  t.match(created, { id: String, secret: /^whsec_/, events: ['message.created'] }, 'the curl example created a webhook with the key');

  const { conversationId } = await visitorWrites(s, w.appId, 'Hi from the docs');
  const [got] = await until(() => receiver.received, (r) => r.length === 1);
  t.ok(verify(created.secret, got.headers, got.body), 'the signed message.created verifies');
  t.match(got.json, { type: 'message.created', data: { content: 'Hi from the docs', conversationId } });

  const js = sample('/api/v1/inbox/conversations', 'get', 'JavaScript').replace('console.log(res.status, res.status === 204 ? null : await res.json());', 'return { status: res.status, body: await res.json() };');
  const saved = process.env.CHARLA_API_KEY;
  process.env.CHARLA_API_KEY = key.body.key;
  try {
    const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (code: string) => () => Promise<{ status: number; body: { conversations: Array<{ id: string }> } }>;
    const r = await new AsyncFunction(js)();
    t.equal(r.status, 200, 'the JavaScript example works with the key');
    t.same(r.body.conversations.map((c) => c.id), [conversationId]);
  } finally {
    if (saved === undefined) delete process.env.CHARLA_API_KEY;
    else process.env.CHARLA_API_KEY = saved;
  }
});
