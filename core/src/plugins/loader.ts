import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import semver from 'semver';
import { parseSchedule } from '../jobs/schedule.js';
import type { CharlaPlugin } from './types.js';

export class PluginLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PluginLoadError';
  }
}

/** `conversations` → `@charla/plugin-conversations`; package names and paths as given. */
export function pluginSpecifier(entry: string, cwd = process.cwd()): string {
  if (entry.startsWith('.') || isAbsolute(entry)) {
    const p = resolve(cwd, entry);
    if (!existsSync(p)) throw new PluginLoadError(`plugin "${entry}": path ${p} does not exist`);
    return pathToFileURL(p).href;
  }
  if (entry.startsWith('@') || entry.includes('/')) return entry;
  if (/^[a-z][a-z0-9-]*$/.test(entry)) return `@charla/plugin-${entry}`;
  return entry;
}

/** Imports each enabled plugin's entry and checks that it default-exports a plugin definition. */
export async function importPlugins(entries: string[], cwd = process.cwd()): Promise<CharlaPlugin[]> {
  const out: CharlaPlugin[] = [];
  for (const entry of entries) {
    const spec = pluginSpecifier(entry, cwd);
    let mod: { default?: CharlaPlugin };
    try {
      mod = (await import(spec)) as { default?: CharlaPlugin };
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      // Node sets ERR_MODULE_NOT_FOUND; a loader hook in between (tsx, a test runner) may rethrow
      // the same message without the code, so the message decides as well.
      const notFound = e.code === 'ERR_MODULE_NOT_FOUND' || /^Cannot find (package|module) /.test(String(e.message));
      if (notFound && String(e.message).includes(`'${spec}'`)) {
        throw new PluginLoadError(`plugin "${entry}" is enabled but not installed (could not import ${spec}); run npm install ${spec} or remove it from CHARLA_PLUGINS / charla.config.json`);
      }
      throw new PluginLoadError(`plugin "${entry}" failed to load: ${e.message}`);
    }
    const plugin = mod.default;
    if (!plugin || typeof plugin !== 'object' || typeof plugin.name !== 'string') {
      throw new PluginLoadError(`plugin "${entry}" (${spec}) does not default-export definePlugin({...})`);
    }
    out.push(plugin);
  }
  return out;
}

/**
 * Checks the plugin set and returns it in dependency order (dependencies first; the
 * provider of a service before the plugins that use it).
 * Refuses, naming the plugin: duplicate names, missing dependencies, cycles,
 * incompatible core ranges, message block types declared twice, and schedules that are invalid or name no job — before
 * anything is connected.
 */
export function orderPlugins(plugins: CharlaPlugin[], coreVersion: string): CharlaPlugin[] {
  const byName = new Map<string, CharlaPlugin>();
  for (const p of plugins) {
    if (byName.has(p.name)) throw new PluginLoadError(`plugin "${p.name}" is enabled twice`);
    byName.set(p.name, p);
  }
  const blockOwners = new Map<string, string>();
  for (const p of plugins) {
    for (const type of Object.keys(p.blocks ?? {})) {
      const other = blockOwners.get(type);
      if (other) throw new PluginLoadError(`plugin "${p.name}" declares message block type "${type}", which plugin "${other}" already declares`);
      blockOwners.set(type, p.name);
    }
    if (p.core && !semver.satisfies(coreVersion, p.core, { includePrerelease: true })) {
      throw new PluginLoadError(`plugin "${p.name}" needs @charla/core ${p.core}, but this is ${coreVersion}`);
    }
    for (const dep of p.dependsOn ?? []) {
      if (!byName.has(dep)) throw new PluginLoadError(`plugin "${p.name}" depends on "${dep}", which is not enabled`);
    }
    for (const [job, spec] of Object.entries(p.schedules ?? {})) {
      if (!p.jobs?.[job]) throw new PluginLoadError(`plugin "${p.name}" schedules "${job}", which is not one of its jobs`);
      try {
        parseSchedule(spec);
      } catch (err) {
        throw new PluginLoadError(`plugin "${p.name}": ${(err as Error).message}`);
      }
    }
  }
  // A plugin that uses a service comes after the plugin that provides it.
  const providers = new Map<string, string>();
  for (const p of plugins) for (const ref of p.provides ?? []) if (!providers.has(ref.id)) providers.set(ref.id, p.name);
  const depsOf = (p: CharlaPlugin) => [...new Set([
    ...(p.dependsOn ?? []),
    ...[...(p.uses ?? []), ...(p.optionalUses ?? [])].map((ref) => providers.get(ref.id)).filter((n): n is string => !!n && n !== p.name),
  ])];
  const ordered: CharlaPlugin[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (p: CharlaPlugin, path: string[]) => {
    const s = state.get(p.name);
    if (s === 'done') return;
    if (s === 'visiting') throw new PluginLoadError(`plugin "${p.name}" is part of a dependency cycle: ${[...path, p.name].join(' → ')}`);
    state.set(p.name, 'visiting');
    for (const dep of depsOf(p)) visit(byName.get(dep)!, [...path, p.name]);
    state.set(p.name, 'done');
    ordered.push(p);
  };
  for (const p of plugins) visit(p, []);
  return ordered;
}
