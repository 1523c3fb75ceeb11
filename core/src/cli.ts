import { ConfigError, loadConfig, publicUrlNotice } from './config.js';
import { PluginLoadError } from './plugins/loader.js';

const USAGE = `Usage: charla <command>

Commands:
  start                 migrate the database and run the server
  migrate               apply pending migrations and exit
  create-plugin <name> [--dir <folder>]
                        scaffold a plugin from templates/plugin (default: plugins/<name>)
  help                  this text

Configuration comes from the environment (see docs/configuration.md).`;

function fail(err: unknown): never {
  if (err instanceof ConfigError) {
    for (const p of err.problems) console.error(`charla: invalid configuration: ${p}`);
  } else if (err instanceof PluginLoadError) {
    console.error(`charla: ${err.message}`);
  } else {
    console.error(`charla: ${(err as Error)?.stack ?? String(err)}`);
  }
  process.exit(1);
}

export async function main(argv: string[]): Promise<void> {
  const [cmd = 'help', ...rest] = argv;
  if (cmd === 'help' || cmd === '--help' || cmd === '-h') {
    console.log(USAGE);
    return;
  }
  if (cmd === 'start' || cmd === 'migrate') {
    let config;
    try {
      config = loadConfig();
    } catch (err) {
      fail(err);
    }
    if (cmd === 'start' && process.env.CHARLA_SKIP_ADMIN_BUILD !== '1') {
      const { ensureAdminBuild } = await import('./admin-build.js');
      ensureAdminBuild(config, (msg) => console.log(`charla: ${msg}`));
    }
    const { createServer } = await import('./server.js');
    let app;
    try {
      app = await createServer({ jobs: cmd === 'start' });
    } catch (err) {
      fail(err);
    }
    if (cmd === 'migrate') {
      await app.close();
      console.log('charla: migrations applied');
      return;
    }
    console.log(publicUrlNotice(config));
    if (config.production && !process.env.PUBLIC_URL) app.log.warn('PUBLIC_URL is not set: links in e-mails and the widget snippet will point to %s', config.publicUrl);
    let closing = false;
    const shutdown = (signal: string) => {
      if (closing) return;
      closing = true;
      app.log.info({ signal }, 'shutting down');
      const force = setTimeout(() => process.exit(1), 15_000);
      force.unref();
      app.close().then(
        () => process.exit(0),
        (err: unknown) => {
          app.log.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    process.on('SIGINT', () => shutdown('SIGINT'));
    await app.listen({ port: config.port, host: config.host });
    const base = config.publicUrl;
    app.log.info(`Charla is running: admin ${base}/admin/ · widget demo ${base}/demo · API docs ${base}/api/docs`);
    return;
  }
  if (cmd === 'create-plugin') {
    const { createPlugin } = await import('./create-plugin.js');
    try {
      const i = rest.indexOf('--dir');
      const dir = i >= 0 ? rest[i + 1] : undefined;
      const name = rest.find((a, j) => !a.startsWith('--') && (i < 0 || j !== i + 1));
      await createPlugin(name, { cwd: process.cwd(), dir });
    } catch (err) {
      console.error(`charla: ${(err as Error).message}`);
      process.exit(1);
    }
    return;
  }
  console.error(`charla: unknown command "${cmd}"\n\n${USAGE}`);
  process.exit(1);
}
