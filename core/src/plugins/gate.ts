/**
 * Decides whether `owner` (a plugin name, or `core`) does work for an account: the one
 * per-account gate that the hook runner, the event dispatch and the job runner consult
 * (`PluginRegistry.runsFor`, cached per account, invalidated when a toggle changes).
 */
export type AccountGate = (owner: string, accountId: string) => Promise<boolean>;

/** The account a payload belongs to, when it names one (`accountId: string`). */
export function accountOf(payload: unknown): string | null {
  const id = (payload as { accountId?: unknown } | null | undefined)?.accountId;
  return typeof id === 'string' ? id : null;
}
