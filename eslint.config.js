// ESLint configuration: typescript-eslint's recommended rules, type-aware for the TypeScript in
// src/ and test/, plus the rules that catch real bugs in this code (unawaited promises, loose
// equality, unused names). Layout is Prettier's (`npm run format`); the one stylistic rule here is
// the line length for what Prettier cannot wrap (comments).
import js from '@eslint/js';
import stylistic from '@stylistic/eslint-plugin';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Node scripts without a file extension (run by their shebang).
const NODE_SCRIPTS = ['scripts/boot-matrix', 'scripts/gen-cli-docs', 'scripts/serve-stream', 'bin/nestos-installer'];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'build/'] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@stylistic': stylistic },
    rules: {
      // `x != null` (null or undefined) is the one loose comparison allowed: JSON fields may be either.
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      // Off: an async function without await is deliberate here; it implements a Promise-returning
      // interface and turns a synchronous throw into a rejection.
      '@typescript-eslint/require-await': 'off',
      // A caught value (typed unknown) is passed on unchanged, keeping the original error.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
      'no-empty': ['error', { allowEmptyCatch: false }],
      // node:test's test()/describe() return promises the runner itself awaits; top-level calls
      // are not awaited by design. Everything else (subtests included) must be.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
        },
      ],
      // `typeof import('ora')` stays allowed: it names a module that is loaded lazily.
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      // Off: terminal-text code and its tests match control characters (ANSI escapes, C0 codes)
      // on purpose.
      'no-control-regex': 'off',
      '@stylistic/max-len': [
        'error',
        { code: 120, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreUrls: true },
      ],
    },
  },
  {
    // Tests read JSON (JSON.parse returns any) and assert on its shape; the assertions are the
    // checks these rules would ask for.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', ...NODE_SCRIPTS],
    extends: [tseslint.configs.disableTypeChecked],
    rules: { '@typescript-eslint/consistent-type-imports': 'off' },
  },
);
