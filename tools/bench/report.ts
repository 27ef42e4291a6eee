/**
 * BENCHMARKS.md, written from tools/bench/results.json by run.ts: the header (when, where, which
 * versions), this round's sections (report-database.ts: the stores on SQLite and PostgreSQL), the
 * plan's compilation and the portal rush (rush-report.ts), the figures of the earlier round that
 * kept the delivery ledger in files, and what limits every goal missed.
 */
import { writeFileSync } from 'node:fs';
import type { CompileResult } from './compile';
import type { BurstResult } from './thursday-burst';
import type { RehearsalResult } from './national-rehearsal';
import type { RushResult } from './rush';
import { rushLimits, rushTable } from './rush-report';
import { databaseLimits, databaseSections } from './report-database';
import { kib, met, mib, n, runLine, s, table } from './report-format';
import type { Machine, Results, Run, RunName } from './results';

export type { Machine, Results, Run, RunName } from './results';

const GIB = 1024 ** 3;
const describeMachine = (m: Machine) => `${m.cores} cores (${m.cpuModel}), ${(m.memoryBytes / GIB).toFixed(1)} GiB, ${m.platform}`;

/** The earlier round's rehearsal (delivery ledger in files, the worker in the benchmark's process). */
function earlierRehearsal(r: RehearsalResult & { peakMemory?: NodeJS.MemoryUsage }): string {
  return table(
    ['Figure', 'Then', 'Goal then', ''],
    [
      ['Wall time, launch → final summary', `${s(r.wallMs)} (submitting ${s(r.submitMs)}, last submission → final summary ${s(r.finalMs)})`, '< 10 min', met(r.wallMs < 600_000)],
      ['Peak RSS of the benchmark\'s process (worker + client)', `${mib(r.peakRssBytes)}`, '< 1 GiB', met(r.peakRssBytes < GIB)],
      ['Largest history', `${n(r.largestHistory.events)} events, ${kib(r.largestHistory.bytes)}`, '≤ 10,240 events', met(r.largestHistory.events <= 10_240)],
      ['Messages received by the SMTP server', `${n(r.messages.sent)} (expected ${n(r.messages.expected)})`, '= expected', met(r.messages.sent === r.messages.expected)],
    ],
  );
}

function earlierBurst(b: BurstResult, cold?: BurstResult): string {
  return table(
    ['Figure', 'Then', 'Goal then', ''],
    [
      ['Due instant → last of 1,000 reminders received', `${s(b.engine.lastMs)} (lateness p50 ${s(b.engine.p50Ms)}, p99 ${s(b.engine.p99Ms)})`, '', ''],
      ['Raw pooled nodemailer, same 1,000 messages (median of 3 sends)', s(b.raw.lastMs), '', ''],
      ['Engine ÷ raw', `${b.ratio.toFixed(2)}× (rounds ${b.rounds.map((r) => `${r.ratio.toFixed(2)}×`).join(', ')})`, '≤ 1.5×', met(b.ratio <= 1.5)],
      ...(cold ? [['Diagnostic: nothing prepared ahead', `${s(cold.engine.lastMs)} vs raw ${s(cold.raw.lastMs)}: ${cold.ratio.toFixed(2)}×`, '', '']] : []),
    ],
  );
}

function compileTable(c: CompileResult): string {
  return table(
    ['Figure', 'Today', 'Goal', ''],
    [
      [`Validate + compile (loadPlanText), median of ${c.runs} runs`, `${c.medianMs.toFixed(0)} ms (min ${c.minMs.toFixed(0)}, max ${c.maxMs.toFixed(0)})`, '— (none set)', ''],
      ['Plan YAML', `${kib(c.yamlBytes)}, ${n(c.yamlLines)} lines (${c.departments} departments, ${n(c.obligations)} obligations)`, '≤ 1 MB (plan size limit)', met(c.yamlBytes <= 1024 * 1024)],
      ['Compiled plan (campaign workflow input) / largest shard slice', `${kib(c.compiledJsonBytes)} / ${kib(c.largestShardSliceBytes)}`, '', ''],
    ],
  );
}

/** `what` of the runs shown, with the sections it holds for when it differs. */
function bySection(runs: Array<[Run<unknown> | undefined, string]>, what: (run: Run<unknown>) => string): string {
  const by = new Map<string, string[]>();
  for (const [run, section] of runs) if (run) by.set(what(run), [...(by.get(what(run)) ?? []), section]);
  const parts = [...by];
  if (parts.length <= 1) return parts[0]?.[0] ?? '—';
  return parts.map(([text, sections]) => `${text} (${[...new Set(sections)].join(', ')})`).join('; ');
}

const RUSH_ABOUT =
  'tools/bench/rush.ts: one campaign of the generated plan with only the weekly table (1,000 departments, 20 shards), started in rehearsal at scale 1 shortly before Thursday 18:00; each part in its own process as in production — `temporal server start-dev`, `campaign worker`, `campaign portal` (its default deadlines and waiting line), the SMTP server taking the receipts — and the load generator (tools/bench/rush-load.ts) in the benchmark\'s process, on loopback. Every department opens its link first (the page, its CSRF token and the form\'s idempotency key; those who upload it also download and fill the template); then in the last minute before 18:00, 600 press "submit" one after another over 50 seconds and the other 400 all at once ten seconds before 18:00. A department whose answer is not its receipt presses again after the Retry-After its page gives (at most 3 presses, the same form, so the same key). Bounded: at most 600 requests in flight, 90 s each, the rush given up 4 minutes after it began. Checked after each round: the shards\' records against the receipt numbers shown, each department\'s page, the receipt emails. Second round: the same with 20 of the 400 uploading the filled XLSX template. Baseline in the same run: the same 1,000 submissions on the same schedule straight to Temporal with `CampaignClient.submit` (no HTTP, no portal, no waiting line).';

export function writeReport(results: Results, file: string): void {
  const { runs, earlier, machine: mach, versions: v } = results;
  const section = (title: string, about: string, body: string, run: Run<unknown> | undefined) => [title, '', about, '', body, runLine(run, mach), ''];
  const result = <T>(name: RunName) => runs[name]?.result as T | undefined;
  const sections: Array<[Run<unknown> | undefined, string]> = [
    ...(['ledgerSqlite', 'ledgerPostgres', 'burstSqlite', 'burstPostgres', 'burstCold', 'rehearsalSqlite', 'rehearsalPostgres', 'rehearsalSnapshots', 'rehearsalTuned'] as const).map(
      (k) => [runs[k], 'sections 1–4'] as [Run<unknown> | undefined, string],
    ),
    [runs.compile, 'section 5'],
    [runs.rush, 'section 6'],
    [earlier.rehearsal, 'section 7'],
    [earlier.burst, 'section 7'],
  ];
  const rush = result<RushResult>('rush');
  const compile = result<CompileResult>('compile');
  const missed = [...databaseLimits(runs), ...(rush && rush.rounds.some((x) => x.errors > 0 || x.recorded.exactlyOnce !== x.departments) ? ['- **The rush.** See "What limits the rush" in section 6.'] : [])];
  const md = [
    '# Benchmarks',
    '',
    `Generated by \`npm run bench\` (tools/bench/run.ts) on ${bySection(sections, (run) => run.startedAt.slice(0, 10))}${v.commit ? ` (the last run at commit ${v.commit})` : ''}; raw figures in [tools/bench/results.json](tools/bench/results.json).`,
    '',
    `Machine: ${bySection(sections, (run) => describeMachine(run.machine ?? mach))}. The machine is shared with other work at times: each run's load average and the other test runs seen on the machine are under its table. Node ${v.node}, Temporal TypeScript SDK ${v.temporalSdk.worker}, ${v.temporalCli}, test server ${v.testServer}${v.postgres ? `, ${v.postgres}` : ''}${v.betterSqlite3 ? `, better-sqlite3 ${v.betterSqlite3}` : ''}${v.pg ? `, pg ${v.pg}` : ''}.`,
    '',
    'Plan: tools/bench/generate-plan.ts — 1,000 departments (31 provincial groups, each with a leader), period 2024-01-25..2024-04-10, 4 one-off report deadlines + 8 weekly Thursday 18:00 statistics tables = 12,000 obligations.',
    '',
    ...databaseSections(runs, mach),
    ...section(
      '## 5. Validating and compiling the plan',
      'tools/bench/compile.ts: `loadPlanText` (YAML parse with positions, schema, references, compilation to the timeline) on the generated 1,000-department plan with the full ladder; one warm-up run, then the median.',
      compile ? compileTable(compile) : '_no result_',
      runs.compile,
    ),
    ...section(
      '## 6. The 17:59 rush through the portal (dev server, real processes)',
      RUSH_ABOUT,
      rush ? rushTable(rush) : '_no result_',
      runs.rush,
    ),
    ...(rush ? ['### What limits the rush', '', ...rushLimits(rush), ''] : []),
    '## 7. The earlier round, for comparison: the delivery ledger in files',
    '',
    'Before this round the delivery ledger was JSON and lock files under the data folder (fsync on), the rehearsal\'s worker ran in the benchmark\'s own process (its RSS included the client and the load), and the burst was one campaign\'s 1,000 reminders. Those benchmarks are not run any more; their figures stay here.',
    '',
    ...(earlier.rehearsal?.result ? ['National rehearsal (same plan, same ladder, same submissions):', '', earlierRehearsal(earlier.rehearsal.result as RehearsalResult), runLine(earlier.rehearsal, mach), ''] : []),
    ...(earlier.burst?.result ? ['Thursday burst of 1,000 reminders:', '', earlierBurst(earlier.burst.result as BurstResult, earlier.burstCold?.result as BurstResult | undefined), runLine(earlier.burst, mach), ''] : []),
    '## What limits the goals not met',
    '',
    ...(missed.length ? missed : ['Every goal is met.']),
    '',
  ].join('\n');
  writeFileSync(file, md);
}
