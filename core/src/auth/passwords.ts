import { randomBytes, scrypt as scryptCb, timingSafeEqual, createHash } from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, len: number, opts: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;
const PARAMS = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEYLEN = 32;

/** scrypt password hash, self-describing: `scrypt$N$r$p$salt$hash`. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEYLEN, PARAMS);
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** Constant-time check. Always does the full scrypt work, even for a malformed hash. */
export async function verifyPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  const parts = (stored ?? '').split('$');
  const ok = parts.length === 6 && parts[0] === 'scrypt';
  const salt = ok ? Buffer.from(parts[4], 'base64url') : randomBytes(16);
  const expected = ok ? Buffer.from(parts[5], 'base64url') : randomBytes(KEYLEN);
  const params = ok ? { N: Number(parts[1]), r: Number(parts[2]), p: Number(parts[3]), maxmem: PARAMS.maxmem } : PARAMS;
  const key = await scrypt(password, salt, expected.length || KEYLEN, params);
  return ok && key.length === expected.length && timingSafeEqual(key, expected);
}

/** A hash that keeps timing equal when the user does not exist. */
export const DUMMY_PASSWORD_HASH = `scrypt$16384$8$1$${Buffer.alloc(16, 7).toString('base64url')}$${Buffer.alloc(32, 9).toString('base64url')}`;

/** SHA-256 of a one-time token (reset, invitation): only the hash is stored. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
