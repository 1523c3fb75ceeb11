import type { MigrationContext } from '../migrator.js';

/**
 * Jobs, second edition: a dedupe key per waiting job (unique; cleared once the job is
 * claimed, done, dead or cancelled) and the schedules table that lets exactly one
 * instance fire each slot of a scheduled job.
 */
export async function up({ context: { queryInterface: qi, DataTypes: T } }: { context: MigrationContext }): Promise<void> {
  await qi.addColumn('jobs', 'dedupe_key', { type: T.STRING(200), allowNull: true });
  await qi.addIndex('jobs', ['dedupe_key'], { unique: true, name: 'jobs_dedupe_key' });
  await qi.createTable('job_schedules', {
    name: { type: T.STRING(100), primaryKey: true, allowNull: false },
    spec: { type: T.STRING(200), allowNull: false },
    next_run_at: { type: T.DATE, allowNull: false },
    /** Bumped by the instance that fires a slot: the compare-and-set that makes it "once across instances". */
    fired: { type: T.INTEGER, allowNull: false, defaultValue: 0 },
    created_at: { type: T.DATE, allowNull: false },
    updated_at: { type: T.DATE, allowNull: false },
  });
}

export async function down({ context: { queryInterface: qi } }: { context: MigrationContext }): Promise<void> {
  await qi.dropTable('job_schedules');
  await qi.removeIndex('jobs', 'jobs_dedupe_key');
  await qi.removeColumn('jobs', 'dedupe_key');
}
