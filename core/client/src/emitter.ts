type AnyHandler = (...args: unknown[]) => void;

/** A minimal typed event emitter (no Node or DOM dependency). */
export class Emitter<Events extends Record<string, unknown[]>> {
  #handlers = new Map<keyof Events, Set<AnyHandler>>();

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof Events>(name: K, handler: (...args: Events[K]) => void): () => void {
    let set = this.#handlers.get(name);
    if (!set) this.#handlers.set(name, (set = new Set()));
    const h = handler as unknown as AnyHandler;
    set.add(h);
    return () => {
      set.delete(h);
    };
  }

  protected emit<K extends keyof Events>(name: K, ...args: Events[K]): void {
    const set = this.#handlers.get(name);
    if (!set) return;
    for (const h of [...set]) {
      try {
        h(...args);
      } catch (err) {
        // A failing listener must not break the connection loop; report it asynchronously.
        setTimeout(() => {
          throw err;
        });
      }
    }
  }
}
