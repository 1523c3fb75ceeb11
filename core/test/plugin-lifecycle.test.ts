import t from 'tap';
import { definePlugin, type CharlaPlugin } from '@charla/core';
import { startTestServer } from '@charla/core/testing';

// The plugin lifecycle (core/src/plugins/lifecycle.ts), in the order docs/plugins.md
// promises: models for all, migrations, register (then hooks/events/jobs wired), routes,
// onReady; onClose in reverse dependency order. One context per plugin throughout.

t.test('lifecycle steps run in order, dependencies first, onClose in reverse', async (t) => {
  const steps: string[] = [];
  const contexts = new Map<string, Set<unknown>>();
  const probe = (name: string, dependsOn: string[] = []): CharlaPlugin => {
    const seen = (step: string, ctx: unknown) => {
      steps.push(`${name}:${step}`);
      contexts.set(name, (contexts.get(name) ?? new Set()).add(ctx));
    };
    return definePlugin({
      name, version: '1.0.0', dependsOn,
      models: (ctx) => seen('models', ctx),
      register: (ctx) => {
        seen('register', ctx);
        t.ok(ctx.container.cradle.db, 'register runs after the database is connected and migrated');
      },
      routes: (app, ctx) => {
        seen('routes', ctx);
        app.get(`/api/v1/${name}`, { config: { auth: 'public' } }, async () => ({ ok: true }));
      },
      onReady: (ctx) => seen('onReady', ctx),
      onClose: (ctx) => seen('onClose', ctx),
    });
  };
  // Given out of order: the lifecycle follows dependency order.
  const s = await startTestServer({ plugins: [probe('second', ['first']), probe('first')] });
  t.same(steps, ['first:models', 'second:models', 'first:register', 'second:register', 'first:routes', 'second:routes', 'first:onReady', 'second:onReady']);
  t.equal((await s.request('GET', '/api/v1/second')).status, 200, "a plugin's routes are mounted");
  await s.close();
  t.same(steps.slice(-2), ['second:onClose', 'first:onClose'], 'onClose in reverse order');
  for (const [name, set] of contexts) t.equal(set.size, 1, `${name} got one context at every step`);
});
