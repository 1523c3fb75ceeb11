/** A problem+json error body as the Charla API returns it (API.md, RFC 9457). */
export interface ProblemBody {
  status: number;
  code: string;
  title?: string;
  detail?: string;
  type?: string;
  [extra: string]: unknown;
}

/**
 * Thrown by {@link HttpClient.request} for every non-2xx answer (and for network
 * failures, with `status: 0` and `code: 'network_error'`).
 */
export class ProblemError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly title: string;
  /** The whole problem body, for extension members (`retryAfter`, field errors, …). */
  readonly body: ProblemBody;

  constructor(body: ProblemBody) {
    super(body.detail || body.title || `HTTP ${body.status}`);
    this.name = 'ProblemError';
    this.status = body.status;
    this.code = body.code;
    this.detail = body.detail ?? '';
    this.title = body.title ?? '';
    this.body = body;
  }
}

/** True when `err` is a ProblemError (optionally with the given status). */
export function isProblem(err: unknown, status?: number): err is ProblemError {
  return err instanceof ProblemError && (status === undefined || err.status === status);
}
