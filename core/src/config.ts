import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { PlanSchema, UNCONFIGURED_PLAN } from './accounts/entitlements.js';

const RateLimit = Type.Object({
  max: Type.Integer({ minimum: 1 }),
  windowSeconds: Type.Integer({ minimum: 1 }),
});

/** The whole configuration. Types come from this schema; `loadConfig` validates against it. */
export const ConfigSchema = Type.Object({
  port: Type.Integer({ minimum: 0, maximum: 65535, description: 'PORT: HTTP port' }),
  host: Type.String({ minLength: 1, description: 'HOST: interface to listen on' }),
  dataDir: Type.String({ minLength: 1, description: 'DATA_DIR: SQLite file, generated mail, admin builds' }),
  publicUrl: Type.String({ pattern: '^https?://[^\\s/]+(/[^\\s]*)?$', description: 'PUBLIC_URL: the URL users reach' }),
  databaseUrl: Type.Optional(Type.String({ pattern: '^postgres(ql)?://', description: 'DATABASE_URL: postgres://… (unset: SQLite)' })),
  redisUrl: Type.Optional(Type.String({ pattern: '^rediss?://', description: 'REDIS_URL: redis://… (unset: in-process)' })),
  redisPrefix: Type.String({ pattern: '^[A-Za-z0-9:_-]{1,50}$', description: 'REDIS_PREFIX: namespace of Charla keys in Redis' }),
  jwtSecret: Type.Optional(Type.String({ minLength: 32, description: 'JWT_SECRET: token-signing key (unset: generated once, kept in the database)' })),
  smtpUrl: Type.Optional(Type.String({ pattern: '^smtps?://', description: 'SMTP_URL: smtp://user:pass@host:port (unset: .eml files in DATA_DIR/mail)' })),
  mailFrom: Type.String({ minLength: 3 }),
  // A plugin name, a package name, or a local path (./my-plugins/hello, /opt/plugins/x).
  plugins: Type.Array(Type.String({ pattern: '^(\\.{0,2}/)?[A-Za-z0-9@_][A-Za-z0-9._/@-]*$' })),
  signup: Type.Union([Type.Literal('open'), Type.Literal('invite-only')]),
  plans: Type.Array(PlanSchema, { minItems: 1, description: 'BILLING_PLANS: the plans (JSON array inline or @file; unset: one unlimited plan "enterprise" with every plugin)' }),
  defaultPlan: Type.String({ minLength: 1, description: 'BILLING_DEFAULT_PLAN (or DEFAULT_PLAN): id of the plan new accounts get (unset: the first plan)' }),
  operatorEmails: Type.Array(Type.String()),
  trustProxy: Type.Union([Type.Boolean(), Type.Integer({ minimum: 0 }), Type.String()]),
  logLevel: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l))),
  production: Type.Boolean(),
  sessionTtlSeconds: Type.Integer({ minimum: 60 }),
  bodyLimitBytes: Type.Integer({ minimum: 1024 }),
  sqliteMaxQueuedWrites: Type.Integer({ minimum: 1, description: 'SQLITE_MAX_QUEUED_WRITES: SQLite write transactions that may wait before requests that write get a 503' }),
  rateLimits: Type.Object({
    loginFailuresPerEmail: RateLimit,
    authPerIp: RateLimit,
    widgetInitPerIp: RateLimit,
    messagesPerVisitor: RateLimit,
    apiKeyRequests: RateLimit,
  }),
  realtime: Type.Object({
    maxPayloadBytes: Type.Integer({ minimum: 1024 }),
    maxFramesPerSecond: Type.Integer({ minimum: 1 }),
    /** Sustained frames per second of one actor (a visitor, an agent's session) across all its sockets. */
    maxFramesPerSecondPerActor: Type.Integer({ minimum: 1 }),
    /** Open sockets per actor (a visitor token, an agent's session) on one instance. */
    maxSocketsPerToken: Type.Integer({ minimum: 1 }),
    /** Open sockets per client IP on one instance. */
    maxSocketsPerIp: Type.Integer({ minimum: 1 }),
    idleTimeoutSeconds: Type.Integer({ minimum: 5 }),
    presenceTtlSeconds: Type.Integer({ minimum: 5 }),
    allowedAgentOrigins: Type.Array(Type.String()),
  }),
  jobs: Type.Object({
    pollIntervalMs: Type.Integer({ minimum: 10 }),
    leaseSeconds: Type.Integer({ minimum: 1 }),
    maxAttempts: Type.Integer({ minimum: 1 }),
    /** Jobs one instance runs at the same time (its worker slots). */
    concurrency: Type.Integer({ minimum: 1, maximum: 1000 }),
  }),
  serveStatic: Type.Boolean({ description: 'serve /admin, /widget and /demo' }),
});

export type CharlaConfig = Static<typeof ConfigSchema>;
export type ConfigOverrides = { [K in keyof CharlaConfig]?: CharlaConfig[K] extends object ? Partial<CharlaConfig[K]> | CharlaConfig[K] : CharlaConfig[K] };

export const BUILT_IN_PLUGINS = ['conversations', 'inbox', 'knowledge-base', 'webhooks', 'contacts', 'bot', 'tags', 'reports', 'billing', 'ai'];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Reads `charla.config.json` (or CHARLA_CONFIG) from `cwd`, when present. */
function readConfigFile(env: Env, cwd: string): Record<string, unknown> {
  const path = env.CHARLA_CONFIG ? resolve(cwd, env.CHARLA_CONFIG) : resolve(cwd, 'charla.config.json');
  if (!existsSync(path)) {
    if (env.CHARLA_CONFIG) throw new ConfigError([`CHARLA_CONFIG: file ${path} does not exist`]);
    return {};
  }
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError([`${path}: ${(err as Error).message}`]);
  }
}

const problems: string[] = [];
function int(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n)) {
    problems.push(`${name}: expected an integer, got "${raw}"`);
    return fallback; // reported once, here, not again by the schema check
  }
  return n;
}
function list(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  return raw.split(',').map((s) => s.trim()).filter(Boolean);
}
function rate(env: Env, name: string, max: number, windowSeconds: number) {
  // e.g. RATE_LIMIT_AUTH_PER_IP=30/60  (30 per 60 s)
  const raw = env[name];
  if (!raw) return { max, windowSeconds };
  const m = /^(\d+)\/(\d+)$/.exec(raw.trim());
  if (!m) { problems.push(`${name}: expected MAX/WINDOW_SECONDS such as 30/60, got "${raw}"`); return { max, windowSeconds }; }
  return { max: Number(m[1]), windowSeconds: Number(m[2]) };
}
/** BILLING_PLANS: a JSON array, inline or `@<path>` (relative to the working directory). */
function plans(env: Env, cwd: string, file: Record<string, unknown>): unknown {
  const raw = env.BILLING_PLANS;
  if (!raw) return (file.billing as { plans?: unknown } | undefined)?.plans ?? file.plans ?? [UNCONFIGURED_PLAN];
  try {
    return JSON.parse(raw.startsWith('@') ? readFileSync(resolve(cwd, raw.slice(1)), 'utf8') : raw) as unknown;
  } catch (err) {
    problems.push(`BILLING_PLANS: ${(err as Error).message}`);
    return [UNCONFIGURED_PLAN];
  }
}

function trustProxy(raw: string | undefined): boolean | number | string {
  if (raw === undefined || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  return raw; // comma-separated addresses / CIDRs
}

function deepMerge<T>(base: T, over: unknown): T {
  if (!over || typeof over !== 'object' || Array.isArray(over)) return (over === undefined ? base : over) as T;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over as Record<string, unknown>)) {
    if (v === undefined) continue;
    const b = out[k];
    out[k] = b && typeof b === 'object' && !Array.isArray(b) && v && typeof v === 'object' && !Array.isArray(v) ? deepMerge(b, v) : v;
  }
  return out as T;
}

/**
 * The first-start line about PUBLIC_URL: links in e-mails and the widget snippet use it,
 * so say which one is in use and, when it is the default, how to set it (an admin opened
 * on 127.0.0.1 would otherwise find `localhost` links without knowing why).
 */
export function publicUrlNotice(config: Pick<CharlaConfig, 'publicUrl' | 'port'>, env: Env = process.env): string {
  const head = `charla: PUBLIC_URL is ${config.publicUrl} — links in e-mails and the widget snippet use it`;
  if (env.PUBLIC_URL) return `${head} (from the PUBLIC_URL variable).`;
  if (config.publicUrl !== `http://localhost:${config.port}`) return `${head} (from charla.config.json).`;
  return `${head}. This is the default: set the address people reach this server at with PUBLIC_URL (e.g. PUBLIC_URL=https://chat.example.com in the environment or .env, or "publicUrl" in charla.config.json) and restart.`;
}

/**
 * Builds the configuration from the environment, `charla.config.json` and explicit
 * overrides (highest precedence), and validates it. Throws ConfigError listing every problem.
 */
export function loadConfig(overrides: ConfigOverrides = {}, env: Env = process.env, cwd = process.cwd()): CharlaConfig {
  problems.length = 0;
  const file = readConfigFile(env, cwd);
  const port = int(env, 'PORT', 3000);
  const production = env.NODE_ENV === 'production';
  const planList = plans(env, cwd, file);
  const fromEnv: CharlaConfig = {
    port,
    host: env.HOST || '0.0.0.0',
    dataDir: resolve(cwd, env.DATA_DIR || './data'),
    publicUrl: (env.PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, ''),
    databaseUrl: env.DATABASE_URL || undefined,
    redisUrl: env.REDIS_URL || undefined,
    redisPrefix: env.REDIS_PREFIX || 'charla:',
    jwtSecret: env.JWT_SECRET || undefined,
    smtpUrl: env.SMTP_URL || undefined,
    mailFrom: env.MAIL_FROM || 'Charla <no-reply@localhost>',
    plugins: list(env.CHARLA_PLUGINS) ?? (Array.isArray(file.plugins) ? (file.plugins as string[]) : BUILT_IN_PLUGINS),
    signup: (env.SIGNUP || 'open') as CharlaConfig['signup'],
    plans: planList as CharlaConfig['plans'],
    defaultPlan: env.BILLING_DEFAULT_PLAN || env.DEFAULT_PLAN || '', // unset: the first plan (below)
    operatorEmails: (list(env.OPERATOR_EMAILS) ?? []).map((e) => e.toLowerCase()),
    trustProxy: trustProxy(env.TRUST_PROXY),
    logLevel: (env.LOG_LEVEL || 'info') as CharlaConfig['logLevel'],
    production,
    sessionTtlSeconds: int(env, 'SESSION_TTL_SECONDS', 7 * 24 * 3600),
    bodyLimitBytes: int(env, 'BODY_LIMIT_BYTES', 256 * 1024),
    sqliteMaxQueuedWrites: int(env, 'SQLITE_MAX_QUEUED_WRITES', 256),
    rateLimits: {
      loginFailuresPerEmail: rate(env, 'RATE_LIMIT_LOGIN_FAILURES', 10, 15 * 60),
      authPerIp: rate(env, 'RATE_LIMIT_AUTH_PER_IP', 30, 60),
      widgetInitPerIp: rate(env, 'RATE_LIMIT_WIDGET_INIT_PER_IP', 60, 60),
      messagesPerVisitor: rate(env, 'RATE_LIMIT_MESSAGES_PER_VISITOR', 20, 10),
      apiKeyRequests: rate(env, 'RATE_LIMIT_API_KEY', 600, 60),
    },
    realtime: {
      maxPayloadBytes: int(env, 'REALTIME_MAX_PAYLOAD_BYTES', 64 * 1024),
      maxFramesPerSecond: int(env, 'REALTIME_MAX_FRAMES_PER_SECOND', 50),
      maxFramesPerSecondPerActor: int(env, 'REALTIME_MAX_FRAMES_PER_SECOND_PER_ACTOR', 100),
      maxSocketsPerToken: int(env, 'REALTIME_MAX_SOCKETS_PER_TOKEN', 20),
      maxSocketsPerIp: int(env, 'REALTIME_MAX_SOCKETS_PER_IP', 500),
      idleTimeoutSeconds: int(env, 'REALTIME_IDLE_TIMEOUT_SECONDS', 60),
      presenceTtlSeconds: int(env, 'PRESENCE_TTL_SECONDS', 45),
      allowedAgentOrigins: list(env.AGENT_ORIGINS) ?? [],
    },
    jobs: {
      pollIntervalMs: int(env, 'JOBS_POLL_INTERVAL_MS', 500),
      leaseSeconds: int(env, 'JOBS_LEASE_SECONDS', 60),
      maxAttempts: int(env, 'JOBS_MAX_ATTEMPTS', 8),
      concurrency: int(env, 'JOBS_CONCURRENCY', 10),
    },
    serveStatic: true,
  };
  const { plugins: _ignored, plans: _plans, billing: _billing, ...fileRest } = file;
  let config = deepMerge(fromEnv, fileRest);
  config = deepMerge(config, overrides);
  if (!config.defaultPlan && Array.isArray(config.plans)) config.defaultPlan = (config.plans[0] as { id?: string } | undefined)?.id ?? '';
  if (overrides.port !== undefined && !env.PUBLIC_URL && overrides.publicUrl === undefined) {
    config.publicUrl = `http://localhost:${overrides.port}`;
  }
  const all = [...problems];
  for (const e of Value.Errors(ConfigSchema, config)) {
    const key = e.path.replace(/^\//, '').replace(/\//g, '.') || 'config';
    const env = ENV_NAMES[key] ?? ENV_NAMES[key.split('.').slice(0, 2).join('.')] ?? ENV_NAMES[key.split('.')[0]];
    const literals = (e.schema as { anyOf?: Array<{ const?: unknown }> }).anyOf?.map((s) => s.const);
    const message = literals?.length && literals.every((l) => typeof l === 'string') ? `expected one of ${literals.join(', ')}` : e.message;
    all.push(`${env ? `${env} (${key})` : key}: ${message}${e.value === undefined ? '' : ` (got ${JSON.stringify(redactValue(e.path, e.value))})`}`);
  }
  if (!all.length) all.push(...planProblems(config, !env.BILLING_DEFAULT_PLAN && env.DEFAULT_PLAN ? 'DEFAULT_PLAN' : 'BILLING_DEFAULT_PLAN'));
  if (all.length) throw new ConfigError(all);
  return config;
}

/** What the schema cannot say: plan ids are unique and the default plan is one of them. */
function planProblems(config: CharlaConfig, defaultPlanEnv: string): string[] {
  const ids = config.plans.map((p) => p.id);
  const out = [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))].map((id) => `BILLING_PLANS (plans): the plan id "${id}" appears more than once`);
  if (!ids.includes(config.defaultPlan)) out.push(`${defaultPlanEnv} (defaultPlan): no plan "${config.defaultPlan}"; the plans are ${ids.join(', ')}`);
  return out;
}

/** The environment variable behind each config key, so a problem names what the operator set. */
const ENV_NAMES: Record<string, string> = {
  port: 'PORT', host: 'HOST', dataDir: 'DATA_DIR', publicUrl: 'PUBLIC_URL', databaseUrl: 'DATABASE_URL', redisUrl: 'REDIS_URL',
  redisPrefix: 'REDIS_PREFIX', jwtSecret: 'JWT_SECRET', smtpUrl: 'SMTP_URL', mailFrom: 'MAIL_FROM', plugins: 'CHARLA_PLUGINS',
  signup: 'SIGNUP', plans: 'BILLING_PLANS', defaultPlan: 'BILLING_DEFAULT_PLAN', operatorEmails: 'OPERATOR_EMAILS', trustProxy: 'TRUST_PROXY', logLevel: 'LOG_LEVEL',
  sessionTtlSeconds: 'SESSION_TTL_SECONDS', bodyLimitBytes: 'BODY_LIMIT_BYTES', sqliteMaxQueuedWrites: 'SQLITE_MAX_QUEUED_WRITES',
  'rateLimits.loginFailuresPerEmail': 'RATE_LIMIT_LOGIN_FAILURES', 'rateLimits.authPerIp': 'RATE_LIMIT_AUTH_PER_IP',
  'rateLimits.widgetInitPerIp': 'RATE_LIMIT_WIDGET_INIT_PER_IP', 'rateLimits.messagesPerVisitor': 'RATE_LIMIT_MESSAGES_PER_VISITOR',
  'rateLimits.apiKeyRequests': 'RATE_LIMIT_API_KEY',
  'realtime.maxPayloadBytes': 'REALTIME_MAX_PAYLOAD_BYTES', 'realtime.maxFramesPerSecond': 'REALTIME_MAX_FRAMES_PER_SECOND',
  'realtime.maxFramesPerSecondPerActor': 'REALTIME_MAX_FRAMES_PER_SECOND_PER_ACTOR', 'realtime.maxSocketsPerToken': 'REALTIME_MAX_SOCKETS_PER_TOKEN',
  'realtime.maxSocketsPerIp': 'REALTIME_MAX_SOCKETS_PER_IP',
  'realtime.idleTimeoutSeconds': 'REALTIME_IDLE_TIMEOUT_SECONDS', 'realtime.presenceTtlSeconds': 'PRESENCE_TTL_SECONDS',
  'realtime.allowedAgentOrigins': 'AGENT_ORIGINS', 'jobs.pollIntervalMs': 'JOBS_POLL_INTERVAL_MS', 'jobs.leaseSeconds': 'JOBS_LEASE_SECONDS',
  'jobs.maxAttempts': 'JOBS_MAX_ATTEMPTS', 'jobs.concurrency': 'JOBS_CONCURRENCY',
};

function redactValue(path: string, value: unknown): unknown {
  return /secret|url|password/i.test(path) && typeof value === 'string' ? '[redacted]' : value;
}
