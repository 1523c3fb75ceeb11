import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CharlaError, defaultTitle } from '../errors.js';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  [k: string]: unknown;
}

export function sendProblem(reply: FastifyReply, problem: Omit<Problem, 'type'> & { type?: string }, headers?: Record<string, string>): FastifyReply {
  if (headers) for (const [k, v] of Object.entries(headers)) reply.header(k, v);
  return reply
    .code(problem.status as number)
    .type('application/problem+json; charset=utf-8')
    .send({ type: problem.type ?? 'about:blank', ...problem });
}

const FASTIFY_CODES: Record<string, { code: string; detail?: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'CHARLA_CORE_BODY_TOO_LARGE', detail: 'The request body is too large.' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'CHARLA_CORE_UNSUPPORTED_MEDIA_TYPE', detail: 'Send the body as application/json.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'CHARLA_CORE_EMPTY_BODY', detail: 'The body is empty; send a JSON object.' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'CHARLA_CORE_BAD_CONTENT_LENGTH', detail: 'Content-Length does not match the body.' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'CHARLA_CORE_MALFORMED_JSON', detail: 'The body is not valid JSON.' },
};

function describeValidation(err: FastifyError): string {
  const v = err.validation?.[0] as { instancePath?: string; message?: string; params?: Record<string, unknown>; keyword?: string } | undefined;
  const where = err.validationContext ?? 'body';
  if (!v) return err.message;
  const path = (v.instancePath || '').replace(/^\//, '').replace(/\//g, '.');
  if (v.keyword === 'required') return `${where}: "${String(v.params?.missingProperty)}" is required.`;
  if (v.keyword === 'enum' || v.keyword === 'const') return `${where}${path ? `.${path}` : ''} must be one of ${JSON.stringify(v.params?.allowedValues ?? v.params?.allowedValue)}.`;
  if (v.keyword === 'anyOf' || v.keyword === 'oneOf') return `${where}${path ? `.${path}` : ''} has an invalid value.`;
  return `${where}${path ? `.${path}` : ''} ${v.message ?? 'is invalid'}.`;
}

/**
 * Errors the router raises before any route or hook runs (a malformed percent-encoding,
 * a path parameter over maxParamLength): problem+json like every other error.
 */
export function frameworkErrors(err: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400;
  const detail = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'A path segment of the URL is too long.' : err.code === 'FST_ERR_BAD_URL' ? 'The URL is not valid (bad percent-encoding).' : err.message;
  void sendProblem(reply, { title: defaultTitle(status), status, detail, code: `CHARLA_CORE_${String(err.code ?? 'BAD_REQUEST').replace(/^FST_ERR_/, '')}` });
}

/** One place maps every error to application/problem+json. Bad input is 4xx, never 500. */
export function installProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError & Partial<CharlaError>, request: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof CharlaError) {
      if (err.statusCode >= 500) request.log.error({ err }, 'request failed');
      return sendProblem(reply, { title: err.title, status: err.statusCode, detail: err.message, code: err.code, ...(err.extra ?? {}) }, err.headers);
    }
    if (err.validation) {
      return sendProblem(reply, { title: 'Bad Request', status: 400, detail: describeValidation(err), code: 'CHARLA_CORE_VALIDATION' });
    }
    const known = err.code ? FASTIFY_CODES[err.code] : undefined;
    if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (err instanceof SyntaxError && (err as FastifyError).statusCode === 400) || /Unexpected token|JSON/.test(err.message) && err.statusCode === 400) {
      return sendProblem(reply, { title: 'Bad Request', status: 400, detail: 'The body is not valid JSON.', code: 'CHARLA_CORE_MALFORMED_JSON' });
    }
    const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status < 500) {
      return sendProblem(reply, {
        title: defaultTitle(status), status,
        detail: known?.detail ?? (err.message || defaultTitle(status)),
        code: known?.code ?? (status === 413 ? 'CHARLA_CORE_BODY_TOO_LARGE' : status === 415 ? 'CHARLA_CORE_UNSUPPORTED_MEDIA_TYPE' : `CHARLA_CORE_${String(err.code ?? 'BAD_REQUEST').replace(/^FST_ERR_/, '')}`),
      });
    }
    const name = (err as { name?: string }).name ?? '';
    // PostgreSQL restarting: connection exceptions (08xxx) and operator intervention (57P0x)
    // surface as plain DatabaseErrors on connections that were open when it went down.
    const pgCode = String((err as { parent?: { code?: unknown } }).parent?.code ?? '');
    if (/Sequelize(Connection|ConnectionRefused|HostNotFound|ConnectionAcquireTimeout|ConnectionTimedOut)Error/.test(name) || /^(08|57P0)/.test(pgCode) || /ECONNREFUSED|Connection terminated|not queryable|terminating connection|the database system is (shutting down|starting up)|SQLITE_BUSY/.test(err.message)) {
      request.log.error({ err }, 'database unavailable');
      return sendProblem(reply, { title: 'Service Unavailable', status: 503, detail: 'The database is unavailable right now. Retry shortly; repeating a send with the same clientId is safe.', code: 'CHARLA_CORE_DATABASE_UNAVAILABLE' }, { 'retry-after': '2' });
    }
    request.log.error({ err }, 'unhandled error');
    return sendProblem(reply, { title: 'Internal Server Error', status: 500, detail: 'Something went wrong on our side. The error was logged.', code: 'CHARLA_CORE_INTERNAL' });
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, { title: 'Not Found', status: 404, detail: `No route ${request.method} ${request.url.split('?')[0]}.`, code: 'CHARLA_CORE_ROUTE_NOT_FOUND' }),
  );
}
