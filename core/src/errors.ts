/**
 * Coded errors. Every error a client can see has a stable `code` (CHARLA_<PKG>_<WHAT>),
 * an HTTP status and a `detail` that tells the user what to do. The HTTP layer maps
 * them to application/problem+json once (see http/problem.ts).
 */
export class CharlaError extends Error {
  readonly code: string;
  readonly statusCode: number;
  readonly title: string;
  readonly headers?: Record<string, string>;
  readonly extra?: Record<string, unknown>;

  constructor(code: string, statusCode: number, detail: string, opts: { title?: string; headers?: Record<string, string>; extra?: Record<string, unknown>; cause?: unknown } = {}) {
    super(detail, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'CharlaError';
    this.code = code;
    this.statusCode = statusCode;
    this.title = opts.title ?? defaultTitle(statusCode);
    this.headers = opts.headers;
    this.extra = opts.extra;
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  406: 'Not Acceptable', 409: 'Conflict', 413: 'Payload Too Large', 414: 'URI Too Long', 415: 'Unsupported Media Type',
  422: 'Unprocessable Entity', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable',
};

export function defaultTitle(status: number): string {
  return TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Request Error');
}

/** Factory for one error kind: `const NotFound = defineError('CHARLA_CORE_SITE_NOT_FOUND', 404)`. */
export function defineError(code: string, statusCode: number) {
  const make = (detail: string, opts?: ConstructorParameters<typeof CharlaError>[3]) => new CharlaError(code, statusCode, detail, opts);
  make.code = code;
  return make;
}

export const CoreErrors = {
  badRequest: defineError('CHARLA_CORE_BAD_REQUEST', 400),
  validation: defineError('CHARLA_CORE_VALIDATION', 400),
  unauthorized: defineError('CHARLA_CORE_UNAUTHORIZED', 401),
  forbidden: defineError('CHARLA_CORE_FORBIDDEN', 403),
  /** The account is suspended by an operator: its agents, API keys and widgets are refused until it is resumed. */
  accountSuspended: defineError('CHARLA_CORE_ACCOUNT_SUSPENDED', 403),
  notFound: defineError('CHARLA_CORE_NOT_FOUND', 404),
  conflict: defineError('CHARLA_CORE_CONFLICT', 409),
  rateLimited: defineError('CHARLA_CORE_RATE_LIMITED', 429),
  unavailable: defineError('CHARLA_CORE_UNAVAILABLE', 503),
  overloaded: defineError('CHARLA_CORE_OVERLOADED', 503),
  csrf: defineError('CHARLA_CORE_CSRF_TOKEN_INVALID', 403),
  tenantScopeMissing: defineError('CHARLA_CORE_TENANT_SCOPE_MISSING', 500),
};
