import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { CharlaConfig } from './config.js';
import { pluginSpecifier } from './plugins/loader.js';

const require = createRequire(import.meta.url);

function pluginHasAdminUi(entry: string, cwd: string): { name: string; admin: boolean } {
  const spec = pluginSpecifier(entry, cwd);
  try {
    const pkgFile = spec.startsWith('file:') ? join(new URL(spec).pathname, 'package.json') : require.resolve(`${spec}/package.json`, { paths: [cwd] });
    const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { name: string; charla?: { admin?: unknown; adminElements?: unknown[] } };
    return { name: pkg.name.replace(/^@[^/]+\//, '').replace(/^(charla-)?plugin-/, ''), admin: !!(pkg.charla?.admin || pkg.charla?.adminElements?.length) };
  } catch {
    return { name: entry, admin: false };
  }
}

/**
 * `charla start`: when an enabled plugin has admin UI that the built admin does not
 * contain (a plugin was installed and enabled since the last build), rebuild the admin
 * with the enabled set — when the Angular toolchain is installed. A Docker runtime image
 * has no toolchain: it logs what is missing (build a derived image instead).
 */
export function ensureAdminBuild(config: CharlaConfig, log: (msg: string) => void, opts: { cwd?: string; dryRun?: boolean } = {}): 'current' | 'rebuilt' | 'would-rebuild' | 'missing-toolchain' | 'no-admin' | 'failed' {
  const cwd = opts.cwd ?? process.cwd();
  let adminDir: string;
  try {
    adminDir = dirname(require.resolve('@charla/admin/package.json'));
  } catch {
    return 'no-admin';
  }
  const manifest = join(adminDir, 'dist', 'browser', 'plugins.json');
  const built = existsSync(manifest) ? new Set((JSON.parse(readFileSync(manifest, 'utf8')) as { plugins: Array<{ name: string }> }).plugins.map((p) => p.name)) : null;
  const wanted = config.plugins.map((p) => pluginHasAdminUi(p, cwd)).filter((p) => p.admin).map((p) => p.name);
  const missing = built ? wanted.filter((n) => !built.has(n)) : wanted;
  if (built && !missing.length) return 'current';
  const toolchain = existsSync(join(adminDir, 'scripts', 'generate-plugin-registry.mjs')) && (() => {
    try {
      createRequire(join(adminDir, 'package.json')).resolve('@angular/build/package.json');
      return true;
    } catch {
      return false;
    }
  })();
  if (!toolchain) {
    log(`the admin has no UI for ${missing.join(', ') || 'the enabled plugins'} and the Angular toolchain is not installed here: build it where it is (npm run build -w @charla/admin, or a derived Docker image)`);
    return 'missing-toolchain';
  }
  if (opts.dryRun) return 'would-rebuild';
  log(`${built ? `the enabled plugins changed (admin UI missing for ${missing.join(', ')})` : 'the admin is not built'}: building the admin for ${config.plugins.join(', ')} …`);
  const r = spawnSync('npm', ['run', 'build'], { cwd: adminDir, stdio: 'inherit', env: { ...process.env, CHARLA_PLUGINS: config.plugins.join(',') } });
  if (r.status !== 0) {
    log('the admin build failed; the API still starts, the admin keeps its previous build');
    return 'failed';
  }
  return 'rebuilt';
}
