import type { HookMap, HookName } from '../extension-points.js';
import { accountOf, type AccountGate } from '../plugins/gate.js';

export type HookHandler<K extends HookName> = (payload: HookMap[K]) => void | HookMap[K] | Promise<void | HookMap[K]>;

/**
 * Ordered in-process hooks. A handler may return a changed payload or throw to refuse.
 * A handler whose owner is off for the payload's account (`accountId`) is passed over.
 */
export class HookRunner {
  private readonly handlers = new Map<string, Array<{ owner: string; fn: HookHandler<never> }>>();
  private gate?: AccountGate;

  /** Installs the per-account gate (the plugin registry); set once at boot. */
  setGate(gate: AccountGate): void {
    this.gate = gate;
  }

  on<K extends HookName>(name: K, owner: string, fn: HookHandler<K>): void {
    const list = this.handlers.get(name) ?? [];
    list.push({ owner, fn: fn as unknown as HookHandler<never> });
    this.handlers.set(name, list);
  }

  async run<K extends HookName>(name: K, payload: HookMap[K]): Promise<HookMap[K]> {
    let current = payload;
    for (const { owner, fn } of this.handlers.get(name) ?? []) {
      const accountId = accountOf(current);
      if (accountId && this.gate && !(await this.gate(owner, accountId))) continue;
      const out = await (fn as unknown as HookHandler<K>)(current);
      if (out !== undefined) current = out as HookMap[K];
    }
    return current;
  }

  has(name: HookName): boolean {
    return (this.handlers.get(name)?.length ?? 0) > 0;
  }
}
