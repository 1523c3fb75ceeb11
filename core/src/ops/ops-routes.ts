import type { FastifyInstance } from 'fastify';
import type { AwilixContainer } from 'awilix';
import type { Cradle } from '../container.js';
import type { Database } from '../db/database.js';
import type { Metrics } from './metrics.js';

/** /healthz (process up), /readyz (database and Redis answer), /metrics (Prometheus). */
export async function opsRoutes(app: FastifyInstance, { container, db, metrics }: { container: AwilixContainer<Cradle>; db: Database; metrics: Metrics }): Promise<void> {
  const hidden = { hide: true } as never;
  app.get('/healthz', { config: { auth: 'public' }, schema: hidden }, async () => ({ status: 'ok' }));

  app.get('/readyz', { config: { auth: 'public' }, schema: hidden }, async (_request, reply) => {
    const { redis } = container.cradle;
    const checks: Record<string, string> = {};
    const timeout = <T>(p: Promise<T>) => Promise.race([p, new Promise<never>((_, rej) => setTimeout(() => rej(new Error('timeout')), 2000))]);
    try {
      await timeout(db.sequelize.query('SELECT 1'));
      checks.database = 'ok';
    } catch (err) {
      checks.database = `down: ${(err as Error).message}`;
    }
    if (redis) {
      try {
        await timeout(redis.ping());
        checks.redis = 'ok';
      } catch (err) {
        checks.redis = `down: ${(err as Error).message}`;
      }
    }
    const ok = Object.values(checks).every((v) => v === 'ok');
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'unavailable', checks });
  });

  app.get('/metrics', { config: { auth: 'public' }, schema: hidden }, async (_request, reply) => {
    try {
      const counts = await container.cradle.jobs.counts();
      for (const s of ['pending', 'running', 'done', 'dead']) metrics.jobs.set({ status: s }, counts[s] ?? 0);
    } catch {
      /* database down: report the rest */
    }
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
