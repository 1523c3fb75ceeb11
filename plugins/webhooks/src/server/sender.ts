import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { CheckedUrl } from './url-guard.js';

export interface SendResult {
  /** The HTTP status, or null when no response came (timeout, refused connection). */
  status: number | null;
  error: string | null;
  durationMs: number;
  /** Seconds from a `Retry-After` header, when the receiver sent one. */
  retryAfterSeconds: number | null;
}

function retryAfter(value: string | string[] | undefined): number | null {
  if (typeof value !== 'string') return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/**
 * POSTs one delivery to the checked address and nowhere else: the request's DNS lookup
 * is pinned to the address the guard approved (no second resolution to rebind), and
 * redirects are not followed (a 3xx is a failed attempt).
 */
export function send(target: CheckedUrl, headers: Record<string, string>, body: string, timeoutMs: number, signal: AbortSignal): Promise<SendResult> {
  const started = Date.now();
  const pinned: LookupFunction = (_host, opts, cb) => {
    if ((opts as { all?: boolean }).all) (cb as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address: target.address, family: target.family }]);
    else cb(null, target.address, target.family);
  };
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: Omit<SendResult, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...r, durationMs: Date.now() - started });
    };
    const lib = target.url.protocol === 'https:' ? https : http;
    const req = lib.request(target.url, {
      method: 'POST', lookup: pinned, signal, agent: false,
      headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'Charla-Webhooks/1', ...headers },
    }, (res) => {
      res.resume(); // the body is not used; drain it so the socket closes
      res.on('end', () => done({ status: res.statusCode ?? null, error: res.statusCode && res.statusCode < 300 && res.statusCode >= 200 ? null : `HTTP ${res.statusCode}`, retryAfterSeconds: retryAfter(res.headers['retry-after']) }));
      res.on('error', (err) => done({ status: res.statusCode ?? null, error: err.message, retryAfterSeconds: null }));
    });
    const timer = setTimeout(() => {
      done({ status: null, error: `timed out after ${timeoutMs} ms`, retryAfterSeconds: null });
      req.destroy();
    }, timeoutMs);
    req.on('error', (err) => done({ status: null, error: err.message.slice(0, 300), retryAfterSeconds: null }));
    req.end(body);
  });
}
