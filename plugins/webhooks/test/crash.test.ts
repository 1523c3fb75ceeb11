import t from 'tap';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createTestStore } from '@charla/core/testing';
import { cradle, settle, startEnv, startReceiver, until, verify, type Receiver } from './helpers.js';

// kill -9 of a real child process between the commit and the delivery, and while the
// receiver holds the request: after a restart on the same store the delivery happens,
// with the same webhook-id, and the log has it once.

const child = fileURLToPath(new URL('./fixtures/crash-child.ts', import.meta.url));
interface Crashed { accountId: string; hookId: string; secret: string; messageId: string; signal: NodeJS.Signals | null }

function crashingInstance(store: object, receiver: Receiver, mode: 'after-commit' | 'while-sending'): Promise<Crashed> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import=tsx', '--conditions=charla-source', child], {
      env: { ...process.env, CHARLA_TEST_STORE: JSON.stringify(store), CRASH: mode, RECEIVER_PORT: String(receiver.port) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('error', reject);
    if (mode === 'while-sending') {
      receiver.respond = () => {
        p.kill('SIGKILL'); // the request arrived: the sender dies before it gets an answer
        return 'hang';
      };
    }
    p.on('exit', (_code, signal) => {
      const ready = /ready (\{.*\})/.exec(out);
      const msg = /message (\S+)/.exec(out);
      if (!ready || !msg) reject(new Error(`the child printed: ${out}`));
      else resolve({ ...(JSON.parse(ready[1]) as Omit<Crashed, 'messageId' | 'signal'>), messageId: msg[1], signal });
    });
  });
}

for (const mode of ['after-commit', 'while-sending'] as const) {
  t.test(`kill -9 ${mode === 'after-commit' ? 'between the commit and the delivery' : 'while the receiver holds the request'}: after a restart the delivery happens, once`, async (t) => {
    const store = await createTestStore();
    t.teardown(() => store.cleanup());
    const receiver = await startReceiver();
    t.teardown(() => receiver.close());
    const { cleanup: _c, ...shared } = store;
    const crashed = await crashingInstance(shared, receiver, mode);
    t.equal(crashed.signal, 'SIGKILL', 'the first instance was killed');
    t.equal(receiver.received.length, mode === 'after-commit' ? 0 : 1, mode === 'after-commit' ? 'nothing was sent before the crash' : 'the request was in flight when it died');

    receiver.respond = () => 200;
    const env = await startEnv({ store, receiver });
    t.teardown(() => env.close());
    // A delivery taken by the dead instance is free again once its lease (30 s in tests) runs out.
    if (mode === 'while-sending') env.clock.advance(31_000);
    await settle(env.s);
    const sent = await until(() => receiver.received.filter((r) => r.json.data.messageId === crashed.messageId), (r) => r.length === (mode === 'after-commit' ? 1 : 2), 15_000);
    await settle(env.s);
    const log = (await cradle(env.s).webhookDeliveries.list(crashed.accountId, crashed.hookId, {})).deliveries;
    t.equal(log.length, 1, 'one delivery in the log');
    t.match(log[0], { status: 'delivered', attempts: 1, lastStatus: 200 });
    t.equal(receiver.received.length, mode === 'after-commit' ? 1 : 2, mode === 'after-commit' ? 'the receiver got it exactly once' : 'the unanswered request, then one retry — and no more');
    t.equal(new Set(sent.map((r) => r.headers['webhook-id'])).size, 1, 'with the same webhook-id (the receiver can de-duplicate)');
    t.equal(sent[0].headers['webhook-id'], log[0].eventId);
    t.ok(sent.every((r) => verify(crashed.secret, r.headers, r.body)), 'signed with the secret shown at creation');
  });
}
