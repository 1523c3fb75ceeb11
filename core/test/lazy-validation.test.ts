import t from 'tap';
import { definePlugin } from '@charla/core';
import { startTestServer } from '@charla/core/testing';
import { lazySerializerFactory, validatorCompiler } from '../src/http/validation.js';

// Route schemas are compiled on a route's first request, not at start (cold start):
// the validator Fastify gets must behave exactly like the compiled one, errors included.

type V = ((data: unknown) => boolean) & { errors?: Array<{ instancePath: string; keyword: string }> | null };
const compile = (schema: object, httpPart = 'body') => validatorCompiler({ schema, httpPart, method: 'POST', url: '/x' } as never) as unknown as V;

t.test('nothing is compiled until the first validation', async (t) => {
  // An invalid schema would throw at compile time: handing it over does not throw…
  let v!: V;
  t.doesNotThrow(() => { v = compile({ type: 'object', properties: { a: { type: 'no-such-type' } } }); }, 'no compile when the route is registered');
  // …its first use does.
  t.throws(() => v({ a: 1 }), 'compiled (and refused) on first use');
});

t.test('results and errors are the compiled validator\'s', async (t) => {
  const v = compile({ type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] });
  t.equal(v({ n: 1 }), true);
  t.equal(v({ n: 'x' }), false, 'bodies are not coerced');
  t.match(v.errors, [{ instancePath: '/n', keyword: 'type' }], 'Fastify reads errors from the function it was given');
  t.equal(v({ n: 2 }), true);
  t.notOk(v.errors, 'and they are cleared by a later success');
  const q = compile({ type: 'object', properties: { n: { type: 'integer' } } }, 'querystring');
  const data = { n: '5' };
  t.equal(q(data), true, 'query strings are coerced');
  t.same(data, { n: 5 });
});

t.test('response serializers are compiled on first use and still drop undeclared properties', async (t) => {
  const compileFor = lazySerializerFactory()(undefined, {});
  let serialize!: (doc: unknown) => string;
  t.doesNotThrow(() => { serialize = compileFor({ method: 'GET', url: '/x', httpStatus: '200', schema: { type: 'object', properties: { a: { type: 'no-such-type' } } } }); }, 'no compile when the route is registered');
  t.throws(() => serialize({ a: 1 }), 'compiled (and refused) on first use');

  // Through a real server: a route whose handler returns more than its schema declares.
  const leaky = definePlugin({
    name: 'leaky',
    version: '1.0.0',
    required: true,
    routes(app) {
      app.get('/api/v1/leaky', { config: { auth: 'public' }, schema: { response: { 200: { type: 'object', properties: { name: { type: 'string' }, n: { type: 'integer' } } } } } }, async () => ({ name: 'ok', n: '7', passwordHash: 'secret' }));
    },
  });
  const s = await startTestServer({ plugins: [leaky], jobs: false });
  t.teardown(() => s.close());
  for (let i = 0; i < 2; i++) {
    const res = await s.request('GET', '/api/v1/leaky');
    t.equal(res.status, 200);
    t.same(res.body, { name: 'ok', n: 7 }, `response ${i + 1}: undeclared properties dropped, types coerced by the schema`);
  }
});
