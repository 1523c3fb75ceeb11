import { createRequire } from 'node:module';
import type AjvModule from 'ajv';
import type addFormatsModule from 'ajv-formats';
import type { FastifyInstance, FastifySchemaCompiler } from 'fastify';
import { CoreErrors } from '../errors.js';
import type SerializerSelector from '@fastify/fast-json-stringify-compiler';

// Ajv, ajv-formats and fast-json-stringify are loaded at the first schema a request
// needs, not at start (see below).
const require = createRequire(import.meta.url);
type AjvInstance = import('ajv').default;

function make(coerce: boolean): AjvInstance {
  const AjvExport = require('ajv') as typeof AjvModule & { default?: typeof AjvModule };
  const formatsExport = require('ajv-formats') as typeof addFormatsModule & { default?: typeof addFormatsModule };
  const Ajv = AjvExport.default ?? AjvExport;
  const addFormats = formatsExport.default ?? formatsExport;
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

let strict: AjvInstance | undefined;
let coercing: AjvInstance | undefined;

/**
 * Bodies are validated without type coercion (`{"content": 123}` is a 400, not "123");
 * query strings and path params, which arrive as text, are coerced.
 */
export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const body = httpPart === 'body';
  // Compiled on the route's first request, not at start: most routes of an instance are
  // rarely called, and compiling every schema up front was a large part of cold start.
  // Fastify reads `errors` from the function it was given, so they are copied over.
  let compiled: ((data: unknown) => boolean) & { errors?: unknown } | undefined;
  const validate = ((data: unknown) => {
    compiled ??= (body ? (strict ??= make(false)) : (coercing ??= make(true))).compile(schema as object) as never;
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
  let build: SerializerSelector.SerializerFactory | undefined;
  return (externalSchemas, options) => {
    let compile: SerializerSelector.SerializerCompiler | undefined;
    return (routeDef) => {
      let serialize: SerializerSelector.Serializer | undefined;
      return (doc) => {
        if (!serialize) {
          build ??= (require('@fastify/fast-json-stringify-compiler') as typeof SerializerSelector)();
          compile ??= build(externalSchemas, options);
          serialize = compile(routeDef);
        }
        return serialize(doc);
      };
    };
  };
}
