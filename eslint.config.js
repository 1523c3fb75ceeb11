// Lint: typescript-eslint with type information (no-floating-promises), and the
// plugin-API boundary: plugins import @charla/core (and @charla/core/testing in
// tests, @charla/core/widget types in widget modules), never core's internals, and
// other plugins only through their package entry (core/test/plugin-boundaries.test.ts
// checks the same, and what an import rule cannot see: models, sequelize, raw SQL).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'admin/**', 'widget/**', 'bench/**', '**/*.js', '**/*.mjs', 'templates/.scaffold-test/**', '.nx/**', 'docs/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/no-namespace': 'off',
    },
  },
  {
    // tap's t.test() returns a promise that tap itself tracks.
    files: ['**/test/**/*.ts'],
    rules: { '@typescript-eslint/no-floating-promises': 'off' },
  },
  {
    files: ['plugins/**/*.ts', 'templates/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['@charla/core/*', '!@charla/core/testing', '!@charla/core/widget'], message: 'Plugins use the public plugin API: import from "@charla/core" (or "@charla/core/testing" in tests, "@charla/core/widget" for widget-module types).' },
          { group: ['**/core/src/**', '**/core/dist/**'], message: 'Plugins must not reach into core internals; use "@charla/core".' },
          { group: ['@charla/plugin-*/*', '**/plugins/*/src/**', '**/plugins/*/dist/**'], message: 'Another plugin is used through its package entry (e.g. the ConversationsData service of "@charla/plugin-conversations"), never its files.' },
        ],
      }],
    },
  },
);
