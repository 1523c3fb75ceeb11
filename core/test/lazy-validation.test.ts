import t from 'tap';
import { validatorCompiler } from '../src/http/validation.js';

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
