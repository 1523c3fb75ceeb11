import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

// The admin's wire types are generated from the server's TypeBox schemas
// (scripts/wire-types.mjs); a schema change without regenerating fails here.
const repo = resolve(import.meta.dirname, '..', '..');

t.test('the generated wire types match the server schemas', async (t) => {
  const r = spawnSync(process.execPath, [resolve(repo, 'scripts/wire-types.mjs'), '--check'], { encoding: 'utf8', timeout: 120_000 });
  t.equal(r.status, 0, r.stderr || r.stdout);
});

t.test('they carry what the schemas say', async (t) => {
  const admin = readFileSync(resolve(repo, 'admin/src/sdk/wire.generated.ts'), 'utf8');
  t.match(admin, "export type SenderType = 'visitor' | 'agent' | 'bot' | 'system';");
  t.match(admin, /export interface OfficeHours \{\n {2}\/\*\* IANA time zone[^\n]*\n {2}timezone: string;\n {2}days: OfficeHoursDay\[\];\n\}/, 'a nested schema equal to a listed one is named');
  const inbox = readFileSync(resolve(repo, 'plugins/inbox/src/admin/wire.generated.ts'), 'utf8');
  t.match(inbox, /export interface DashboardFigures \{[^}]*\n {2}slaBreachedToday: number;\n {2}at: string;\n\}/);
});
