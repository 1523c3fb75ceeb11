import t from 'tap';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '..', '..');

t.test('the plugin API is typed: wrong hook/event payloads do not compile', async (t) => {
  const r = spawnSync(process.execPath, [resolve(repo, 'node_modules/typescript/bin/tsc'), '-p', resolve(import.meta.dirname, 'types/tsconfig.json')], { encoding: 'utf8', timeout: 120_000 });
  t.equal(r.status, 0, `tsc on core/test/types:\n${r.stdout}${r.stderr}`);
});

t.test('docs/plugins.md hook and event tables and core/api-report.md match the types', async (t) => {
  const r = spawnSync(process.execPath, [resolve(repo, 'scripts/plugin-api.mjs'), '--check'], { encoding: 'utf8', timeout: 120_000 });
  t.equal(r.status, 0, r.stderr || r.stdout);
});
