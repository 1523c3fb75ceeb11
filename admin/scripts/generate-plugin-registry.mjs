#!/usr/bin/env node
/**
 * Build-time plugin UI registry.
 *
 * Finds the enabled plugins' admin modules, validates them (closed slot list, namespaced
 * unique ids, unique route paths) and writes src/app/plugins/generated/plugin-registry.ts,
 * which the shell turns into lazy routes, nav entries and slot contributions.
 *
 * Enabled plugins: env CHARLA_PLUGINS (comma-separated names: a folder under plugins/ or an
 * installed npm package name); default: every plugins/* package whose package.json has a
 * `charla.admin` entry (or `charla.adminElements`).
 *
 * A plugin declares, in its package.json:
 *   "charla": {
 *     "admin": "./src/admin/index.ts",            // default-exports defineAdminPlugin({...})
 *     "adminElements": [                           // optional runtime fallback (prebuilt custom elements)
 *       { "id": "x/panel/v1", "slot": "conversation.sidebar", "element": { "tagName": "x-panel", "src": "/plugins/x/panel.js" } }
 *     ]
 *   }
 *
 * Exit code 1 with one line per problem when anything is wrong.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createHash } from 'node:crypto';

const here = dirname(fileURLToPath(import.meta.url));
const adminRoot = resolve(here, '..');
const repoRoot = resolve(adminRoot, '..');
// Overridable for the generator's own tests.
const pluginsDir = process.env.CHARLA_PLUGINS_DIR ? resolve(process.env.CHARLA_PLUGINS_DIR) : join(repoRoot, 'plugins');
const outFile = process.env.CHARLA_ADMIN_REGISTRY_OUT
  ? resolve(process.env.CHARLA_ADMIN_REGISTRY_OUT)
  : join(adminRoot, 'src/app/plugins/generated/plugin-registry.ts');
const manifestFile = process.env.CHARLA_ADMIN_REGISTRY_OUT ? join(dirname(outFile), 'plugins.json') : join(adminRoot, 'public/plugins.json');
const quiet = process.argv.includes('--quiet');
/** --check: validate the enabled plugins' admin entries, write nothing. */
const checkOnly = process.argv.includes('--check');
const log = (line) => { if (!quiet) console.log(`[plugin-registry] ${line}`); };

function fail(lines) {
  for (const line of lines) console.error(`[plugin-registry] error: ${line}`);
  console.error(`[plugin-registry] the admin was not built: fix the plugin(s) above or disable them (CHARLA_PLUGINS).`);
  process.exit(1);
}

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** @returns {{name:string, dir:string, pkg:any}|null} */
function locate(name) {
  if (isAbsolute(name)) {
    const pkgFile = join(name, 'package.json');
    if (!existsSync(pkgFile)) return null;
    const pkg = readJson(pkgFile);
    return { name: pkg.name.replace(/^@[^/]+\//, '').replace(/^(charla-)?plugin-/, ''), dir: name, pkg };
  }
  const local = join(pluginsDir, name);
  if (existsSync(local)) {
    const pkgFile = join(local, 'package.json');
    return { name, dir: local, pkg: existsSync(pkgFile) ? readJson(pkgFile) : {} };
  }
  try {
    const req = createRequire(join(adminRoot, 'package.json'));
    const pkgFile = req.resolve(`${name}/package.json`);
    return { name: name.replace(/^@[^/]+\//, '').replace(/^(charla-)?plugin-/, ''), dir: dirname(pkgFile), pkg: readJson(pkgFile) };
  } catch {
    return null;
  }
}

function enabledPlugins() {
  const env = (process.env.CHARLA_PLUGINS ?? '').trim();
  if (env) {
    const found = [];
    const missing = [];
    for (const raw of env.split(',').map((s) => s.trim()).filter(Boolean)) {
      const p = locate(raw);
      if (!p) missing.push(raw);
      else found.push({ ...p, explicit: true });
    }
    if (missing.length) fail(missing.map((m) => `enabled plugin "${m}" (CHARLA_PLUGINS) was not found under plugins/ nor in node_modules`));
    return found;
  }
  // Default: every local plugin with admin UI — plugins/* and the examples under
  // templates/examples/*. Compiling one in does not enable it: the admin shows only the
  // plugins the server reports as on for the account (GET /api/v1/plugins).
  const examplesDir = process.env.CHARLA_PLUGINS_DIR ? '' : join(repoRoot, 'templates', 'examples');
  const local = [pluginsDir, examplesDir].filter((d) => d && existsSync(d)).flatMap((base) =>
    readdirSync(base, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => {
        const dir = join(base, d.name);
        const pkgFile = join(dir, 'package.json');
        if (!existsSync(pkgFile)) return null;
        const pkg = readJson(pkgFile);
        return { name: pkg.name.replace(/^@[^/]+\//, '').replace(/^(charla-)?plugin-/, ''), dir, pkg };
      }),
  );
  return local
    .filter((p) => p && (p.pkg?.charla?.admin || p.pkg?.charla?.adminElements))
    .sort((a, b) => a.name.localeCompare(b.name));
}

const plugins = [];
for (const p of enabledPlugins()) {
  const charla = p.pkg?.charla ?? {};
  let entry = typeof charla.admin === 'string' ? charla.admin : charla.admin?.entry;
  if (!entry && p.explicit && existsSync(join(p.dir, 'src/admin/index.ts'))) {
    entry = './src/admin/index.ts';
    log(`warning: plugin "${p.name}" has no "charla.admin" in its package.json; using the conventional ./src/admin/index.ts`);
  }
  const elements = Array.isArray(charla.adminElements) ? charla.adminElements : [];
  if (!entry && !elements.length) {
    log(`plugin "${p.name}" has no admin UI (server only)`);
    continue;
  }
  const entryFile = entry ? resolve(p.dir, entry) : null;
  if (entryFile && !existsSync(entryFile)) fail([`plugin "${p.name}": admin entry ${entry} does not exist (${entryFile})`]);
  plugins.push({ ...p, entryFile, elements });
}

// Load the entries in Node (they only reference components through lazy imports) to validate them.
const { tsImport } = await import('tsx/esm/api');
const api = await tsImport(pathToFileURL(join(adminRoot, 'src/plugin-api/index.ts')).href, import.meta.url);
const definitions = [];
for (const p of plugins) {
  let def = { name: p.name };
  if (p.entryFile) {
    try {
      const mod = await tsImport(pathToFileURL(p.entryFile).href, import.meta.url);
      def = mod.default?.default ?? mod.default;
    } catch (err) {
      fail([`plugin "${p.name}": its admin entry ${relative(repoRoot, p.entryFile)} could not be loaded: ${err?.message ?? err}`]);
    }
    if (!def || typeof def !== 'object') fail([`plugin "${p.name}": ${relative(repoRoot, p.entryFile)} must default-export defineAdminPlugin({...})`]);
    if (def.name !== p.name) fail([`plugin "${p.name}": its admin entry declares name "${def.name}"; it must be "${p.name}"`]);
  }
  definitions.push({ ...def, slots: [...(def.slots ?? []), ...p.elements] });
}
const problems = api.validatePlugins(definitions);
if (problems.length) fail(problems);

// Write the registry.
const toImport = (file) => {
  let rel = relative(dirname(outFile), file).split(sep).join('/').replace(/\.ts$/, '');
  if (!rel.startsWith('.')) rel = `./${rel}`;
  return rel;
};
const key = createHash('sha256')
  .update(JSON.stringify(plugins.map((p) => [p.name, p.pkg?.version ?? '0', p.elements])))
  .digest('hex')
  .slice(0, 16);
const lines = [
  '// GENERATED by admin/scripts/generate-plugin-registry.mjs: do not edit, do not commit.',
  "import type { AdminPluginDefinition, ElementContribution } from '@charla/admin/plugin-api';",
];
plugins.forEach((p, i) => {
  if (p.entryFile) lines.push(`import plugin${i} from '${toImport(p.entryFile)}';`);
});
lines.push('');
lines.push('/** Admin modules of the enabled plugins, in a stable order. */');
lines.push('export const ADMIN_PLUGINS: readonly AdminPluginDefinition[] = [');
plugins.forEach((p, i) => {
  if (p.entryFile) {
    lines.push(
      p.elements.length
        ? `  { ...plugin${i}, slots: [...(plugin${i}.slots ?? []), ...(${JSON.stringify(p.elements)} as ElementContribution[])] },`
        : `  plugin${i},`,
    );
  } else {
    lines.push(`  { name: ${JSON.stringify(p.name)}, slots: ${JSON.stringify(p.elements)} as ElementContribution[] },`);
  }
});
lines.push('];');
lines.push('');
lines.push(`/** Identifies the enabled plugin set; the server compares it to decide whether to rebuild. */`);
lines.push(`export const PLUGIN_SET_KEY = '${key}';`);
lines.push('');
if (checkOnly) {
  log(`check: ${plugins.length} plugin(s) with admin UI are valid`);
  process.exit(0);
}
mkdirSync(dirname(outFile), { recursive: true });
const text = lines.join('\n');
if (!existsSync(outFile) || readFileSync(outFile, 'utf8') !== text) writeFileSync(outFile, text);

// The plugins' admin unit tests (`src/admin/**/*.spec.ts`) run in the admin's test runner:
// one generated spec imports them (the Angular unit-test builder only looks under src/).
const specs = [];
const findSpecs = (dir) => {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, e.name);
    if (e.isDirectory() && e.name !== 'node_modules') findSpecs(full);
    else if (e.isFile() && e.name.endsWith('.spec.ts')) specs.push(full);
  }
};
for (const p of plugins) if (p.entryFile) findSpecs(dirname(p.entryFile));
const specFile = join(dirname(outFile), 'plugin-specs.spec.ts');
const specText = [
  '// GENERATED by admin/scripts/generate-plugin-registry.mjs: the enabled plugins\' admin unit tests.',
  ...specs.sort().map((f) => `import '${toImport(f)}';`),
  ...(specs.length ? [] : ["import { it } from 'vitest';", "it('no plugin admin tests', () => undefined);"]),
  '',
].join('\n');
if (!existsSync(specFile) || readFileSync(specFile, 'utf8') !== specText) writeFileSync(specFile, specText);

mkdirSync(dirname(manifestFile), { recursive: true });
writeFileSync(
  manifestFile,
  JSON.stringify({ key, plugins: plugins.map((p) => ({ name: p.name, version: p.pkg?.version ?? null })) }, null, 2) + '\n',
);
log(`${plugins.length} plugin(s) with admin UI: ${plugins.map((p) => p.name).join(', ') || '(none)'} (set ${key})`);
