import { cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Copies templates/plugin into plugins/<name>, filling in the names. */
export async function createPlugin(name: string | undefined, { cwd }: { cwd: string }): Promise<string> {
  if (!name || !/^[a-z][a-z0-9-]{1,49}$/.test(name)) throw new Error(`plugin name "${name ?? ''}" is invalid: use 2-50 lowercase letters, digits and dashes, starting with a letter (e.g. "hello")`);
  let root = cwd;
  while (!existsSync(join(root, 'templates', 'plugin')) && resolve(root, '..') !== root) root = resolve(root, '..');
  const template = join(root, 'templates', 'plugin');
  if (!existsSync(template)) throw new Error('templates/plugin not found: run this inside a Charla checkout');
  const target = join(root, 'plugins', name);
  if (existsSync(target)) throw new Error(`plugins/${name} already exists; choose another name or remove it`);
  cpSync(template, target, { recursive: true, filter: (src) => !src.includes('node_modules') });
  const fill = (dir: string) => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) fill(p);
      else writeFileSync(p, readFileSync(p, 'utf8').replaceAll('__NAME__', name).replaceAll('__Name__', name.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase())));
    }
  };
  fill(target);
  console.log(`Created plugins/${name}.\n\nNext steps:\n  npm install            # links the new workspace\n  npm test -w @charla/plugin-${name}\n  CHARLA_PLUGINS=conversations,${name} npm start\n\nSee docs/plugins.md.`);
  return target;
}
