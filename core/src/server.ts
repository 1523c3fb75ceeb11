import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyWebsocket from '@fastify/websocket';
import fastifySwagger from '@fastify/swagger';
import fastifyCompress from '@fastify/compress';
import { asFunction, asValue, type AwilixContainer } from 'awilix';
import pino, { type Logger } from 'pino';
import { loadConfig, type CharlaConfig, type ConfigOverrides } from './config.js';
import { createRootContainer, type Cradle } from './container.js';
import { Database } from './db/database.js';
import { defineCoreModels, ensureInstanceSecret } from './db/core-models.js';
import { migrate } from './db/migrator.js';
import { newId } from './db/ids.js';
import { Broker } from './events/broker.js';
import { EventBus } from './events/event-bus.js';
import { CORE_EVENTS, checkEventDefinitions } from './events/core-events.js';
import { eventRoutes } from './events/event-routes.js';
import { codeSamples, type CodeSample } from './http/code-samples.js';
import { HookRunner } from './hooks/hook-runner.js';
import { JobQueue } from './jobs/job-queue.js';
import { Mailer, type MailMessage } from './mail/mailer.js';
import { TokenService } from './auth/tokens.js';
import { AuthService } from './auth/auth-service.js';
import { authRoutes } from './auth/auth-routes.js';
import { ApiKeyService } from './auth/api-keys.js';
import { apiKeyRoutes } from './auth/api-key-routes.js';
import { operatorRoutes } from './auth/operator.js';
import { TeamService } from './accounts/team-service.js';
import { teamRoutes } from './accounts/team-routes.js';
import { SiteService } from './sites/site-service.js';
import { siteRoutes } from './sites/site-routes.js';
import { RateLimiter } from './http/rate-limiter.js';
import { frameworkErrors, installProblemHandlers } from './http/problem.js';
import { installRequestAuth } from './http/request-auth.js';
import { installNulGuard, lazySerializerFactory, validatorCompiler } from './http/validation.js';
import { Problem } from './http/schemas.js';
import { staticAssets } from './http/static-assets.js';
import { HttpDrain } from './http/drain.js';
import { loggerOptions } from './logger.js';
import { Metrics } from './ops/metrics.js';
import { opsRoutes } from './ops/ops-routes.js';
import { importPlugins, orderPlugins } from './plugins/loader.js';
import { PluginRegistry } from './plugins/plugin-registry.js';
import { EntitlementService } from './accounts/entitlements.js';
import { PluginLifecycle } from './plugins/lifecycle.js';
import { ServiceRegistry } from './plugins/services.js';
import { ResponderRegistry } from './plugins/responders.js';
import { MessageBlockCatalogue } from './plugins/message-blocks.js';
import { pluginRoutes } from './plugins/plugin-routes.js';
import { loadWidgetModules, WidgetContributionService, widgetModuleRoutes } from './plugins/widget-contributions.js';
import type { CharlaPlugin } from './plugins/types.js';
import { Presence } from './realtime/presence.js';
import { RealtimeGateway } from './realtime/gateway.js';
import { installJsonBodyParser } from './http/json-body.js';
import { systemClock, type Clock } from './clock.js';

export const CORE_VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

// Loaded only when used: ioredis when REDIS_URL is set (a tenth of the start otherwise).
const require = createRequire(import.meta.url);

/** How long finished jobs (and event deliveries) stay in the jobs table. */
const FINISHED_JOBS_KEPT_MS = 7 * 86_400_000;

export interface CreateServerOptions {
  /** Overrides on top of the environment and charla.config.json. */
  config?: ConfigOverrides;
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Plugin definitions to use instead of importing `config.plugins` (tests). */
  plugins?: CharlaPlugin[];
  clock?: Clock;
  /** A logger to use (default: pino at config.logLevel). */
  logger?: Logger;
  /** Start the job worker (default true). */
  jobs?: boolean;
}

export interface CharlaHandle {
  config: CharlaConfig;
  container: AwilixContainer<Cradle>;
  plugins: CharlaPlugin[];
  /** Core's whole database (tests, operations); plugins get `ctx.db`. */
  db: Database;
  metrics: Metrics;
  instanceId: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    charla: CharlaHandle;
  }
}

/**
 * Builds a Charla server without listening: config, database and migrations, DI
 * container, event bus, jobs, realtime gateway, core routes and every enabled plugin.
 */
export async function createServer(options: CreateServerOptions = {}): Promise<FastifyInstance> {
  const config = loadConfig(options.config ?? {}, options.env ?? process.env, options.cwd ?? process.cwd());
  const logger = options.logger ?? pino(loggerOptions(config.logLevel));
  const clock = options.clock ?? systemClock;
  const instanceId = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;

  const pluginDefs = orderPlugins(options.plugins ?? (await importPlugins(config.plugins, options.cwd ?? process.cwd())), CORE_VERSION);
  // Widget modules are checked (and read) now: a missing build stops the start, naming the plugin.
  // Services are checked now too (a used one nobody provides, two providers), before anything is opened.
  const services = new ServiceRegistry(pluginDefs);
  const messageBlocks = new MessageBlockCatalogue(pluginDefs);
  const widgetModules = loadWidgetModules(pluginDefs);
  checkEventDefinitions(pluginDefs);

  const app = Fastify({
    loggerInstance: logger as unknown as import('fastify').FastifyBaseLogger,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy as boolean,
    genReqId: () => newId(),
    requestIdHeader: false,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // Shutdown is HttpDrain's: 503 problem+json while draining, then close what is left.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    // Our compilers for both: Fastify's defaults (@fastify/ajv-compiler) are then never loaded.
    schemaController: { compilersFactory: { buildValidator: () => validatorCompiler as never, buildSerializer: lazySerializerFactory() } },
    frameworkErrors,
  });
  // The API speaks JSON only: text/plain (parsed by Fastify by default) is a 415 like any other type.
  app.removeContentTypeParser('text/plain');
  installJsonBodyParser(app);

  const drain = new HttpDrain();
  const db = new Database({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger, maxQueuedWrites: config.sqliteMaxQueuedWrites });
  const redis = config.redisUrl ? new (require('ioredis') as typeof import('ioredis')).Redis(config.redisUrl, { maxRetriesPerRequest: 2, enableOfflineQueue: true, lazyConnect: false }) : null;
  redis?.on('error', (err) => logger.warn({ err: err.message }, 'redis error'));
  const broker = new Broker({ redisUrl: config.redisUrl, logger });
  const metrics = new Metrics();

  const container = createRootContainer();
  const models = defineCoreModels(db);
  const jobs = new JobQueue(db, clock, logger.child({ component: 'jobs' }), config.jobs);
  const events = new EventBus(db, broker, logger.child({ component: 'events' }), jobs, clock);
  for (const [name, schema] of Object.entries(CORE_EVENTS)) events.define(name, schema, 'core');
  container.register({
    config: asValue(config),
    logger: asValue(logger),
    clock: asValue(clock),
    db: asValue(db.forPlugins()),
    models: asValue(models),
    redis: asValue(redis),
    broker: asValue(broker),
    events: asValue(events),
    hooks: asValue(new HookRunner()),
    jobs: asValue(jobs),
    mailer: asValue(new Mailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, dataDir: config.dataDir, logger })),
    rateLimiter: asValue(new RateLimiter(redis ?? undefined, config.redisPrefix)),
    presence: asValue(new Presence(redis, clock, config.realtime.presenceTtlSeconds * 1000, instanceId, config.redisPrefix)),
    visitorAuthenticator: asValue(null),
    operatorAccountFigures: asValue(null),
    tenant: asValue(null),
    actor: asValue(null),
    auth: asFunction((c: Cradle) => new AuthService(c)).singleton(),
    apiKeys: asFunction((c: Cradle) => new ApiKeyService(c)).singleton(),
    team: asFunction((c: Cradle) => new TeamService(c)).singleton(),
    sites: asFunction((c: Cradle) => new SiteService(c)).singleton(),
  });

  const entitlements = new EntitlementService({ config, db, models, broker, events });
  const registry = new PluginRegistry({ config, db, models, events, broker, entitlements }, pluginDefs);
  container.register({ pluginRegistry: asValue(registry), entitlements: asValue(entitlements), responders: asValue(new ResponderRegistry(registry)), messageBlocks: asValue(messageBlocks) });
  // One per-account gate for hooks, event handlers and jobs.
  const gate = (owner: string, accountId: string) => registry.runsFor(owner, accountId);
  for (const runner of [container.cradle.hooks, events, jobs]) runner.setGate(gate);
  // A plugin refused while it registers (e.g. a container key already taken) stops the
  // boot; what was opened so far is closed, so the caller can exit or try again.
  const abort = async () => {
    await broker.close().catch(() => undefined);
    container.cradle.rateLimiter.close();
    container.cradle.mailer.close();
    redis?.disconnect();
    await db.close().catch(() => undefined);
  };
  const lifecycle = new PluginLifecycle(pluginDefs, { config, logger, container, db, events, jobs, registry, services, abort });
  lifecycle.defineEvents();
  const widgetContributions = new WidgetContributionService(widgetModules, { registry, logger: logger.child({ component: 'widget-contributions' }), contextFor: (p) => lifecycle.contextFor(p) });
  container.register({ widgetContributions: asValue(widgetContributions) });

  // Models, then migrations (core first, plugins in dependency order).
  await lifecycle.models();
  await db.connect();
  await migrate(db, [{ owner: 'core', dir: new URL('./db/migrations/', import.meta.url) }, ...lifecycle.migrationSources()], logger);

  const secret = config.jwtSecret ?? (await ensureInstanceSecret(models, 'jwt_secret', () => randomBytes(48).toString('base64url')));
  container.register({ tokens: asValue(new TokenService(secret, clock)) });

  const gateway = new RealtimeGateway(container, metrics);
  container.register({ realtime: asValue(gateway) });

  jobs.register<MailMessage>('core.mail', async (message) => container.cradle.mailer.send(message));
  // Every domain event leaves a finished delivery row per handler: keep a week of them.
  jobs.register('core.jobs-cleanup', async () => void (await jobs.prune(FINISHED_JOBS_KEPT_MS)));
  jobs.schedule('core.jobs-cleanup', { every: '1h' });


  // Plugins: DI, hooks, events, jobs, schedules, channels.
  await lifecycle.register(gateway);

  app.decorate('charla', { config, container, plugins: pluginDefs, db, metrics, instanceId } satisfies CharlaHandle);

  await app.register(fastifyCookie);
  await app.register(fastifyCompress, { global: true, threshold: 1024, encodings: ['br', 'gzip'] });
  await app.register(fastifyWebsocket, {
    options: {
      maxPayload: config.realtime.maxPayloadBytes,
      perMessageDeflate: false,
      // Browsers may authenticate with the subprotocols ["charla", "charla.token.<token>"]: answer "charla".
      handleProtocols: (protocols: Set<string>) => (protocols.has('charla') ? 'charla' : ([...protocols][0] ?? false)),
    },
    // Our shutdown instead of the plugin's: stop upgrades, close sockets with 1012 so clients reconnect elsewhere.
    preClose: async function (this: FastifyInstance) {
      await Promise.all([gateway.shutdown(), drain.drain()]);
      (this as unknown as { websocketServer: { close(): void } }).websocketServer.close();
    },
  });
  app.addSchema(Problem);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Charla API', version: CORE_VERSION, description: 'HTTP API of Charla. Realtime protocol: see docs/realtime.md.' },
      servers: [{ url: config.publicUrl }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, cookie: { type: 'apiKey', in: 'cookie', name: 'charla_session' } } },
      security: [{ bearer: [] }],
    },
    refResolver: { buildLocalReference: (json, _base, _frag, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    // Every operation carries a curl and a JavaScript example (x-codeSamples).
    transform: ({ schema, url, route }) => ({
      schema: { ...(schema ?? {}), 'x-codeSamples': codeSamples({ method: String(route.method), url, schema: schema as never, config: route.config as never }, config.publicUrl) } as never,
      url,
    }),
  });
  installProblemHandlers(app);
  drain.install(app);
  // Everything a request does runs with the write-queue admission limit (SQLITE_MAX_QUEUED_WRITES).
  app.addHook('onRequest', (_request, _reply, done) => db.limitWrites(() => done()));
  installRequestAuth(app, container);
  installNulGuard(app);

  app.addHook('onRequest', async (_request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'strict-origin-when-cross-origin');
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpDuration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    if (reply.statusCode >= 500) metrics.httpErrors.inc({ route });
  });

  await app.register(opsRoutes, { container, db, metrics });
  await app.register(authRoutes, { prefix: '/api/v1/auth', container });
  await app.register(teamRoutes, { prefix: '/api/v1', container });
  await app.register(siteRoutes, { prefix: '/api/v1', container });
  await app.register(apiKeyRoutes, { prefix: '/api/v1', container });
  await app.register(operatorRoutes, { prefix: '/api/v1', container });
  await app.register(pluginRoutes, { prefix: '/api/v1', container });
  await app.register(eventRoutes, { prefix: '/api/v1', container });
  // Served even when serveStatic is off: widget init hands these URLs out.
  await app.register(widgetModuleRoutes, { service: widgetContributions });
  gateway.install(app);
  await lifecycle.routes(app);
  if (config.serveStatic) await app.register(staticAssets, { container });

  app.get('/api/docs/json', { config: { auth: 'public' }, schema: { hide: true } as never }, async () => app.swagger());
  app.get('/api/docs', { config: { auth: 'public' }, schema: { hide: true } as never }, async (_req, reply) => {
    const spec = app.swagger() as { paths?: Record<string, Record<string, { summary?: string; tags?: string[]; 'x-codeSamples'?: CodeSample[] }>> };
    const esc = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;');
    const samples = (op: { 'x-codeSamples'?: CodeSample[] }) => (op['x-codeSamples'] ?? []).map((c) => `<details><summary>${esc(c.label)}</summary><pre>${esc(c.source)}</pre></details>`).join('');
    const rows = Object.entries(spec.paths ?? {}).flatMap(([path, ops]) => Object.entries(ops).map(([m, op]) => `<tr><td><code>${m.toUpperCase()}</code></td><td><code>${esc(path)}</code></td><td>${esc(op.summary ?? '')}${samples(op)}</td></tr>`));
    return reply.type('text/html; charset=utf-8').send(`<!doctype html><meta charset="utf-8"><title>Charla API</title><body style="font-family:system-ui;max-width:60rem;margin:2rem auto"><h1>Charla API ${CORE_VERSION}</h1><p>OpenAPI document: <a href="/api/docs/json">/api/docs/json</a>. Realtime protocol: docs/realtime.md.</p><table cellpadding="4">${rows.join('')}</table>`);
  });

  app.addHook('onReady', async () => {
    await lifecycle.ready();
    if (options.jobs !== false) jobs.start();
  });
  app.addHook('onClose', async () => {
    await jobs.stop();
    await events.settle();
    await lifecycle.close();
    await broker.close().catch(() => undefined);
    container.cradle.rateLimiter.close();
    container.cradle.mailer.close();
    if (redis) await redis.quit().catch(() => redis.disconnect());
    await db.close();
  });

  return app as unknown as FastifyInstance;
}
