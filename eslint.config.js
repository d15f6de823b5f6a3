// ESLint 9 flat config. Formatting is Prettier's business (.prettierrc.json): eslint-config-prettier, last, turns
// off every rule that would disagree with it. Type-aware rules are left out on purpose: they need a TypeScript
// program per run and `tsc` (npm run build) already type-checks.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig([
  globalIgnores([
    // Output of `a2gen build`, compared byte for byte by `a2gen build --check`: `eslint --fix` must not touch it.
    // Its lint problems are fixed in templates/.
    'generated/',
    // Build output, coverage and test artefacts (see .gitignore).
    'dist/',
    'coverage/',
    '.tap/',
    'data/',
    'test-artifacts/',
  ]),

  js.configs.recommended,
  tseslint.configs.recommended,

  {
    // Everything here runs on Node, except the admin panel's browser scripts (below).
    ignores: ['runtime/admin/static/**'],
    languageOptions: { globals: globals.node },
  },

  {
    linterOptions: {
      // A disable comment that no longer disables anything is noise: report it, and let --fix drop it.
      reportUnusedDisableDirectives: 'error',
    },
    rules: {
      // Unused parameters keep their place in a signature (Fastify hooks, callbacks, (_, index) => …): named `_…`
      // they are deliberate. Same for destructuring rest siblings (`const { secret, ...rest } = row` drops a key)
      // and for caught errors that are not needed. (Nothing relies on it today: the default finds nothing either.)
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // The rule is for control characters that slipped into a pattern by accident. Every such pattern here spells
      // them on purpose, as escapes, to reject them: user names (`/[:\x00-\x1f\x7f]/`), the login's `next` path.
      'no-control-regex': 'off',
    },
  },

  {
    // Tests walk parsed JSON (responses, the OpenAPI document) whose shape is the thing under test; typing every
    // step would restate the schemas. Everywhere else `any` stays an error (no use of it there today).
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },

  {
    // The admin panel's static scripts, served as files to the browser (none yet: runtime/admin/script.ts still
    // holds admin.js as a string). Browser globals, not Node's; a classic `<script defer>` ('use strict' in an
    // IIFE), not a module.
    files: ['runtime/admin/static/**/*.js'],
    languageOptions: { sourceType: 'script', globals: globals.browser },
  },

  prettier,
]);
