import type { LoggerOptions } from 'pino';

/** Paths pino removes from every log line: tokens, passwords, cookies, secrets. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  '*.password', '*.currentPassword', '*.newPassword', '*.token', '*.visitorToken', '*.secret', '*.userHash',
  'password', 'token', 'secret', 'jwtSecret', 'databaseUrl', 'redisUrl', 'smtpUrl',
  // …and the same config keys one level down (e.g. a logged `{ config }`).
  '*.jwtSecret', '*.databaseUrl', '*.redisUrl', '*.smtpUrl',
];

export function loggerOptions(level: string, pretty = false): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    ...(pretty ? {} : {}),
    serializers: {
      req(req: { method?: string; url?: string; id?: string; ip?: string }) {
        // Query strings may carry ?token= for websockets: never log them. Any object logged
        // as `req` gets here, not only requests: never throw (a throwing serializer fails the log call).
        const url = typeof req?.url === 'string' ? req.url : undefined;
        const q = url?.indexOf('?') ?? -1;
        return { method: req?.method, url: q === -1 ? url : url!.slice(0, q), id: req?.id, ip: req?.ip };
      },
    },
  };
}
