import type { Config } from '@stencil/core';

// Stencil compiles the messenger component to a standalone custom element (with its
// runtime bundled and tree-shaken); scripts/build.mjs then bundles it with esbuild into
// the lazy `messenger.<hash>.js` chunk.
export const config: Config = {
  namespace: 'charla',
  srcDir: 'src',
  tsconfig: 'tsconfig.stencil.json',
  outputTargets: [
    {
      type: 'dist-custom-elements',
      dir: 'build/stencil',
      externalRuntime: false,
      customElementsExportBehavior: 'single-export-module',
      generateTypeDeclarations: true,
    },
  ],
  buildEs5: false,
  sourceMap: false,
  minifyJs: false,
  extras: {
    enableImportInjection: false,
  },
  validatePrimaryPackageOutputTarget: false,
  hashFileNames: false,
  watchIgnoredRegex: [/build\//],
};
