/**
 * `npm run bench`, part 3 — validating and compiling a national plan: the 1,000-department plan of
 * tools/bench/generate-plan.ts (full ladder) through deadlines/load.ts loadPlanText (parse with positions,
 * schema, references, compilation to the timeline), the median of N runs after one warm-up run;
 * also the YAML size, the compiled plan's JSON size (what the campaign workflow receives as input)
 * and the largest shard slice (what each shard receives).
 *
 *   npx tsx tools/bench/compile.ts [--departments 1000] [--runs 15] [--out file.json]
 */
import { assignShards, departmentsOfShard, planSlice, shardNumbers } from '../../obligations/shards';
import { loadPlanText } from '../../deadlines/load';
import { generatePlanYaml } from './generate-plan';
import { numberArg, runAsMain } from './bench-main';

export interface CompileResult {
  departments: number;
  obligations: number;
  runs: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  yamlBytes: number;
  yamlLines: number;
  compiledJsonBytes: number;
  largestShardSliceBytes: number;
  warnings: number;
}

export function runCompileBench(opts: { departments?: number; runs?: number } = {}): CompileResult {
  const departments = opts.departments ?? 1000;
  const runs = opts.runs ?? 15;
  const yaml = generatePlanYaml({ departments, ladder: 'full' });
  const once = () => {
    const t0 = performance.now();
    const r = loadPlanText(yaml, 'national.yaml');
    const ms = performance.now() - t0;
    if (!r.ok) throw new Error(`the generated plan does not compile: ${r.errors[0]?.message}`);
    return { ms, r };
  };
  const { r } = once(); // warm-up (JIT, calendar tables)
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(once().ms);
  times.sort((a, b) => a - b);
  const plan = r.plan;
  const assignment = assignShards(plan);
  const sliceBytes = shardNumbers(assignment).map((s) => Buffer.byteLength(JSON.stringify(planSlice(plan, departmentsOfShard(assignment, s)))));
  return {
    departments,
    obligations: plan.deadlines.filter((d) => d.kind !== 'open').reduce((n, d) => n + d.occurrences.length * d.departments.length, 0),
    runs,
    medianMs: times.length % 2 ? times[(times.length - 1) / 2]! : (times[times.length / 2 - 1]! + times[times.length / 2]!) / 2,
    minMs: times[0]!,
    maxMs: times.at(-1)!,
    yamlBytes: Buffer.byteLength(yaml),
    yamlLines: yaml.split('\n').length - 1,
    compiledJsonBytes: Buffer.byteLength(JSON.stringify(plan)),
    largestShardSliceBytes: Math.max(...sliceBytes),
    warnings: r.warnings.length,
  };
}

runAsMain(import.meta.url, 'compile benchmark', () => runCompileBench({ departments: numberArg('--departments'), runs: numberArg('--runs') }));
