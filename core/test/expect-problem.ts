/** Assertions shared by the kernel tests: problem+json error bodies. */
import type { Test } from 'tap';

export interface Res {
  status: number;
  body: any;
  headers: Record<string, unknown>;
  text: string;
}

/**
 * Asserts an application/problem+json error with the API.md fields (`type`, `title`,
 * `status`, `code`, `detail`) and, when given, the exact status and code.
 */
export function expectProblem(t: Test, res: Res, status: number, code?: string | RegExp, what = ''): void {
  const label = what ? `${what}: ` : '';
  t.equal(res.status, status, `${label}status ${status} (got ${res.status}: ${res.text.slice(0, 300)})`);
  t.match(String(res.headers['content-type']), /^application\/problem\+json/, `${label}problem+json content type`);
  t.equal(res.body?.status, status, `${label}body.status`);
  t.type(res.body?.title, 'string', `${label}body.title`);
  t.type(res.body?.type, 'string', `${label}body.type`);
  t.match(res.body?.code, /^CHARLA_[A-Z]+_[A-Z0-9_]+$/, `${label}body.code is a stable CHARLA_ code`);
  t.ok(typeof res.body?.detail === 'string' && res.body.detail.length > 3, `${label}body.detail explains it`);
  if (code !== undefined) {
    if (typeof code === 'string') t.equal(res.body?.code, code, `${label}code ${code}`);
    else t.match(res.body?.code, code, `${label}code`);
  }
}
