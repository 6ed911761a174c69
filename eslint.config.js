// ESLint finds bugs; Prettier (npm run format) owns the layout, so no stylistic rule is enabled here.
// TypeScript files are linted with type information (tsconfig.json covers src/ and test/), which is
// what lets the promise rules see a forgotten `await`.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      // Compiler fixtures are inputs and reviewed outputs, not code we write by hand.
      'fixtures/',
      'test/**/fixtures/',
      'examples/**/dist/',
      // What `next build` writes for the Next.js app test.
      'test/next-app/.next/',
      '.ci/out/',
      'bench/.out/',
      'test/.out/',
    ],
  },
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node },
    },
  },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommended],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A promise nobody awaits loses its rejection and its ordering.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      // Rethrowing or passing on a caught `unknown` is how errors travel here; a string is not.
      '@typescript-eslint/only-throw-error': ['error', { allowThrowingUnknown: true }],
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
      // `return promise` inside try/catch skips the catch; elsewhere either form is fine.
      '@typescript-eslint/return-await': ['error', 'error-handling-correctness-only'],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // Babel's and React's APIs are typed loosely in places; `any` at those seams is deliberate.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Function-typed seams (React's server references, bound actions) take any callable on purpose.
      '@typescript-eslint/no-unsafe-function-type': 'off',
    },
  },
  {
    files: ['**/*.{js,mjs,cjs,jsx}'],
    languageOptions: { parserOptions: { ecmaFeatures: { jsx: true } } },
    rules: {
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
  },
  {
    // The example app's browser entry and components also run in the browser, bundled by webpack.
    files: ['examples/app/src/**'],
    languageOptions: { globals: { ...globals.browser, ...globals.node, __webpack_require__: 'readonly' } },
  },
  {
    // The Vite example's browser entry and client components run in the browser.
    files: ['examples/vite/src/**'],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
  },
);
