/**
 * The house rules for imports, checked by `npm run lint` (dependency-cruiser): no import circles, and
 * the layers run one way, from the bottom up:
 *
 *   config/, deadlines/          settings; the plan format and the compiled timeline (pure)
 *   obligations/                 the domain rules the workflows run (pure)
 *   store/, mail/, reports/      storage, messages and their delivery, summaries and histories
 *   workflows/                   deterministic code: workflows → pure domain modules only
 *   client/, activities/         talk to Temporal and the outside world; use workflow *messages*
 *   worker/, portal/             processes
 *   cli/                         the `campaign` command (starts the worker or the portal)
 *   tools/                       benchmarks, demo, harness, scripts: never imported by the product
 *
 * A violation fails lint naming the rule (its `name` below) and the import that broke it.
 */
const PRODUCT = '^(activities|cli|client|config|deadlines|mail|obligations|portal|reports|store|worker|workflows)/';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import circles hide which module owns a rule. Move what both need into a module lower down.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-stays-pure',
      severity: 'error',
      comment: 'deadlines/ and obligations/ are pure domain code, run inside workflows: they import nothing above them (no portal, CLI, worker, activities, client, mail, storage, reports, workflows or tools).',
      from: { path: '^(deadlines|obligations)/' },
      to: { path: '^(activities|cli|client|mail|portal|reports|store|worker|workflows|tools)/' },
    },
    {
      name: 'workflows-import-domain-only',
      severity: 'error',
      comment: 'Workflow code is deterministic: it imports other workflow code, the pure domain modules (obligations/, deadlines/) and, as types only, the activities it proxies.',
      from: { path: '^workflows/' },
      to: { path: PRODUCT, pathNot: '^(workflows|obligations|deadlines|activities)/' },
    },
    {
      name: 'workflows-type-only-activities',
      severity: 'error',
      comment: 'Workflows take the activities\' types only (import type … from "../activities") and call them through proxyActivities.',
      from: { path: '^workflows/' },
      to: { path: '^activities/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'only-workflow-messages-outside-workflows',
      severity: 'error',
      comment: 'Outside workflows/, import a workflow\'s messages (workflows/<name>.messages.ts: signals, queries, updates, payload types), never the workflow code itself.',
      from: { path: PRODUCT, pathNot: '^workflows/' },
      to: { path: '^workflows/', pathNot: '^workflows/[^/]+\\.messages\\.ts$' },
    },
    {
      name: 'lower-layers-do-not-import-upper',
      severity: 'error',
      comment: 'config/, store/, mail/ and reports/ are used by the processes above them; they never import activities/, client/, worker/, portal/ or cli/.',
      from: { path: '^(config|store|mail|reports)/' },
      to: { path: '^(activities|client|worker|portal|cli)/' },
    },
    {
      name: 'config-imports-nothing-of-the-product',
      severity: 'error',
      comment: 'config/ reads the environment; everything else reads config/, not the other way round.',
      from: { path: '^config/' },
      to: { path: PRODUCT, pathNot: '^config/' },
    },
    {
      name: 'activities-and-client-are-not-processes',
      severity: 'error',
      comment: 'activities/ and client/ are used by the worker, the portal and the CLI; they do not import them.',
      from: { path: '^(activities|client)/' },
      to: { path: '^(worker|portal|cli)/' },
    },
    {
      name: 'portal-and-worker-are-separate-processes',
      severity: 'error',
      comment: 'The portal and the worker share what they both need through a neutral module (store/, client/, mail/, config/), never by importing each other.',
      from: { path: '^(portal|worker)/' },
      to: { path: '^(portal|worker|cli)/', pathNot: '$1' },
    },
    {
      name: 'product-never-imports-tools',
      severity: 'error',
      comment: 'tools/ (benchmarks, demo, harness, scripts) is not the product: the product never imports it.',
      from: { path: PRODUCT },
      to: { path: '^tools/' },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to nothing.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|test/histories|test/fixtures)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.mjs', '.js', '.cjs', '.json'] },
  },
};
