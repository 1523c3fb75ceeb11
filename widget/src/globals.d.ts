/** Injected by scripts/build.mjs. */
declare const __CHARLA_VERSION__: string;
