import AjvModule from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance, FastifySchemaCompiler } from 'fastify';
import { CoreErrors } from '../errors.js';
import SerializerSelector from '@fastify/fast-json-stringify-compiler';

const Ajv = (AjvModule as unknown as { default: typeof AjvModule }).default ?? AjvModule;
const addFormats = (addFormatsModule as unknown as { default: typeof addFormatsModule }).default ?? addFormatsModule;

function make(coerce: boolean) {
  const ajv = new (Ajv as unknown as new (o: object) => import('ajv').default)({
    coerceTypes: coerce ? 'array' : false,
    removeAdditional: true,
    useDefaults: true,
    allErrors: false,
    strict: false,
  });
  (addFormats as unknown as (a: unknown) => void)(ajv);
  return ajv;
}

const strict = make(false);
const coercing = make(true);

/**
 * Bodies are validated without type coercion (`{"content": 123}` is a 400, not "123");
 * query strings and path params, which arrive as text, are coerced.
 */
export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? strict : coercing;
  // Compiled on the route's first request, not at start: most routes of an instance are
  // rarely called, and compiling every schema up front was a large part of cold start.
  // Fastify reads `errors` from the function it was given, so they are copied over.
  let compiled: ((data: unknown) => boolean) & { errors?: unknown } | undefined;
  const validate = ((data: unknown) => {
    compiled ??= ajv.compile(schema as object) as never;
    const ok = compiled!(data);
    validate.errors = compiled!.errors;
    return ok;
  }) as ((data: unknown) => boolean) & { errors?: unknown };
  return validate as never;
};

/** True when any string (or key) in a parsed body, query or params holds a NUL character. */
export function containsNul(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return true;
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k.includes('\u0000')) return true;
        stack.push(x);
      }
    }
  }
  return false;
}

/**
 * NUL characters in text are a 400 everywhere: PostgreSQL refuses them in text
 * columns and SQLite cuts the statement at them, which would otherwise surface as 500s.
 */
export function installNulGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    if (containsNul(request.params) || containsNul(request.query) || containsNul(request.body)) {
      throw CoreErrors.validation('Text may not contain NUL (\\u0000) characters.');
    }
  });
}

/**
 * Response serializers (fast-json-stringify, which also drops properties a response
 * schema does not declare) compiled on a route's first response of each status, not at
 * start — like the validators above, most of them are rarely used, and compiling them
 * all was a large part of cold start.
 */
export function lazySerializerFactory(): SerializerSelector.SerializerFactory {
  const build = SerializerSelector();
  return (externalSchemas, options) => {
    const compile = build(externalSchemas, options);
    return (routeDef) => {
      let serialize: SerializerSelector.Serializer | undefined;
      return (doc) => (serialize ??= compile(routeDef))(doc);
    };
  };
}
