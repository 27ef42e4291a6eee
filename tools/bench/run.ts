/**
 * `npm run bench`: runs the four benchmarks, each in its own process (so that one's memory and
 * threads do not colour another's figures), then writes tools/bench/results.json (raw figures, with the
 * machine and versions) and BENCHMARKS.md (one table per benchmark: today's figures, each goal and
 * whether it is met, and what limits the ones that are not).
 *
 *   1. tools/bench/national-rehearsal.ts — 1,000 departments × 12 deadlines, full ladder, 80/15/5, on the
 *      time-skipping server, every submission through CampaignClient.submit.
 *   2. tools/bench/thursday-burst.ts — 1,000 reminders at the same Thursday 18:00 on the dev server vs raw
 *      pooled nodemailer; as in production (the delivery ledger on the embedded SQLite database,
 *      messages prepared ahead: judged), and a diagnostic: a worker that prepares nothing ahead.
 *   3. tools/bench/compile.ts — validating + compiling the 1,000-department plan.
 *   4. tools/bench/rush.ts — 1,000 departments submitting through the portal's HTTP interface in the last
 *      minute before 18:00 (400 at once), then the same with 20 uploading the XLSX template; baseline:
 *      the same submissions straight to Temporal.
 *
 *   npx tsx tools/bench/run.ts [--quick] [--only compile,burst,burstCold,rehearsal,rush]
 *
 * --quick skips the diagnostic runs; --only runs just the named ones and keeps the others'
 * figures from the last tools/bench/results.json; --report runs nothing and writes BENCHMARKS.md
 * again from it. Each run keeps the machine it ran on.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { optionalToolPath, projectRoot } from '../harness/tool-paths';
import type { CompileResult } from './compile';
import type { RehearsalResult } from './national-rehearsal';
import type { BurstResult } from './thursday-burst';
import type { RushResult } from './rush';
import { rushLimits, rushTable } from './rush-report';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const GIB = 1024 ** 3;

const GOALS = {
  rehearsalWallMs: 10 * 60_000,
  rehearsalRssBytes: GIB,
  historyEvents: 10_240,
  pending: 500,
  actionsRatio: 1.5,
  burstRatio: 1.5,
};

interface Run<T> {
  name: string;
  args: string[];
  startedAt: string;
  wallMs: number;
  /** 1-minute load average when the run started and when it ended (the machine may be shared). */
  load: [number, number];
  /** The machine it ran on (absent in runs kept from before it was recorded: the file's machine then). */
  machine?: Machine;
  result?: T;
  error?: string;
}

function runBench<T>(name: string, file: string, args: string[], log: (line: string) => void): Promise<Run<T>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  const out = path.join(dir, 'result.json');
  const t0 = performance.now();
  const loadBefore = Number(os.loadavg()[0]!.toFixed(2));
  const startedAt = new Date().toISOString();
  const ranOn = machine();
  log(`\n=== ${name}: tsx tools/bench/${file} ${args.join(' ')}`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(HERE, file), ...args, '--out', out], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
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
          if (!/^\s+at |^\s|SLF4J/.test(line)) log(`  ${line}`);
        }
      });
    };
    lines(child.stdout);
    lines(child.stderr);
    child.on('close', (code) => {
      const wallMs = performance.now() - t0;
      let result: T | undefined;
      try {
        result = { ...JSON.parse(readFileSync(out, 'utf8')), sdkWarnings: warnings } as T;
      } catch {
        // no result: the error is in the tail
      }
      rmSync(dir, { recursive: true, force: true });
      resolve({ name, args, startedAt, wallMs, load: [loadBefore, Number(os.loadavg()[0]!.toFixed(2))], machine: ranOn, result, error: code === 0 && result ? undefined : `exit ${code}: ${tail.slice(-15).join('\n')}` });
    });
  });
}

function versions() {
  const pkg = (name: string) => {
    try {
      return JSON.parse(readFileSync(path.join(projectRoot, 'node_modules', name, 'package.json'), 'utf8')).version as string;
    } catch {
      return 'unknown';
    }
  };
  let temporalCli = 'unknown';
  try {
    temporalCli = execFileSync(optionalToolPath('temporalCli') ?? '', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    // not bootstrapped
  }
  const testServer = optionalToolPath('testServer');
  return {
    node: process.version,
    temporalSdk: { client: pkg('@temporalio/client'), worker: pkg('@temporalio/worker'), workflow: pkg('@temporalio/workflow'), testing: pkg('@temporalio/testing') },
    temporalCli,
    testServer: testServer ? `${path.basename(path.dirname(testServer))}/${path.basename(testServer)}` : 'unknown',
  };
}

type Machine = ReturnType<typeof machine>;

function machine() {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryBytes: os.totalmem(),
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverageAtStart: os.loadavg().map((x) => Number(x.toFixed(2))),
  };
}

// --- BENCHMARKS.md ---------------------------------------------------------------------------

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mib = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MiB`;
const kib = (b: number) => `${(b / 1024).toFixed(0)} KiB`;
const met = (ok: boolean) => (ok ? '✅ met' : '❌ missed');
const n = (x: number) => x.toLocaleString('en-US');

function rehearsalTable(r: RehearsalResult & { sdkWarnings?: Record<string, number> }): string {
  const maxPending = Math.max(r.pending.activities, r.pending.children, r.pending.sampledActivities, r.pending.sampledChildren);
  const rows = [
    ['Wall time, launch → final summary', `${s(r.wallMs)} (submitting ${s(r.submitMs)}, last submission → final summary ${s(r.finalMs)})`, '< 10 min', met(r.wallMs < GOALS.rehearsalWallMs)],
    ['Worker peak RSS (this process: worker + client)', `${mib(r.peakRssBytes)} (${mib(r.peakRssRunningBytes)} until the last submission, ${mib(r.peakRssSummaryBytes)} during the final summary)`, '< 1 GiB', met(r.peakRssBytes < GOALS.rehearsalRssBytes)],
    ['Largest history (any run of any workflow)', `${n(r.largestHistory.events)} events, ${kib(r.largestHistory.bytes)} (${r.largestHistory.workflowId.split('/').pop()}); ${r.actions.breakdown.runs} runs, ${r.actions.breakdown.continueAsNew} continue-as-new`, '≤ 10,240 events', met(r.largestHistory.events <= GOALS.historyEvents)],
    ['Pending activities / children per workflow (peak)', `${r.pending.activities} / ${r.pending.children} from the histories; ${r.pending.sampledActivities} / ${r.pending.sampledChildren} sampled with describe()`, '≤ 500', met(maxPending <= GOALS.pending)],
    [
      'Temporal actions per obligation',
      `${r.actions.perObligation.toFixed(2)} (${n(r.actions.engine)}: ${n(r.actions.breakdown.timers)} timers, ${n(r.actions.breakdown.activities)} activities, ${n(r.actions.breakdown.updates)} updates, ${r.actions.breakdown.children} children, ${r.actions.breakdown.signals} signals) vs minimum ${r.actions.minimumPerObligation.toFixed(2)} (${n(r.actions.minimum)} = 2 × ${n(r.messages.sent)} messages + ${n(r.submissions)} submissions): ${r.actions.ratio.toFixed(2)}×`,
      '≤ 1.5× minimum',
      met(r.actions.ratio <= GOALS.actionsRatio),
    ],
    ['Messages received by the SMTP server', `${n(r.messages.sent)} (expected ${n(r.messages.expected)})`, '= expected', met(r.messages.sent === r.messages.expected)],
    ['Obligations in their expected final state', r.obligationMismatches.length === 0 ? `all ${n(r.obligations)}` : `${r.obligationMismatches.length}+ wrong, e.g. ${r.obligationMismatches[0]}`, 'all', met(r.obligationMismatches.length === 0)],
    ...(r.sdkWarnings ? [['SDK warnings logged by the worker', `${n(r.sdkWarnings.payloadOver512KiB ?? 0)} payloads over 512 KiB (TMPRL1103; the benchmark's own full obligations query after the run is one), ${n(r.sdkWarnings.workflowTaskOver5s ?? 0)} workflow tasks over 5 s (TMPRL1104)`, '', '']] : []),
    [
      'Largest single event / one shard\'s obligations query as the activities make it (with every delivery, as `campaign status` asks)',
      `${kib(r.largestEvent.bytes)} (${r.largestEvent.type}) / ${kib(r.largestShardQueryBytes)} (${r.fullShardQueryBytes ? kib(r.fullShardQueryBytes) : '—'})`,
      '(SDK warns above 512 KiB)',
      Math.max(r.largestEvent.bytes, r.largestShardQueryBytes) > 512 * 1024 ? '⚠️ above' : 'ok',
    ],
  ];
  return table(['Figure', 'Today', 'Goal', ''], rows);
}

function burstTable(b: BurstResult, cold?: BurstResult): string {
  const rows = [
    ['Due instant → last reminder received', `${s(b.engine.lastMs)} (first after ${s(b.engine.firstMs)})`, '', ''],
    ['Lateness per reminder (received − intended instant)', `p50 ${s(b.engine.p50Ms)}, p99 ${s(b.engine.p99Ms)}, max ${s(b.engine.maxMs)}`, '', ''],
    ['Raw pooled nodemailer, same 1,000 messages, same server and pool (median of 3 sends)', `${s(b.raw.lastMs)} (${b.raw.runsMs ? b.raw.runsMs.map(s).join(', ') : '—'})`, '', ''],
    ['Engine ÷ raw', `${b.ratio.toFixed(2)}×`, '≤ 1.5×', met(b.ratio <= GOALS.burstRatio)],
    ['Launch notices at start (1,000, same path)', `${s(b.launch.drainedMs)}${b.launch.drainedBeforeInstant ? ', drained before the reminder instant' : ' — NOT drained before the instant: the burst figures include them'}`, '', ''],
  ];
  if (b.rounds?.length > 1) rows.push([`Engine ÷ raw in each of the ${b.rounds.length} rounds (median reported above)`, b.rounds.map((r) => `${r.ratio.toFixed(2)}× (${s(r.engine.lastMs)} / ${s(r.raw.lastMs)})`).join(', '), '', '']);
  if (b.prepared) rows.push(['Reminders the worker found prepared ahead (built after the launch notices went out)', `${n(b.prepared.hits)} of ${n(b.prepared.hits + b.prepared.misses)}`, '', '']);
  if (b.rawPrebuilt) rows.push(['For comparison: raw nodemailer sending the same messages built beforehand (the floor for any sender that prepares ahead)', s(b.rawPrebuilt.lastMs), '', '']);
  if (cold) rows.push(['Diagnostic: a worker that prepares nothing ahead (every message built when due)', `${s(cold.engine.lastMs)} vs raw ${s(cold.raw.lastMs)}: ${cold.ratio.toFixed(2)}× (rounds ${cold.rounds.map((r) => `${r.ratio.toFixed(2)}×`).join(', ')})`, '', '']);
  rows.push(['Settings', `${b.departments} departments in ${b.shards} shards, SMTP pool ${b.settings.smtpPoolMaxConnections} connections, ${b.settings.workerMaxConcurrentActivities} concurrent activities, delivery ledger ${b.settings.database ? `on ${b.settings.database === 'postgres' ? 'PostgreSQL' : 'SQLite'}` : `in files (an earlier version; fsync ${b.settings.ledgerFsync ? 'on' : 'off'})`}, preparing ahead ${b.settings.prepareAhead === false ? 'off' : `on (MAIL_PREPARE_AHEAD_MB default)`}`, '', '']);
  return table(['Figure', 'Today', 'Goal', ''], rows);
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

function table(head: string[], rows: string[][]): string {
  const esc = (x: string) => x.replace(/\|/g, '\\|');
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

function limits(r: RehearsalResult | undefined, b: BurstResult | undefined, cold: BurstResult | undefined): string[] {
  const out: string[] = [];
  if (r && r.wallMs >= GOALS.rehearsalWallMs) {
    out.push(`- **Rehearsal wall time.** ${s(r.wallMs)}: ${s(r.submitMs)} submitting the ${n(r.submissions)} submissions, ${s(r.finalMs)} from the last submission to the final summary; the rest is the workflows' own work between submissions on 2 cores (every instant of 20 shards, each replaying nothing but running its loop).`);
  }
  if (r && r.peakRssBytes >= GOALS.rehearsalRssBytes) {
    const phase = r.peakRssSummaryBytes >= r.peakRssRunningBytes ? 'during the final summary (after the last submission), while the worker replays the closed shards to answer its queries' : 'while the campaign runs';
    const heap = r.peakMemory ? ` At that moment the main thread's JS heap (activities, client) held ${mib(r.peakMemory.heapUsed)} (+ ${mib(r.peakMemory.external)} external): the rest is outside the main isolate — the workflow thread's V8 heap (the 21 cached workflows, and the replays) and the core SDK's native memory.` : '';
    out.push(`- **Worker memory.** The peak RSS (${mib(r.peakRssBytes)}) comes ${phase}; until the last submission it stayed at ${mib(r.peakRssRunningBytes)}.${heap}`);
  }
  if (r && r.largestHistory.events > GOALS.historyEvents) out.push(`- **History.** ${r.largestHistory.workflowId} reached ${n(r.largestHistory.events)} events.`);
  if (r && r.actions.ratio > GOALS.actionsRatio) out.push(`- **Actions.** ${r.actions.ratio.toFixed(2)}× the minimum.`);
  if (b && b.ratio > GOALS.burstRatio) {
    let line = `- **Thursday burst.** The engine delivered the 1,000 reminders in ${s(b.engine.lastMs)} against ${s(b.raw.lastMs)} for raw nodemailer (${b.ratio.toFixed(2)}×), ${n(b.prepared?.hits ?? 0)} of them prepared ahead. On 2 cores the burst is CPU-bound: the SMTP server (in its own process) needs one core to take the messages, and the worker's main thread does, per message, the SMTP transaction, the delivery ledger's statements before and after it (the claim, the records written as sending, then as sent), and Temporal's own work.`;
    line += cold ? ` A worker that prepares nothing ahead took ${s(cold.engine.lastMs)} (${cold.ratio.toFixed(2)}× raw).` : '';
    line += ' Raw nodemailer\'s own time varies between sends (see the table), so the ratio moves with the load on the shared machine.';
    out.push(line);
  }
  if (r && r.largestShardQueryBytes > 512 * 1024) {
    out.push(`- **Payload size (not a goal, but a warning today).** One shard's answer to the \`obligations\` query, as the roll-ups and digests ask for it, is ${kib(r.largestShardQueryBytes)} for 50 departments × 12 occurrences, above the SDK's 512 KiB warning.`);
  }
  return out;
}

/** The goals missed, each with what limits it (the rush's are worded by rush-report.ts). */
function goalsMissed(r: RehearsalResult | undefined, b: BurstResult | undefined, cold: BurstResult | undefined, rush: RushResult | undefined): string[] {
  const out = limits(r, b, cold);
  if (rush && rush.rounds.some((x) => x.errors > 0 || x.recorded.exactlyOnce !== x.departments || x.receipts.departments !== x.departments)) {
    out.push('- **The rush.** See "What limits the rush" in section 4.');
  }
  return out;
}

const describeMachine = (m: Machine) => `${m.cores} cores (${m.cpuModel}), ${(m.memoryBytes / GIB).toFixed(1)} GiB, ${m.platform}`;

/** What `what` says of the runs shown, with the sections it holds for when it differs: "2026-11-21 (sections 1, 2, 3); 2026-12-07 (section 4)". */
function bySection(runs: Array<[Run<unknown> | undefined, number]>, what: (run: Run<unknown>) => string): string {
  const by = new Map<string, Set<number>>();
  for (const [run, section] of runs) if (run) by.set(what(run), (by.get(what(run)) ?? new Set()).add(section));
  const parts = [...by];
  if (parts.length <= 1) return parts[0]?.[0] ?? '—';
  return parts.map(([text, sections]) => `${text} (section${sections.size > 1 ? 's' : ''} ${[...sections].sort().join(', ')})`).join('; ');
}

type Name = 'compile' | 'burst' | 'burstCold' | 'rehearsal' | 'rush';

async function main() {
  const quick = process.argv.includes('--quick');
  const onlyArg = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
  const only = process.argv.includes('--report') ? new Set<Name>() : onlyArg ? new Set(onlyArg.split(',') as Name[]) : undefined;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const started = new Date();
  const t0 = performance.now();
  const mach = machine();
  const vers = versions();
  // --only a,b: run those again and keep the other runs of the last tools/bench/results.json (each
  // with the machine it ran on: the file's own for runs from before that was kept per run).
  const lastFile = only
    ? (() => {
        try {
          const last = JSON.parse(readFileSync(path.join(HERE, 'results.json'), 'utf8')) as { date?: string; totalWallMs?: number; machine?: Machine; runs: Partial<Record<Name, Run<never>>> };
          for (const run of Object.values(last.runs)) if (run && !run.machine) run.machine = last.machine;
          return last;
        } catch {
          return undefined;
        }
      })()
    : undefined;
  const previous: Partial<Record<Name, Run<never>>> = lastFile?.runs ?? {};
  const reportOnly = process.argv.includes('--report');
  const want = (name: Name, diagnostic = false) => (only ? only.has(name) : !(diagnostic && quick));
  const pick = async <T>(name: Name, diagnostic: boolean, go: () => Promise<Run<T>>): Promise<Run<T> | undefined> => (want(name, diagnostic) ? go() : (previous[name] as Run<T> | undefined));
  const compile = await pick<CompileResult>('compile', false, () => runBench('compile', 'compile.ts', ['--runs', '15'], log));
  const burst = await pick<BurstResult>('burst', false, () => runBench('thursday burst', 'thursday-burst.ts', [], log));
  const burstCold = await pick<BurstResult>('burstCold', true, () => runBench('thursday burst, nothing prepared ahead (diagnostic)', 'thursday-burst.ts', ['--prepare', 'false'], log));
  const rehearsal = await pick<RehearsalResult>('rehearsal', false, () => runBench('national rehearsal', 'national-rehearsal.ts', ['--ladder', 'full', '--concurrency', '128'], log));
  const rush = await pick<RushResult>('rush', false, () => runBench('rush', 'rush.ts', [], log));

  // --report keeps when and where the file's runs were made.
  const results = {
    date: reportOnly && lastFile?.date ? lastFile.date : started.toISOString(),
    totalWallMs: reportOnly && lastFile?.totalWallMs !== undefined ? lastFile.totalWallMs : performance.now() - t0,
    machine: reportOnly && lastFile?.machine ? lastFile.machine : mach,
    versions: vers,
    goals: GOALS,
    runs: { compile, burst, burstCold, rehearsal, rush },
  };
  writeFileSync(path.join(HERE, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);

  const failed = (run: Run<unknown> | undefined) =>
    run?.error ? `\n**This run failed:**\n\n\`\`\`\n${run.error}\n\`\`\`\n` : run ? `\n_Run ${run.startedAt.slice(0, 16).replace('T', ' ')} UTC, ${s(run.wallMs)}; load average (1 min) at its start / end: ${run.load[0]} / ${run.load[1]} on ${(run.machine ?? mach).cores} cores${run.load[0] > (run.machine ?? mach).cores ? ' — the machine was shared with other work during this run' : ''}._\n` : '';
  const sections: Array<[Run<unknown> | undefined, number]> = [[rehearsal, 1], [burst, 2], [burstCold, 2], [compile, 3], [rush, 4]];
  const md = [
    '# Benchmarks',
    '',
    `Generated by \`npm run bench\` (tools/bench/run.ts) on ${bySection(sections, (run) => run.startedAt.slice(0, 10))}; raw figures in [tools/bench/results.json](tools/bench/results.json).`,
    '',
    `Machine: ${bySection(sections, (run) => describeMachine(run.machine ?? mach))}. The machine is shared, so expect some noise: each run's load average is under its table. Node ${vers.node}, Temporal TypeScript SDK ${vers.temporalSdk.worker}, ${vers.temporalCli.split('\n')[0]}, test server ${vers.testServer}.`,
    '',
    'Plan: tools/bench/generate-plan.ts — 1,000 departments (31 provincial groups, each with a leader), period 2024-01-25..2024-04-10, 4 one-off report deadlines + 8 weekly Thursday 18:00 statistics tables = 12,000 obligations.',
    '',
    '## 1. National rehearsal (time-skipping test server)',
    '',
    'tools/bench/national-rehearsal.ts: the full ladder (reminders 3d/1d/2h; at due the department with its leaders in copy; one working day late the coordinator; then every working day the department again); for every occurrence 80 % of the departments submit on time (half 30 h before due, half 4 h before), 15 % 26 h late, 5 % never, through `CampaignClient.submit`, 128 at a time; the worker runs in the benchmark process, the SMTP server (test/support/smtp-sink.ts) in a child process; ledger with fsync as in production.',
    '',
    rehearsal?.result ? rehearsalTable(rehearsal.result as RehearsalResult & { sdkWarnings?: Record<string, number> }) : '_no result_',
    failed(rehearsal),
    '',
    '## 2. Thursday 18:00 burst (dev server, real SMTP)',
    '',
    'tools/bench/thursday-burst.ts: a plan whose only deadline is one weekly Thursday 18:00 table for 1,000 departments, one reminder 2 h before; started in rehearsal at scale 1 a minute before the reminder instant (the 1,000 launch notices go out first), so 1,000 reminders fall due at the same instant on `temporal server start-dev`; then raw pooled nodemailer (mail/transport `createMailer`, same settings) sends the same 1,000 composed messages, all handed over at once, to the same SMTP server (test/support/smtp-sink.ts, in a child process, which parses and stamps each message as it arrives), three times, the median counting. Three rounds, each with a fresh campaign; the round with the median engine ÷ raw ratio is shown.',
    '',
    'The worker runs as in production: each shard names its next batch when it sends one, and from 5 minutes before that batch is due the worker builds its messages (compose + MIME) in the background while no batch is being sent (mail/delivery/prepared-messages.ts), so at 18:00 only the SMTP transactions and the ledger remain. Here the launch batch names the reminders. Composing is a pure function of the content-addressed plan and the request, so a prepared message is used only for exactly the request it was built for; anything else is built when due, as the cold-worker diagnostic below measures.',
    '',
    burst?.result ? burstTable(burst.result, burstCold?.result) : '_no result_',
    failed(burst),
    '',
    '## 3. Validating and compiling the plan',
    '',
    'tools/bench/compile.ts: `loadPlanText` (YAML parse with positions, schema, references, compilation to the timeline) on the generated 1,000-department plan with the full ladder; one warm-up run, then the median.',
    '',
    compile?.result ? compileTable(compile.result) : '_no result_',
    failed(compile),
    '',
    '## 4. The 17:59 rush through the portal (dev server, real processes)',
    '',
    'tools/bench/rush.ts: one campaign of the generated plan with only the weekly table (1,000 departments, 20 shards), started in rehearsal at scale 1 shortly before Thursday 18:00; each part in its own process as in production — `temporal server start-dev`, `campaign worker`, `campaign portal` (its default deadlines and waiting line), the SMTP server taking the receipts — and the load generator (tools/bench/rush-load.ts) in the benchmark\'s process, on loopback. Every department opens its link first (the page, its CSRF token and the form\'s idempotency key; those who upload it also download and fill the template); then in the last minute before 18:00, 600 press "submit" one after another over 50 seconds and the other 400 all at once ten seconds before 18:00. A department whose answer is not its receipt presses again after the Retry-After its page gives (at most 3 presses, the same form, so the same key). Bounded: at most 600 requests in flight, 90 s each, the rush given up 4 minutes after it began. Checked after each round: the shards\' records against the receipt numbers shown, each department\'s page, the receipt emails. Second round: the same with 20 of the 400 uploading the filled XLSX template. Baseline in the same run: the same 1,000 submissions on the same schedule straight to Temporal with `CampaignClient.submit` (no HTTP, no portal, no waiting line).',
    '',
    rush?.result ? rushTable(rush.result) : '_no result_',
    failed(rush),
    '',
    ...(rush?.result ? ['### What limits the rush', '', ...rushLimits(rush.result), ''] : []),
    '## What limits the goals not met',
    '',
    ...(goalsMissed(rehearsal?.result, burst?.result, burstCold?.result, rush?.result).length ? goalsMissed(rehearsal?.result, burst?.result, burstCold?.result, rush?.result) : ['Every goal is met.']),
    '',
  ].join('\n');
  writeFileSync(path.join(projectRoot, 'BENCHMARKS.md'), md);
  log(`\nwrote tools/bench/results.json and BENCHMARKS.md in ${s(performance.now() - t0)}`);
  const anyFailed = [compile, burst, burstCold, rehearsal, rush].some((r) => r?.error);
  process.exit(anyFailed ? 1 : 0);
}

void main();
