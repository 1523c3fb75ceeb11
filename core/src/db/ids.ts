import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';

/** Time-ordered, unguessable row id (UUIDv7). */
export function newId(): string {
  return uuidv7();
}

/** A random public identifier (e.g. a site's appId): url-safe, `bytes` of entropy. */
export function randomToken(bytes = 16): string {
  return randomBytes(bytes).toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** True for a syntactically valid UUID; lets routes answer 404 before touching the database. */
export function isId(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}
