import { cpSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PLUGIN_NAME = /^[a-z][a-z0-9-]{1,49}$/;

/** Finds templates/plugin: in a Charla checkout above `cwd`, or next to this package. */
function findTemplate(cwd: string): { root: string; template: string } {
  let root = resolve(cwd);
  for (;;) {
    if (existsSync(join(root, 'templates', 'plugin', 'package.json'))) return { root, template: join(root, 'templates', 'plugin') };
    const up = resolve(root, '..');
    if (up === root) break;
    root = up;
  }
  const here = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  if (existsSync(join(here, 'templates', 'plugin', 'package.json'))) return { root: here, template: join(here, 'templates', 'plugin') };
  throw new Error('templates/plugin not found: run this inside a Charla checkout');
}

/**
 * `charla create-plugin <name> [--dir <folder>]`: copies templates/plugin into
 * plugins/<name> (or the given folder) and fills in the names.
 */
export async function createPlugin(name: string | undefined, { cwd, dir, quiet }: { cwd: string; dir?: string; quiet?: boolean }): Promise<string> {
  if (!name || !PLUGIN_NAME.test(name)) {
    throw new Error(`plugin name "${name ?? ''}" is invalid: use 2-50 lowercase letters, digits and dashes, starting with a letter (e.g. "hello")`);
  }
  const { root, template } = findTemplate(cwd);
  const target = dir ? resolve(cwd, dir) : join(root, 'plugins', name);
  if (existsSync(target)) throw new Error(`${target} already exists; choose another name or remove it`);
  const snake = name.replace(/-/g, '_');
  const pascal = name.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase());
  const fill = (s: string) => s.replaceAll('__NAME_SNAKE__', snake).replaceAll('__NAME__', name).replaceAll('__Name__', pascal);
  cpSync(template, target, { recursive: true, filter: (src) => !/node_modules|[/\\](dist|\.tap)([/\\]|$)/.test(src) });
  try {
    const walk = (d: string) => {
      for (const f of readdirSync(d)) {
        const p = join(d, f);
        if (statSync(p).isDirectory()) walk(p);
        else writeFileSync(p, fill(readFileSync(p, 'utf8')));
        if (f !== fill(f)) renameSync(p, join(d, fill(f)));
      }
    };
    walk(target);
  } catch (err) {
    rmSync(target, { recursive: true, force: true });
    throw err;
  }
  if (!quiet) {
    console.log(`Created ${target}.

Next steps:
  npm install                                   # link the new workspace
  npm test -w @charla/plugin-${name}            # its tests pass out of the box
  CHARLA_PLUGINS=conversations,${name} npm start # enable it (or list it in charla.config.json)

Then open Settings → Plugins in the admin. The plugin contract: docs/plugins.md.`);
  }
  return target;
}
