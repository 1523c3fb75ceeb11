import type { CharlaPlugin } from './types.js';

const NAME = /^[a-z][a-z0-9-]{1,49}$/;

/**
 * Declares a Charla plugin. The entry module of a plugin package default-exports it:
 *
 *   export default definePlugin({ name: 'hello', version: '1.0.0', core: '^0.1.0', routes(app) { … } });
 */
export function definePlugin<P extends CharlaPlugin>(plugin: P): P {
  if (!plugin || typeof plugin !== 'object') throw new TypeError('definePlugin expects an object');
  if (typeof plugin.name !== 'string' || !NAME.test(plugin.name)) {
    throw new TypeError(`plugin name "${String(plugin.name)}" is invalid: use 2-50 lowercase letters, digits and dashes, starting with a letter`);
  }
  if (typeof plugin.version !== 'string' || !plugin.version) throw new TypeError(`plugin "${plugin.name}" has no version`);
  return Object.freeze({ ...plugin }) as P;
}
