import { ProblemError, type ProblemBody } from './problem-error.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpClientOptions {
  /** Origin (and optional path prefix) of the Charla server, e.g. `https://chat.example.com`. Empty = same origin. */
  baseUrl?: string;
  /** Bearer token to send (visitor token, agent JWT or API key); called on every request so it may change. */
  token?: () => string | null | undefined;
  /** CSRF token for cookie-authenticated writes (agents in the admin); sent as `x-csrf-token` on non-GET requests. */
  csrfToken?: () => string | null | undefined;
  /** `fetch` credentials mode; `'include'` for the admin's session cookie. Default `'same-origin'`. */
  credentials?: RequestCredentials;
  /** A fetch implementation (tests); default the global `fetch`. */
  fetch?: typeof fetch;
}

export interface HttpClient {
  /**
   * Sends a JSON request and resolves with the parsed JSON body (`undefined` for 204/202
   * without body). Rejects with a {@link ProblemError} for any non-2xx status, or with
   * `status: 0, code: 'network_error'` when the request did not reach the server.
   */
  request<T = unknown>(method: HttpMethod, path: string, body?: unknown, init?: { signal?: AbortSignal; keepalive?: boolean }): Promise<T>;
}

/** Creates a small JSON-over-fetch client bound to one server and one credential. */
export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const base = (options.baseUrl ?? '').replace(/\/+$/, '');
  return {
    async request<T>(method: HttpMethod, path: string, body?: unknown, init: { signal?: AbortSignal; keepalive?: boolean } = {}): Promise<T> {
      const doFetch = options.fetch ?? globalThis.fetch;
      const headers: Record<string, string> = { accept: 'application/json' };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const token = options.token?.();
      if (token) headers.authorization = `Bearer ${token}`;
      if (method !== 'GET') {
        const csrf = options.csrfToken?.();
        if (csrf) headers['x-csrf-token'] = csrf;
      }
      let res: Response;
      try {
        res = await doFetch(base + path, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          credentials: options.credentials ?? 'same-origin',
          signal: init.signal,
          keepalive: init.keepalive,
        });
      } catch (err) {
        if ((err as { name?: string })?.name === 'AbortError') throw err;
        throw new ProblemError({ status: 0, code: 'network_error', title: 'Network error', detail: String((err as Error)?.message ?? err) });
      }
      const text = await res.text().catch(() => '');
      let json: unknown;
      if (text) {
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
      }
      if (!res.ok) {
        const p = (json && typeof json === 'object' ? json : {}) as Partial<ProblemBody>;
        throw new ProblemError({
          ...p,
          status: res.status,
          code: typeof p.code === 'string' ? p.code : `http_${res.status}`,
          title: typeof p.title === 'string' ? p.title : res.statusText,
          detail: typeof p.detail === 'string' ? p.detail : text.slice(0, 200),
        });
      }
      return json as T;
    },
  };
}
