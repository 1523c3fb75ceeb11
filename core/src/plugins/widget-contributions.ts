import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { sendProblem } from '../http/problem.js';
import { PluginLoadError } from './loader.js';
import type { PluginRegistry } from './plugin-registry.js';
import type { CharlaPlugin, PluginContext, WidgetVisitor } from './types.js';

/** A widget module larger than this is refused at boot: it would run on every page of every customer. */
export const WIDGET_MODULE_MAX_BYTES = 1024 * 1024;
/** `widget.data()` limits: JSON size and time. Over either, the plugin is left out of that boot. */
export const WIDGET_DATA_MAX_BYTES = 16 * 1024;
export const WIDGET_DATA_TIMEOUT_MS = 2000;

const NAME = /^[a-z][a-z0-9-]{1,49}$/;
const FILE = /^([0-9a-f]{16})\.js$/;

/** A plugin's widget module, read once at boot: the bytes served are the bytes hashed. */
export interface WidgetModuleFile {
  plugin: string;
  /** Absolute path of the declared file. */
  path: string;
  /** First 16 hex digits of the SHA-256 of its content. */
  hash: string;
  /** Path on the Charla server: `/widget/plugins/<plugin>/<hash>.js`. */
  url: string;
  body: Buffer;
}

/** One entry of the widget boot payload's `plugins`. */
export interface WidgetModuleRef {
  /** The plugin's name. */
  name: string;
  /** The module's path on the Charla server (`/widget/plugins/<name>/<hash>.js`); the widget resolves it against the server's origin. */
  url: string;
  /** What the plugin's `widget.data()` returned for this visitor (`{}` without `data`). */
  data: Record<string, unknown>;
  /** `widget.eager`: loaded right after boot; otherwise when the messenger first opens. */
  eager: boolean;
  /** The message block types the plugin declares (`blocks`): its module may render them (`api.renderBlock`). */
  blocks: string[];
}

function scriptPath(p: CharlaPlugin, script: unknown): string {
  const hint = `use an absolute path or a file: URL, e.g. new URL('../../dist/widget/index.js', import.meta.url)`;
  if (script instanceof URL || (typeof script === 'string' && script.startsWith('file:'))) {
    const url = script instanceof URL ? script : new URL(script);
    if (url.protocol !== 'file:') throw new PluginLoadError(`plugin "${p.name}": widget.script ${url.href} is not a file: URL; ${hint}`);
    return fileURLToPath(url);
  }
  if (typeof script === 'string' && isAbsolute(script)) return script;
  throw new PluginLoadError(`plugin "${p.name}": widget.script ${JSON.stringify(script) ?? String(script)} is not an absolute file path; ${hint}`);
}

/**
 * Checks and reads every plugin's declared widget module (at boot, before anything else
 * starts). Refuses, naming the plugin, a script that is not an absolute path or file: URL,
 * a missing or oversized file and a `data` that is not a function.
 */
export function loadWidgetModules(plugins: CharlaPlugin[]): WidgetModuleFile[] {
  const out: WidgetModuleFile[] = [];
  for (const p of plugins) {
    const w = p.widget;
    if (w === undefined) continue;
    if (!w || typeof w !== 'object') throw new PluginLoadError(`plugin "${p.name}": widget must be an object { script, data? }`);
    if (w.eager !== undefined && typeof w.eager !== 'boolean') throw new PluginLoadError(`plugin "${p.name}": widget.eager must be a boolean`);
    if (w.data !== undefined && typeof w.data !== 'function') throw new PluginLoadError(`plugin "${p.name}": widget.data must be a function (ctx, { accountId, siteId, visitorId }) => object`);
    const path = scriptPath(p, w.script);
    let size: number;
    try {
      const st = statSync(path);
      if (!st.isFile()) throw new PluginLoadError(`plugin "${p.name}": widget.script ${path} is not a file`);
      size = st.size;
    } catch (err) {
      if (err instanceof PluginLoadError) throw err;
      throw new PluginLoadError(`plugin "${p.name}": its widget module ${path} does not exist; build the plugin (npm run build) or fix widget.script`);
    }
    if (size > WIDGET_MODULE_MAX_BYTES) {
      throw new PluginLoadError(`plugin "${p.name}": its widget module ${path} is ${Math.round(size / 1024)} KB; the limit is ${WIDGET_MODULE_MAX_BYTES / 1024} KB (it runs on every page with the widget: keep it small)`);
    }
    const body = readFileSync(path);
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 16);
    out.push({ plugin: p.name, path, hash, url: `/widget/plugins/${p.name}/${hash}.js`, body });
  }
  return out;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`widget.data() did not answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * The plugins' widget contributions (registered in the container as
 * `widgetContributions`): which modules a visitor's widget loads, with their data, and
 * the module files core serves. The conversations plugin puts `forVisitor()` into the
 * widget boot payload.
 */
export class WidgetContributionService {
  private readonly byName: Map<string, WidgetModuleFile>;

  constructor(
    private readonly modules: WidgetModuleFile[],
    private readonly d: { registry: PluginRegistry; logger: Logger; contextFor(plugin: CharlaPlugin): PluginContext },
  ) {
    this.byName = new Map(modules.map((m) => [m.plugin, m]));
  }

  /** Every plugin with a widget module on this instance (dependency order). */
  list(): Array<{ name: string; url: string; hash: string; bytes: number }> {
    return this.modules.map((m) => ({ name: m.plugin, url: m.url, hash: m.hash, bytes: m.body.length }));
  }

  /** The module file of `plugin` when `hash` is its current hash. */
  file(plugin: string, hash: string): WidgetModuleFile | undefined {
    const m = this.byName.get(plugin);
    return m && m.hash === hash ? m : undefined;
  }

  /**
   * The widget modules for one visitor: those of the plugins on for the visitor's account,
   * each with its `data`. A plugin whose `data()` throws, times out or returns something
   * that is not a JSON object of at most 16 KB is left out (logged); the rest still load.
   */
  async forVisitor(visitor: WidgetVisitor): Promise<WidgetModuleRef[]> {
    const refs = await Promise.all(this.modules.map(async (m): Promise<WidgetModuleRef | null> => {
      const plugin = this.d.registry.get(m.plugin);
      if (!plugin?.widget || !(await this.d.registry.isEnabled(visitor.accountId, m.plugin))) return null;
      const dataFn = plugin.widget.data;
      const eager = plugin.widget.eager === true;
      const blocks = Object.keys(plugin.blocks ?? {});
      if (!dataFn) return { name: m.plugin, url: m.url, data: {}, eager, blocks };
      try {
        const value = await withTimeout(Promise.resolve().then(() => dataFn(this.d.contextFor(plugin), { ...visitor })), WIDGET_DATA_TIMEOUT_MS);
        if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('widget.data() must return an object');
        const json = JSON.stringify(value);
        if (Buffer.byteLength(json) > WIDGET_DATA_MAX_BYTES) throw new Error(`widget.data() returned ${Buffer.byteLength(json)} bytes of JSON; the limit is ${WIDGET_DATA_MAX_BYTES}`);
        return { name: m.plugin, url: m.url, data: JSON.parse(json) as Record<string, unknown>, eager, blocks };
      } catch (err) {
        this.d.logger.warn({ err, plugin: m.plugin, accountId: visitor.accountId, visitorId: visitor.visitorId }, 'widget data failed: the plugin is left out of this widget boot');
        return null;
      }
    }));
    return refs.filter((r): r is WidgetModuleRef => r !== null);
  }
}

const notFound = (detail: string) => ({ title: 'Not Found', status: 404, code: 'CHARLA_CORE_WIDGET_MODULE_NOT_FOUND', detail });

/**
 * `GET /widget/plugins/<plugin>/<hash>.js`: a plugin's widget module, public and
 * cross-origin (the widget imports it from the host page), cached forever (the URL
 * changes with the content). Only the declared files, looked up by name and hash: no path
 * from the URL ever reaches the file system.
 */
export async function widgetModuleRoutes(app: FastifyInstance, { service }: { service: WidgetContributionService }): Promise<void> {
  // The CORS preflight of every widget route, core's and every plugin's (the headers come
  // from request-auth: every /api/v1/widget/ route is cross-origin).
  app.options('/api/v1/widget/*', { config: { auth: 'public', cors: true }, schema: { hide: true } as never }, async (_req, reply) => reply.code(204).send());
  app.get('/widget/plugins/:plugin/:file', {
    config: { auth: 'public' },
    schema: { hide: true } as never,
  }, async (request, reply) => {
    const { plugin, file } = request.params as { plugin: string; file: string };
    reply.header('access-control-allow-origin', '*').header('cross-origin-resource-policy', 'cross-origin');
    const hash = FILE.exec(file)?.[1];
    const m = NAME.test(plugin) && hash ? service.file(plugin, hash) : undefined;
    if (!m) {
      const known = NAME.test(plugin) && service.list().some((x) => x.name === plugin);
      return sendProblem(reply, notFound(known ? `The widget module of "${plugin}" has changed or never had this hash; reload the page to get the current one.` : `No enabled plugin has a widget module named "${plugin.slice(0, 60)}".`), { 'cache-control': 'no-store' });
    }
    return reply
      .type('application/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=31536000, immutable')
      .header('x-content-type-options', 'nosniff')
      .send(m.body);
  });
}
