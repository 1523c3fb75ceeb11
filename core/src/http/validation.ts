import AjvModule from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

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
  return ajv.compile(schema as object) as never;
};
