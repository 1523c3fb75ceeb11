import { HttpErrorResponse } from '@angular/common/http';
import type { Problem } from './models';

/** The server's problem+json body of a failed request, or a generic one. */
export function toProblem(error: unknown): Problem {
  if (error instanceof HttpErrorResponse) {
    const body = error.error as Partial<Problem> | null;
    if (body && typeof body === 'object') {
      return { status: error.status, title: body.title, code: body.code, detail: body.detail };
    }
    return { status: error.status, title: error.statusText };
  }
  return { status: 0, detail: error instanceof Error ? error.message : String(error) };
}

/** A sentence to show the user; `fallback` when the server said nothing useful. */
export function problemText(error: unknown, fallback: string): string {
  const p = toProblem(error);
  if (p.status === 0) return fallback;
  return p.detail || p.title || fallback;
}
