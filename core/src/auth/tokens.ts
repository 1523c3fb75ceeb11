import { createHmac, timingSafeEqual } from 'node:crypto';
import { systemClock, type Clock } from '../clock.js';

/**
 * Minimal HS256 JWT. The header is fixed and compared exactly, so `alg: none` or any
 * other algorithm is refused; the signature is compared in constant time; `exp` is
 * mandatory.
 */
const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

export interface TokenClaims {
  /** Token kind: agent session or visitor. */
  typ: 'agent' | 'visitor';
  sub: string;
  acc: string;
  exp: number;
  iat: number;
  [claim: string]: unknown;
}

export class TokenService {
  constructor(
    private readonly secret: string,
    private readonly clock: Clock = systemClock,
  ) {}

  sign(claims: Omit<TokenClaims, 'iat' | 'exp'>, ttlSeconds: number): string {
    const now = Math.floor(this.clock.now().getTime() / 1000);
    const body = Buffer.from(JSON.stringify({ ...claims, iat: now, exp: now + ttlSeconds })).toString('base64url');
    const sig = createHmac('sha256', this.secret).update(`${HEADER}.${body}`).digest('base64url');
    return `${HEADER}.${body}.${sig}`;
  }

  /** Returns the claims, or null for anything malformed, forged or expired. Never throws. */
  verify(token: unknown, typ: TokenClaims['typ']): TokenClaims | null {
    if (typeof token !== 'string' || token.length > 4096) return null;
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== HEADER) return null;
    const expected = createHmac('sha256', this.secret).update(`${parts[0]}.${parts[1]}`).digest();
    let given: Buffer;
    try {
      given = Buffer.from(parts[2], 'base64url');
    } catch {
      return null;
    }
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    let claims: TokenClaims;
    try {
      claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as TokenClaims;
    } catch {
      return null;
    }
    if (!claims || typeof claims !== 'object' || claims.typ !== typ) return null;
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= this.clock.now().getTime()) return null;
    if (typeof claims.sub !== 'string' || typeof claims.acc !== 'string') return null;
    return claims;
  }

  /** HMAC of a value with the signing key (e.g. the CSRF token of a session). */
  mac(value: string): string {
    return createHmac('sha256', this.secret).update(value).digest('base64url');
  }
}
