/**
 * `npm run bench`: runs the benchmarks, each in its own process (so that one's memory and threads
 * do not colour another's figures), then writes tools/bench/results.json (raw figures, with the
 * machine and versions) and BENCHMARKS.md (report.ts: one table per benchmark, each goal and
 * whether it is met, and what limits the ones that are not).
 *
 * This round (the stores on a database), each on SQLite and on PostgreSQL in the same run:
 *   - ledger.ts — the delivery ledger alone, messages a second.
 *   - thursday-burst.ts — 10,000 reminders due at one instant (10 campaigns × 1,000 departments) on
 *     the dev server vs raw pooled nodemailer sending the same messages (measured in the same run);
 *     diagnostic: a worker that prepares nothing ahead (SQLite).
 *   - national-rehearsal.ts — 1,000 departments × 12 deadlines, full ladder, on the time-skipping
 *     server, the worker in a process of its own; diagnostics: heap snapshots of the worker near its
 *     peak (summed up by heap-summary.ts), and the worker with the memory settings of {@link TUNED}.
 * And, as before: compile.ts (validating + compiling the plan), rush.ts (1,000 departments submitting
 * through the portal in the last minute before 18:00).
 *
 * PostgreSQL is a throw-away server (tools/harness/postgres.ts) started with fsync on, as in
 * production, a fresh database per benchmark; SQLite runs in WAL mode with synchronous=FULL.
 *
 *   npx tsx tools/bench/run.ts [--quick] [--only database|<name>,<name>…] [--report]
 *
 * Names: ledgerSqlite, ledgerPostgres, burstSqlite, burstPostgres, burstCold, rehearsalSqlite,
 * rehearsalPostgres, rehearsalSnapshots, rehearsalTuned, compile, rush; `database` = the six of this
 * round on both backends plus its diagnostics. --quick skips the diagnostics; --only runs just those
 * and keeps the others' figures from the last results.json; --report runs nothing and writes
 * BENCHMARKS.md again. Runs of earlier rounds (the file ledger) are kept in results.json's `earlier`.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPostgres, type Postgres } from '../harness/postgres';
import { optionalToolPath, projectRoot } from '../harness/tool-paths';
import { summariseHeapSnapshot } from './heap-summary';
import { writeReport, type Machine, type Results, type Run, type RunName } from './report';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** How the benchmark's PostgreSQL keeps a commit (tools/harness/postgres.ts with durable: true). */
export const POSTGRES_DURABILITY = 'fsync on, full_page_writes on, synchronous_commit on (the server defaults): every commit flushed to disk';

/** The worker settings the tuned rehearsal tries (see BENCHMARKS.md, worker memory). */
export const TUNED = { nodeOptions: '--max-semi-space-size=8 --heap-growing-percent=50', env: 'MALLOC_MMAP_THRESHOLD_=131072' };

interface Spec {
  name: RunName;
  title: string;
  file: string;
  args: (ctx: { databaseUrl?: string; scratch: string }) => string[];
  postgres?: boolean;
  diagnostic?: boolean;
  /** What to add to the result once the run is over (in this process). */
  after?: (result: Record<string, unknown>) => void;
}

const pg = (url?: string) => ['--database-url', url!, '--durability', POSTGRES_DURABILITY];
const rehearsal = ['--ladder', 'full', '--concurrency', '128'];

const SPECS: Spec[] = [
  { name: 'ledgerSqlite', title: 'delivery ledger alone, SQLite', file: 'ledger.ts', args: () => ['--messages', '10000'] },
  { name: 'ledgerPostgres', title: 'delivery ledger alone, PostgreSQL', file: 'ledger.ts', postgres: true, args: (c) => ['--messages', '10000', ...pg(c.databaseUrl)] },
  { name: 'burstSqlite', title: 'thursday burst 10,000, SQLite', file: 'thursday-burst.ts', args: () => [] },
  { name: 'burstPostgres', title: 'thursday burst 10,000, PostgreSQL', file: 'thursday-burst.ts', postgres: true, args: (c) => pg(c.databaseUrl) },
  { name: 'burstCold', title: 'thursday burst 10,000, nothing prepared ahead (diagnostic)', file: 'thursday-burst.ts', diagnostic: true, args: () => ['--prepare', 'false', '--rounds', '1'] },
  { name: 'rehearsalSqlite', title: 'national rehearsal, SQLite', file: 'national-rehearsal.ts', args: () => rehearsal },
  { name: 'rehearsalPostgres', title: 'national rehearsal, PostgreSQL', file: 'national-rehearsal.ts', postgres: true, args: (c) => [...rehearsal, ...pg(c.databaseUrl)] },
  {
    name: 'rehearsalSnapshots',
    title: 'national rehearsal, heap snapshots of the worker (diagnostic)',
    file: 'national-rehearsal.ts',
    diagnostic: true,
    args: (c) => [...rehearsal, '--snapshots', c.scratch, '--snapshot-after-point', '30'],
    after: (r) => {
      const files = (r.snapshots as string[] | undefined) ?? [];
      r.heapSummaries = files.map((f) => ({ thread: path.basename(f).startsWith('main') ? 'main' : 'workflows', ...summariseHeapSnapshot(f, 12) }));
    },
  },
  {
    name: 'rehearsalTuned',
    title: 'national rehearsal, worker with the memory settings tried (diagnostic)',
    file: 'national-rehearsal.ts',
    diagnostic: true,
    args: () => [...rehearsal, '--worker-node-options', TUNED.nodeOptions, '--worker-env', TUNED.env],
  },
  { name: 'compile', title: 'compile', file: 'compile.ts', args: () => ['--runs', '15'] },
  { name: 'rush', title: 'rush', file: 'rush.ts', args: () => [] },
];

const GROUPS: Record<string, RunName[]> = {
  database: ['ledgerSqlite', 'ledgerPostgres', 'burstSqlite', 'burstPostgres', 'burstCold', 'rehearsalSqlite', 'rehearsalPostgres', 'rehearsalSnapshots', 'rehearsalTuned'],
};

/** Other test runs on the machine (vitest), by pid: a run that saw none had the machine to itself and the other helpers. */
function otherTestRuns(): number {
  try {
    return execFileSync('pgrep', ['-f', 'vitest'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).length;
  } catch {
    return 0; // pgrep exits 1 when nothing matches
  }
}

function runBench<T>(spec: Spec, args: string[], scratch: string, log: (line: string) => void): Promise<Run<T>> {
  const out = path.join(scratch, 'result.json');
  const t0 = performance.now();
  const loadBefore = Number(os.loadavg()[0]!.toFixed(2));
  const testsBefore = otherTestRuns();
  const startedAt = new Date().toISOString();
  const ranOn = machine();
  log(`\n=== ${spec.title}: tsx tools/bench/${spec.file} ${args.join(' ')}`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(HERE, spec.file), ...args, '--out', out], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    const warnings = { payloadOver512KiB: 0, workflowTaskOver5s: 0 };
    // The SDK core logs to stdout, the benchmarks to stderr: both are read line by line.
    const lines = (stream: NodeJS.ReadableStream) => {
      let partial = '';
      stream.on('data', (b: Buffer) => {
        const parts = (partial + b.toString()).split('\n');
        partial = parts.pop() ?? '';
        for (const line of parts) {
          if (!line.trim()) continue;
          // The SDK's payload-size and slow-task warnings are counted, not echoed line by line.
          if (/TMPRL110[34]/.test(line)) {
            warnings[/TMPRL1103/.test(line) ? 'payloadOver512KiB' : 'workflowTaskOver5s']++;
            continue;
          }
          tail.push(line);
          if (tail.length > 40) tail.shift();
          if (!/^\s+at |^\s|SLF4J/.test(line) || /memory:/.test(line)) log(`  ${line}`);
        }
      });
    };
    lines(child.stdout);
    lines(child.stderr);
    child.on('close', (code) => {
      const wallMs = performance.now() - t0;
      let result: T | undefined;
      try {
        const raw = { ...JSON.parse(readFileSync(out, 'utf8')), sdkWarnings: warnings };
        spec.after?.(raw);
        result = raw as T;
      } catch {
        // no result: the error is in the tail
      }
      const testsAfter = otherTestRuns();
      resolve({
        name: spec.name,
        args,
        startedAt,
        wallMs,
        load: [loadBefore, Number(os.loadavg()[0]!.toFixed(2))],
        otherTestRuns: [testsBefore, testsAfter],
        machine: ranOn,
        result,
        error: code === 0 && result ? undefined : `exit ${code}: ${tail.slice(-15).join('\n')}`,
      });
    });
  });
}

function versions(): Results['versions'] {
  const pkg = (name: string) => {
    try {
      return JSON.parse(readFileSync(path.join(projectRoot, 'node_modules', name, 'package.json'), 'utf8')).version as string;
    } catch {
      return 'unknown';
    }
  };
  const tool = (name: 'temporalCli' | 'postgresBin', args: string[], bin = '') => {
    try {
      return execFileSync(path.join(optionalToolPath(name) ?? '', bin), args, { encoding: 'utf8' }).trim().split('\n')[0]!;
    } catch {
      return 'unknown';
    }
  };
  const testServer = optionalToolPath('testServer');
  let commit = process.env.BENCH_COMMIT;
  try {
    commit ??= execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: projectRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    // not a git checkout (an exported tree): BENCH_COMMIT names it
  }
  return {
    commit,
    node: process.version,
    temporalSdk: { client: pkg('@temporalio/client'), worker: pkg('@temporalio/worker'), workflow: pkg('@temporalio/workflow'), testing: pkg('@temporalio/testing') },
    temporalCli: tool('temporalCli', ['--version']),
    testServer: testServer ? `${path.basename(path.dirname(testServer))}/${path.basename(testServer)}` : 'unknown',
    postgres: tool('postgresBin', ['--version'], 'postgres'),
    betterSqlite3: pkg('better-sqlite3'),
    pg: pkg('pg'),
  };
}

function machine(): Machine {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryBytes: os.totalmem(),
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverageAtStart: os.loadavg().map((x) => Number(x.toFixed(2))),
  };
}

function selection(): { want: (spec: Spec) => boolean; reportOnly: boolean; partial: boolean } {
  const argv = process.argv;
  const quick = argv.includes('--quick');
  const reportOnly = argv.includes('--report');
  const onlyArg = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
  const only = onlyArg ? new Set(onlyArg.split(',').flatMap((x) => GROUPS[x] ?? [x as RunName])) : undefined;
  for (const name of only ?? []) if (!SPECS.some((s) => s.name === name)) throw new Error(`unknown benchmark ${name}: one of ${SPECS.map((s) => s.name).join(', ')}, or ${Object.keys(GROUPS).join(', ')}`);
  return {
    reportOnly,
    partial: reportOnly || only !== undefined,
    want: (spec) => !reportOnly && (only ? only.has(spec.name) && !(quick && spec.diagnostic) : !(quick && spec.diagnostic)),
  };
}

/** The last results.json, with an earlier round's runs (the file ledger) moved under `earlier`. */
function lastResults(): Partial<Results> | undefined {
  try {
    const last = JSON.parse(readFileSync(path.join(HERE, 'results.json'), 'utf8')) as Partial<Results> & { runs: Record<string, Run<never> | undefined> };
    for (const run of Object.values(last.runs)) if (run && !run.machine) run.machine = last.machine;
    if (!last.earlier && (last.runs.rehearsal || last.runs.burst)) {
      last.earlier = { rehearsal: last.runs.rehearsal, burst: last.runs.burst, burstCold: last.runs.burstCold };
      delete last.runs.rehearsal;
      delete last.runs.burst;
      delete last.runs.burstCold;
    }
    return last;
  } catch {
    return undefined;
  }
}

async function main() {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const { want, reportOnly, partial } = selection();
  const started = new Date();
  const t0 = performance.now();
  const last = lastResults();
  const runs: Partial<Record<RunName, Run<unknown>>> = partial ? { ...(last?.runs as Partial<Record<RunName, Run<unknown>>>) } : {};
  const chosen = SPECS.filter(want);
  let postgres: Postgres | undefined;
  try {
    if (chosen.some((s) => s.postgres)) {
      postgres = await startPostgres({ durable: true });
      log(`PostgreSQL (durable) on ${postgres.url}`);
    }
    for (const spec of chosen) {
      const scratch = mkdtempSync(path.join(os.tmpdir(), 'bench-'));
      try {
        const databaseUrl = spec.postgres ? await postgres!.createDatabase(`bench_${spec.name.toLowerCase()}_${Date.now().toString(36)}`) : undefined;
        runs[spec.name] = await runBench(spec, spec.args({ databaseUrl, scratch }), scratch, log);
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    }
  } finally {
    await postgres?.stop();
  }

  // --report keeps when and where the file's runs were made.
  const results: Results = {
    date: reportOnly && last?.date ? last.date : started.toISOString(),
    totalWallMs: reportOnly && last?.totalWallMs !== undefined ? last.totalWallMs : performance.now() - t0,
    machine: reportOnly && last?.machine ? last.machine : machine(),
    versions: versions(),
    runs,
    earlier: last?.earlier ?? {},
  };
  writeFileSync(path.join(HERE, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeReport(results, path.join(projectRoot, 'BENCHMARKS.md'));
  log(`\nwrote tools/bench/results.json and BENCHMARKS.md in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  process.exit(chosen.some((s) => runs[s.name]?.error) ? 1 : 0);
}

void main();
