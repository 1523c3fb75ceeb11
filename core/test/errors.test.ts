import t from 'tap';
import { randomBytes } from 'node:crypto';
import { newId } from '@charla/core';
import { signup, startTestServer } from '@charla/core/testing';
import { expectProblem } from './expect-problem.js';

// Bad input on every route with a body, generated from the OpenAPI document (so a new
// route is covered automatically): missing fields, wrong types, unknown enum values,
// malformed JSON, wrong content type, oversized bodies → 4xx problem+json, never a 500.
// Then unknown routes and malformed URLs.

const s = await startTestServer({ plugins: [], config: { bodyLimitBytes: 64 * 1024 } });
t.teardown(() => s.close());
const owner = await signup(s);
// The owner is also an instance operator, so operator routes reach their body checks too.
s.app.charla.config.operatorEmails.push(owner.email);

interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  anyOf?: Schema[];
  allOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  pattern?: string;
  nullable?: boolean;
  items?: Schema;
}

/** A value the schema accepts (so a test can break exactly one field). */
function sample(schema: Schema): unknown {
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  if (schema.anyOf) return sample(schema.anyOf.find((x) => x.type !== 'null') ?? schema.anyOf[0]);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      if (schema.format === 'email') return `x-${randomBytes(3).toString('hex')}@example.com`;
      return 'Valid text 12345'.slice(0, Math.max(schema.maxLength ?? 16, schema.minLength ?? 1)).padEnd(schema.minLength ?? 1, 'x');
    case 'integer':
    case 'number':
      return schema.minimum ?? 0;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'null':
      return null;
    default:
      return Object.fromEntries((schema.required ?? []).map((k) => [k, sample(schema.properties![k])]));
  }
}

/** Kinds of the schema (string, integer, object, null, …), union members included. */
function kinds(schema: Schema): Set<string> {
  const out = new Set<string>();
  if (schema.anyOf) for (const x of schema.anyOf) for (const k of kinds(x)) out.add(k);
  if (schema.const !== undefined) out.add(typeof schema.const === 'string' ? 'string' : typeof schema.const);
  if (schema.type) for (const k of Array.isArray(schema.type) ? schema.type : [schema.type]) out.add(k);
  if (schema.nullable) out.add('null');
  return out;
}

const WRONG: Array<[string, unknown]> = [['a number', 12345], ['an object', { nested: 'x' }], ['an array', ['x']], ['a boolean', true], ['a string', 'not-the-right-type'], ['null', null]];

function wrongValuesFor(schema: Schema): Array<[string, unknown]> {
  const k = kinds(schema);
  return WRONG.filter(([label, v]) => {
    if (v === null) return !k.has('null');
    if (Array.isArray(v)) return !k.has('array');
    if (typeof v === 'object') return !k.has('object');
    if (typeof v === 'number') return !k.has('number') && !k.has('integer');
    if (typeof v === 'boolean') return !k.has('boolean');
    return label === 'a string' && !k.has('string');
  });
}

/** The closed sets of strings a schema allows (literal unions, enums), if any. */
function literals(schema: Schema): string[] | null {
  if (schema.enum) return schema.enum.map(String);
  if (schema.anyOf && schema.anyOf.every((x) => x.const !== undefined || x.enum)) return schema.anyOf.flatMap((x) => (x.enum ?? [x.const]).map(String));
  return null;
}

interface Case { label: string; body: unknown; field?: string }

/** One invalid body per broken field, each otherwise valid; nested objects too. */
function invalidBodies(schema: Schema, base: Record<string, unknown>, path: string[] = []): Case[] {
  const out: Case[] = [];
  const set = (value: unknown, drop = false): unknown => {
    const clone = structuredClone(base);
    let node = clone as Record<string, unknown>;
    for (const p of path) node = node[p] as Record<string, unknown>;
    return { clone, node, value, drop };
  };
  for (const [key, prop] of Object.entries(schema.properties ?? {})) {
    const where = [...path, key].join('.');
    const build = (value: unknown, drop = false) => {
      const { clone, node } = set(value, drop) as { clone: Record<string, unknown>; node: Record<string, unknown> };
      if (drop) delete node[key];
      else node[key] = value;
      return clone;
    };
    if (schema.required?.includes(key)) out.push({ label: `without ${where}`, body: build(undefined, true), field: key });
    for (const [label, v] of wrongValuesFor(prop)) out.push({ label: `${where} as ${label}`, body: build(v), field: where.split('.').pop() });
    const lits = literals(prop);
    if (lits) out.push({ label: `${where} as an unknown value`, body: build('definitely-not-allowed'), field: where.split('.').pop() });
    if (kinds(prop).has('string') && !lits && prop.maxLength) out.push({ label: `${where} over ${prop.maxLength} characters`, body: build('x'.repeat(prop.maxLength + 1)), field: where.split('.').pop() });
    const objectMember = prop.properties ? prop : prop.anyOf?.find((x) => x.properties);
    if (objectMember && path.length < 3) {
      const nestedBase = structuredClone(base);
      let node = nestedBase as Record<string, unknown>;
      for (const p of path) node = node[p] as Record<string, unknown>;
      node[key] = sample({ ...objectMember, required: Object.keys(objectMember.properties!).filter((k) => objectMember.required?.includes(k)) });
      out.push(...invalidBodies(objectMember, nestedBase, [...path, key]));
    }
  }
  return out;
}

const doc = (await s.request('GET', '/api/docs/json')).body as { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: Schema }> } }>> };
const bodyRoutes = Object.entries(doc.paths).flatMap(([path, ops]) =>
  Object.entries(ops).filter(([, op]) => op.requestBody).map(([method, op]) => ({ method: method.toUpperCase(), path, schema: op.requestBody!.content['application/json'].schema })),
);

t.test('the OpenAPI document lists the body routes of API.md', async (t) => {
  const keys = bodyRoutes.map((r) => `${r.method} ${r.path}`);
  for (const k of ['POST /api/v1/auth/signup', 'POST /api/v1/auth/login', 'POST /api/v1/auth/password/change', 'POST /api/v1/auth/password/forgot', 'POST /api/v1/auth/password/reset', 'POST /api/v1/auth/invitations/accept', 'PATCH /api/v1/account', 'PATCH /api/v1/team/members/{id}', 'POST /api/v1/team/invitations', 'POST /api/v1/sites', 'PATCH /api/v1/sites/{id}']) {
    t.ok(keys.includes(k), k);
  }
});

for (const route of bodyRoutes) {
  const url = route.path.replace(/\{(\w+)\}/g, () => newId());
  const send = (opts: { body?: unknown; raw?: string; headers?: Record<string, string> }) => s.request(route.method, url, { token: owner.token, ...opts });

  t.test(`${route.method} ${route.path}: malformed bodies are 400/413/415 problem+json`, async (t) => {
    for (const raw of ['{"a":', '{bad json}', "{'single': 'quotes'}", '{"a":1}}', '\u0000', '{"__proto__":{"polluted":true}}', '{"constructor":{"prototype":{"polluted":true}}}']) {
      expectProblem(t, await send({ raw }), 400, /^CHARLA_CORE_(MALFORMED_JSON|VALIDATION)$/, `raw ${JSON.stringify(raw)}`);
    }
    t.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution');
    expectProblem(t, await send({ raw: '' }), 400, /^CHARLA_CORE_(EMPTY_BODY|MALFORMED_JSON|VALIDATION)$/, 'empty JSON body');
    for (const body of [[], 'a string', 42, null, true, [{}]]) {
      expectProblem(t, await send({ body }), 400, 'CHARLA_CORE_VALIDATION', `body ${JSON.stringify(body)}`);
    }
    const huge = JSON.stringify({ name: 'x'.repeat(70 * 1024) });
    expectProblem(t, await send({ raw: huge }), 413, 'CHARLA_CORE_BODY_TOO_LARGE', 'oversized body');
    expectProblem(t, await send({ raw: '{"a":"b"}', headers: { 'content-type': 'text/plain' } }), 415, 'CHARLA_CORE_UNSUPPORTED_MEDIA_TYPE', 'text/plain');
    expectProblem(t, await send({ raw: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'CHARLA_CORE_UNSUPPORTED_MEDIA_TYPE', 'form-encoded');
    expectProblem(t, await send({ raw: '<a/>', headers: { 'content-type': 'application/xml' } }), 415, 'CHARLA_CORE_UNSUPPORTED_MEDIA_TYPE', 'xml');
    const deep = '['.repeat(20000) + ']'.repeat(20000);
    const res = await send({ raw: deep });
    t.ok(res.status === 400, `deeply nested JSON is a 400 (got ${res.status})`);
  });

  t.test(`${route.method} ${route.path}: missing fields, wrong types, unknown values → 400 naming the field`, async (t) => {
    const base = sample(route.schema) as Record<string, unknown>;
    const cases = invalidBodies(route.schema, base);
    if (Object.keys(route.schema.properties ?? {}).length) t.ok(cases.length > 0, 'some invalid bodies were generated');
    for (const c of cases) {
      const res = await send({ body: c.body });
      expectProblem(t, res, 400, 'CHARLA_CORE_VALIDATION', c.label);
      if (c.field) t.match(res.body?.detail, c.field, `${c.label}: the detail names "${c.field}"`);
    }
    for (const [key, prop] of Object.entries(route.schema.properties ?? {})) {
      if (!kinds(prop).has('string') || literals(prop)) continue;
      const res = await send({ body: { ...base, [key]: 'a\u0000b' } });
      t.equal(res.status, 400, `${key} with a NUL character is a 400 (got ${res.status})`);
    }
  });
}

t.test('unknown routes and methods are 404 problem+json', async (t) => {
  for (const [method, url] of [['GET', '/api/v1/nope'], ['POST', '/api/v1/nope'], ['GET', '/nope'], ['PUT', '/api/v1/sites'], ['DELETE', '/api/v1/sites'], ['GET', '/api/v1/sites/a/b'], ['GET', '/api/v2/sites'], ['PATCH', '/api/v1/auth/me']] as const) {
    const res = await s.request(method, url, { token: owner.token, body: method === 'GET' || method === 'DELETE' ? undefined : {} });
    expectProblem(t, res, 404, 'CHARLA_CORE_ROUTE_NOT_FOUND', `${method} ${url}`);
    t.match(res.body.detail, url.split('?')[0]);
  }
  const anon = await s.request('GET', '/api/v1/does-not-exist');
  expectProblem(t, anon, 404, 'CHARLA_CORE_ROUTE_NOT_FOUND', 'anonymous');
});

t.test('malformed URLs are problem+json, never 500', async (t) => {
  expectProblem(t, await s.request('GET', '/api/v1/sites/%E0%A4%A', { token: owner.token }), 400, 'CHARLA_CORE_BAD_URL', 'bad percent-encoding');
  expectProblem(t, await s.request('GET', `/api/v1/sites/${'x'.repeat(300)}`, { token: owner.token }), 414, 'CHARLA_CORE_MAX_PARAM_LENGTH', 'a very long id');
  expectProblem(t, await s.request('GET', `/api/v1/sites/${'x'.repeat(100)}`, { token: owner.token }), 400, 'CHARLA_CORE_VALIDATION', 'an id over 64 characters');
  for (const id of ['not-a-uuid', '1', '%20', "' OR 1=1 --", '..%2F..%2Fetc%2Fpasswd']) {
    expectProblem(t, await s.request('GET', `/api/v1/sites/${id}`, { token: owner.token }), 404, 'CHARLA_CORE_SITE_NOT_FOUND', `id ${id}`);
    expectProblem(t, await s.request('PATCH', `/api/v1/team/members/${id}`, { token: owner.token, body: { role: 'agent' } }), 404, 'CHARLA_CORE_MEMBER_NOT_FOUND', `member id ${id}`);
  }
});

t.test('error bodies never carry stack traces or SQL', async (t) => {
  const res = await s.request('POST', '/api/v1/sites', { token: owner.token, raw: '{"name": "x", "domain": "a'.padEnd(500, 'b') + '.com"}' });
  t.ok(res.status < 500);
  t.notMatch(res.text, /at \w+ \(|SELECT |INSERT |Sequelize|node_modules/);
});
