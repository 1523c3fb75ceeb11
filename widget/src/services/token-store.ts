/** Keeps the visitor token in localStorage under a per-site key (memory when storage is blocked). */
export class TokenStore {
  readonly key: string;
  #memory: string | null = null;

  constructor(appId: string) {
    this.key = `charla:${appId}:visitorToken`;
  }

  get(): string | null {
    try {
      return localStorage.getItem(this.key) ?? this.#memory;
    } catch {
      return this.#memory;
    }
  }

  set(token: string): void {
    this.#memory = token;
    try {
      localStorage.setItem(this.key, token);
    } catch {
      /* private mode / sandboxed iframe: memory only */
    }
  }

  clear(): void {
    this.#memory = null;
    try {
      localStorage.removeItem(this.key);
    } catch {
      /* ignore */
    }
  }
}
