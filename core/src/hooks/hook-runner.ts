import type { HookMap, HookName } from '../extension-points.js';

export type HookHandler<K extends HookName> = (payload: HookMap[K]) => void | HookMap[K] | Promise<void | HookMap[K]>;

/** Ordered in-process hooks. A handler may return a changed payload or throw to refuse. */
export class HookRunner {
  private readonly handlers = new Map<string, Array<{ owner: string; fn: HookHandler<never> }>>();

  on<K extends HookName>(name: K, owner: string, fn: HookHandler<K>): void {
    const list = this.handlers.get(name) ?? [];
    list.push({ owner, fn: fn as unknown as HookHandler<never> });
    this.handlers.set(name, list);
  }

  async run<K extends HookName>(name: K, payload: HookMap[K]): Promise<HookMap[K]> {
    let current = payload;
    for (const { fn } of this.handlers.get(name) ?? []) {
      const out = await (fn as unknown as HookHandler<K>)(current);
      if (out !== undefined) current = out as HookMap[K];
    }
    return current;
  }

  has(name: HookName): boolean {
    return (this.handlers.get(name)?.length ?? 0) > 0;
  }
}
