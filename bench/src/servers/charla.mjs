// Child: a Charla server exactly as `charla start` builds it (createServer with the
// environment the orchestrator passes: built-in plugins, rate limits raised through
// configuration), plus an IPC channel for memory readings. Run with --expose-gc.
import { createServer } from '@charla/core';
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { serveRequests, settledMemory } from '../lib/util.mjs';

let session = null;

const app = await createServer({ jobs: true });
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
serveRequests({
  memory: () => settledMemory(),
  // CPU profile of a measured window only (not start-up): V8's sampling profiler.
  async profileStart() {
    session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 500 });
    await session.post('Profiler.start');
    return true;
  },
  async profileStop({ file }) {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    session = null;
    writeFileSync(file, JSON.stringify(profile));
    return file;
  },
  exit: async () => {
    const t = setTimeout(() => process.exit(0), 5000);
    await app.close().catch(() => undefined);
    clearTimeout(t);
  },
});
process.send({ type: 'ready', port: Number(process.env.PORT) });
