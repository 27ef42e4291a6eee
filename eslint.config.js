// Workflow code must be deterministic: no Node built-ins, no I/O, no activities' implementations.
// `npm run lint` runs this on workflows/; tools/scripts/check-workflow-bundle.mjs bundles them the way
// the worker does, which fails on anything the lint misses.
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [...new Set(builtinModules.flatMap((m) => [m, `node:${m}`]))];

export default [
  {
    files: ['workflows/**/*.ts'],
    languageOptions: { parser: tseslint.parser, parserOptions: { sourceType: 'module' } },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'Workflow code is deterministic and sandboxed: no Node built-ins. Do I/O in an activity.' })),
          patterns: [
            { group: ['**/activities/*', '**/activities'], allowTypeImports: true, message: 'Workflows import only the types of activities (import type), and call them through proxyActivities.' },
            { group: ['nodemailer', 'luxon', 'yaml', '@temporalio/client', '@temporalio/worker', '@temporalio/activity'], message: 'Not allowed in workflow code: parse, format and send outside workflows.' },
          ],
        },
      ],
      '@typescript-eslint/no-restricted-imports': 'off',
      'no-restricted-globals': ['error', { name: 'process', message: 'No process in workflow code.' }, { name: 'setTimeout', message: 'Use sleep() or condition() from @temporalio/workflow.' }, { name: 'setInterval', message: 'Use sleep() in a loop.' }],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'Math.random is replaced by the sandbox, but say what you mean: use uuid4() or a seeded value from the workflow input.' }],
    },
  },
];
