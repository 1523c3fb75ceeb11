import t from 'tap';
import { asValue, defineService, definePlugin, type CharlaPlugin } from '@charla/core';
import { signup, startTestServer } from '@charla/core/testing';

// Typed services between plugins: a plugin provides a service under a ref, another
// declares it in `uses` / `optionalUses` and gets it typed; the boot refuses what would
// break at run time (no provider, two providers, a declared service never provided) and
// any plugin overwriting a container registration of core or of another plugin.

interface Greeter { greet(name: string): string; calls: number }
const GreeterRef = defineService<Greeter>('greeter.greeter');
const MissingRef = defineService<{ nothing(): void }>('absent.nothing');

const provider = definePlugin({
  name: 'greeter',
  version: '1.0.0',
  provides: [GreeterRef],
  register(ctx) {
    const impl: Greeter = { calls: 0, greet(name) { this.calls++; return `Hello, ${name}`; } };
    ctx.services.provide(GreeterRef, impl);
  },
});

const p = (name: string, extra: Partial<CharlaPlugin> = {}): CharlaPlugin => definePlugin({ name, version: '1.0.0', ...extra });

t.test('a consumer gets the provider\'s service typed, the provider ordered first; an optional one that is missing is undefined', async (t) => {
  const seen: Array<{ optional: unknown }> = [];
  const consumer = definePlugin({
    name: 'consumer',
    version: '1.0.0',
    uses: [GreeterRef],
    optionalUses: [MissingRef],
    register(ctx) {
      seen.push({ optional: ctx.services.optional(MissingRef) });
    },
    routes(app, ctx) {
      app.get('/api/v1/consumer/hello', { config: { auth: 'agent' } }, async () => {
        const greeter = ctx.services.get(GreeterRef);
        // Typed: `greet` returns a string, without a cast.
        const text: string = greeter.greet('Ana');
        return { text, calls: greeter.calls };
      });
    },
  });
  // Given the consumer first: `uses` alone (no dependsOn) puts the provider before it.
  const s = await startTestServer({ plugins: [consumer, provider] });
  t.teardown(() => s.close());
  t.same(s.app.charla.plugins.map((x) => x.name), ['greeter', 'consumer']);
  t.same(seen, [{ optional: undefined }], 'optional() of a service nobody provides is undefined');
  const a = await signup(s);
  const res = await s.request('GET', '/api/v1/consumer/hello', { token: a.token });
  t.equal(res.status, 200, res.text);
  t.same(res.body, { text: 'Hello, Ana', calls: 1 }, 'the very object the provider registered');
});

t.test('get() and optional() need the service declared; provide() needs it in provides', async (t) => {
  const errors: string[] = [];
  const sneaky = p('sneaky', {
    dependsOn: ['greeter'],
    register(ctx) {
      for (const fn of [() => ctx.services.get(GreeterRef), () => ctx.services.optional(GreeterRef), () => ctx.services.provide(MissingRef, { nothing() {} })]) {
        try {
          fn();
          errors.push('allowed');
        } catch (err) {
          errors.push((err as Error).message);
        }
      }
    },
  });
  const s = await startTestServer({ plugins: [provider, sneaky] });
  t.teardown(() => s.close());
  t.match(errors, [
    /plugin "sneaky" gets service "greeter.greeter" without declaring it in "uses"/,
    /plugin "sneaky" gets service "greeter.greeter" without declaring it in "optionalUses"/,
    /plugin "sneaky" provides service "absent.nothing" without declaring it in "provides"/,
  ]);
});

t.test('the boot is refused, naming the plugins: a used service nobody provides, two providers, a service declared but not provided', async (t) => {
  await t.rejects(startTestServer({ plugins: [p('needy', { uses: [MissingRef] })] }), { name: 'PluginLoadError', message: /plugin "needy" uses service "absent.nothing", which no enabled plugin provides/ });
  const twin = p('twin-greeter', { provides: [GreeterRef], register: (ctx) => ctx.services.provide(GreeterRef, { calls: 0, greet: () => 'hi' }) });
  await t.rejects(startTestServer({ plugins: [provider, twin] }), { name: 'PluginLoadError', message: /plugin "twin-greeter" provides service "greeter.greeter", which plugin "greeter" already provides/ });
  await t.rejects(startTestServer({ plugins: [p('lazy', { provides: [GreeterRef] })] }), { name: 'PluginLoadError', message: /plugin "lazy" declares that it provides service "greeter.greeter" but did not call ctx.services.provide\(\)/ });
  t.throws(() => defineService('NoDot'), /service id "NoDot" is invalid/);
});

t.test('a plugin cannot overwrite a container registration of core or of another plugin', async (t) => {
  const owner = p('owner', { register: (ctx) => ctx.container.register({ sharedThing: asValue(1) } as never) });
  const thief = p('thief', { dependsOn: ['owner'], register: (ctx) => ctx.container.register('sharedThing' as never, asValue(2) as never) });
  await t.rejects(startTestServer({ plugins: [owner, thief] }), { name: 'PluginLoadError', message: /plugin "thief" registers "sharedThing" in the container, which plugin "owner" already registered/ });
  const mailer = p('mail-hijack', { register: (ctx) => ctx.container.register({ mailer: asValue({ send: async () => undefined }) as never }) });
  await t.rejects(startTestServer({ plugins: [mailer] }), { name: 'PluginLoadError', message: /plugin "mail-hijack" registers "mailer" in the container, which core already registered/ });
  // The one key core leaves for a plugin to fill may be filled once.
  const auth = (name: string) => p(name, { register: (ctx) => ctx.container.register({ visitorAuthenticator: asValue(async () => null) }) });
  await t.rejects(startTestServer({ plugins: [auth('auth-one'), auth('auth-two')] }), { name: 'PluginLoadError', message: /plugin "auth-two" registers "visitorAuthenticator" in the container, which plugin "auth-one" already registered/ });
  const ok = await startTestServer({ plugins: [auth('auth-one'), owner] });
  t.teardown(() => ok.close());
  t.equal((ok.app.charla.container.cradle as unknown as { sharedThing: number }).sharedThing, 1, 'a new key registers as before');
});
