/**
 * This round's sections of BENCHMARKS.md (report.ts assembles the file): the stores on a database,
 * each benchmark on SQLite and on PostgreSQL in the same run — the Thursday burst of 10,000
 * reminders against raw nodemailer, the national rehearsal against its wall-time and worker-memory
 * goals, where the worker's memory goes, and the delivery ledger alone — and what limits each goal
 * missed, worded from the figures. The one-off memory experiments are hand-written in
 * memory-notes.md and included as they are.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HeapSummary } from './heap-summary';
import type { LedgerResult } from './ledger';
import type { MemoryBreakdown } from './memory';
import type { RehearsalResult } from './national-rehearsal';
import type { BurstResult } from './thursday-burst';
import { kib, met, mib, n, runLine, s, table } from './report-format';
import type { Machine, Run, RunName } from './results';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** This round's goals (issue J). */
export const GOALS = {
  burstRatio: 1.2,
  rehearsalWallMs: 120_000,
  workerRssBytes: 512 * 1024 * 1024,
  historyEvents: 10_240,
  pending: 500,
  actionsRatio: 1.5,
};

type Runs = Partial<Record<RunName, Run<unknown>>>;
type Rehearsal = RehearsalResult & { sdkWarnings?: Record<string, number>; heapSummaries?: Array<HeapSummary & { thread: string }> };

const both = <T>(a: T | undefined, b: T | undefined, f: (x: T) => string) => [a ? f(a) : '—', b ? f(b) : '—'];
/** "✅ met" / "❌ missed" for both backends, or which one missed. */
function verdict<T>(a: T | undefined, b: T | undefined, ok: (x: T) => boolean): string {
  const got = [a, b].filter((x): x is T => x !== undefined);
  if (got.length === 0) return '';
  if (got.every(ok)) return met(true);
  if (!got.some(ok)) return got.length === 2 ? '❌ missed (both)' : met(false);
  return a && ok(a) ? '❌ missed on PostgreSQL' : '❌ missed on SQLite';
}

type Cpu = NonNullable<RehearsalResult['cpu']>;
/** "worker 40.1 s, temporal 30.2 s, …; the machine 93 % busy (2 cores)". */
const cpuText = (c: Cpu) =>
  `${Object.entries(c.byProcess)
    .sort(([, x], [, y]) => y - x)
    .map(([k, v]) => `${k} ${v.toFixed(1)} s`)
    .join(', ')} over ${c.seconds.toFixed(0)} s${c.machineBusy !== undefined ? `; the machine ${Math.round(c.machineBusy * 100)} % busy (${c.cores} cores)` : ''}`;

const threadsHeap = (b: MemoryBreakdown) => b.threads.reduce((sum, t) => sum + t.heapPhysical, 0);
const threadsUsed = (b: MemoryBreakdown) => b.threads.reduce((sum, t) => sum + t.heapUsed, 0);
const parts = (b: MemoryBreakdown | undefined) =>
  b
    ? `${mib(b.rss)} = main thread's V8 heap ${mib(b.main.heapPhysical)} (${mib(b.main.heapUsed)} in use) + workflow thread's V8 heap ${mib(threadsHeap(b))} (${mib(threadsUsed(b))} in use) + native ${mib(b.native)} + code and files ${mib(b.fileBacked)}`
    : '—';

function burstTable(a: BurstResult | undefined, b: BurstResult | undefined, cold: BurstResult | undefined, la: LedgerResult | undefined, lb: LedgerResult | undefined): string {
  const x = a ?? b;
  const count = x ? (x.campaigns ?? 1) * x.departments : 0;
  const ledgerShare = (l: LedgerResult | undefined) => (l ? `${s((count / l.runs[0]!.perSecond) * 1000)} of ledger work alone (section 4)` : '');
  const rows = [
    ['Due instant → last reminder received', ...both(a, b, (r) => `${s(r.engine.lastMs)} (first after ${s(r.engine.firstMs)})`), '', ''],
    ['Lateness per reminder (received − its campaign\'s instant)', ...both(a, b, (r) => `p50 ${s(r.engine.p50Ms)}, p99 ${s(r.engine.p99Ms)}, max ${s(r.engine.maxMs)}`), '', ''],
    [`Baseline, same run: raw pooled nodemailer, the same ${n(count)} messages handed over at once, same server and pool (median of 3 sends)`, ...both(a, b, (r) => `${s(r.raw.lastMs)} (${r.raw.runsMs.map(s).join(', ')})`), '', ''],
    ['Engine ÷ raw', ...both(a, b, (r) => `${r.ratio.toFixed(2)}×`), `≤ ${GOALS.burstRatio}×`, verdict(a, b, (r) => r.ratio <= GOALS.burstRatio)],
    [`Engine ÷ raw in each of the rounds (median reported above)`, ...both(a, b, (r) => r.rounds.map((q) => `${q.ratio.toFixed(2)}× (${s(q.engine.lastMs)} / ${s(q.raw.lastMs)})`).join(', ')), '', ''],
    ['CPU from the instant to the last reminder (the worker is the benchmark\'s process)', ...both(a, b, (r) => (r.cpu ? cpuText(r.cpu) : '—')), '', ''],
    ['Worker\'s peak RSS in the round', ...both(a, b, (r) => (r.peakRssBytes ? mib(r.peakRssBytes) : '—')), '', ''],
    ['The ledger\'s own work for as many messages, measured alone', ledgerShare(la) || '—', ledgerShare(lb) || '—', '', ''],
    ['Reminders the worker found prepared ahead', ...both(a, b, (r) => `${n(r.prepared.hits)} of ${n(r.prepared.hits + r.prepared.misses)} (MAIL_PREPARE_AHEAD_MB ${r.settings.prepareAheadMb ?? 16})`), '', ''],
    ['For comparison: raw nodemailer sending the same messages built beforehand', ...both(a, b, (r) => s(r.rawPrebuilt.lastMs)), '', ''],
    ['Launch notices at start (one per department, same path)', ...both(a, b, (r) => `${n(r.launch.messages)} in ${s(r.launch.drainedMs)}${r.launch.drainedBeforeInstant ? ', drained before the instant' : ' — NOT drained before the instant: the burst figures include them'}`), '', ''],
    ['The campaigns\' instants on the wall clock (each started on its own)', ...both(a, b, (r) => `within ${n(r.instantSpreadMs ?? 0)} ms`), '', ''],
    ...(cold ? [['Diagnostic: a worker that prepares nothing ahead (SQLite, 1 round)', `${s(cold.engine.lastMs)} vs raw ${s(cold.raw.lastMs)}: ${cold.ratio.toFixed(2)}×`, '', '', '']] : []),
    ['Durability', ...both(a, b, (r) => r.settings.durability ?? ''), '', ''],
    ['Settings', ...both(a, b, (r) => `${r.campaigns ?? 1} campaigns × ${n(r.departments)} departments in ${n(r.shards)} shards, one worker, ${r.settings.workerMaxConcurrentActivities} concurrent activities, SMTP pool ${r.settings.smtpPoolMaxConnections} connections`), '', ''],
  ];
  return table(['Figure', 'SQLite', 'PostgreSQL', 'Goal', ''], rows);
}

function rehearsalTable(a: Rehearsal | undefined, b: Rehearsal | undefined): string {
  const maxPending = (r: Rehearsal) => Math.max(r.pending.activities, r.pending.children, r.pending.sampledActivities, r.pending.sampledChildren);
  const rows = [
    ['Wall time, launch → final summary', ...both(a, b, (r) => `${s(r.wallMs)} (submitting ${s(r.submitMs)}, last submission → final summary ${s(r.finalMs)})`), `≤ ${s(GOALS.rehearsalWallMs)}`, verdict(a, b, (r) => r.wallMs <= GOALS.rehearsalWallMs)],
    ['Worker peak RSS (its own process, the kernel\'s high-water mark)', ...both(a, b, (r) => `${mib(r.peakRssBytes)} (${mib(r.peakRssRunningBytes)} until the last submission, ${mib(r.peakRssSummaryBytes)} during the final summary)`), `≤ ${mib(GOALS.workerRssBytes)}`, verdict(a, b, (r) => r.peakRssBytes <= GOALS.workerRssBytes)],
    ['… at its largest sample', ...both(a, b, (r) => parts(r.memoryAtPeak)), '', ''],
    ['The benchmark\'s process (client, load, bookkeeping; not the worker)', ...both(a, b, (r) => mib(r.benchPeakRssBytes)), '', ''],
    ['Messages received by the SMTP server', ...both(a, b, (r) => `${n(r.messages.sent)} (expected ${n(r.messages.expected)})`), '= expected', verdict(a, b, (r) => r.messages.sent === r.messages.expected)],
    ['Obligations in their expected final state', ...both(a, b, (r) => (r.obligationMismatches.length === 0 ? `all ${n(r.obligations)}` : `${r.obligationMismatches.length}+ wrong, e.g. ${r.obligationMismatches[0]}`)), 'all', verdict(a, b, (r) => r.obligationMismatches.length === 0)],
    ['Largest history (any run of any workflow)', ...both(a, b, (r) => `${n(r.largestHistory.events)} events, ${kib(r.largestHistory.bytes)}`), `≤ ${n(GOALS.historyEvents)} events`, verdict(a, b, (r) => r.largestHistory.events <= GOALS.historyEvents)],
    ['Pending activities / children per workflow (peak)', ...both(a, b, (r) => `${r.pending.activities} / ${r.pending.children}`), `≤ ${GOALS.pending}`, verdict(a, b, (r) => maxPending(r) <= GOALS.pending)],
    ['Temporal actions per obligation vs the minimum', ...both(a, b, (r) => `${r.actions.perObligation.toFixed(2)} vs ${r.actions.minimumPerObligation.toFixed(2)}: ${r.actions.ratio.toFixed(2)}×`), `≤ ${GOALS.actionsRatio}× minimum`, verdict(a, b, (r) => r.actions.ratio <= GOALS.actionsRatio)],
    ['CPU, launch → final summary', ...both(a, b, (r) => (r.cpu ? cpuText(r.cpu) : '—')), '', ''],
    ['SDK warnings logged', ...both(a, b, (r) => `${n(r.sdkWarnings?.payloadOver512KiB ?? 0)} payloads over 512 KiB, ${n(r.sdkWarnings?.workflowTaskOver5s ?? 0)} workflow tasks over 5 s`), '', ''],
    ['Durability', ...both(a, b, (r) => r.database?.durability ?? ''), '', ''],
  ];
  return table(['Figure', 'SQLite', 'PostgreSQL', 'Goal', ''], rows);
}

function memoryTable(a: Rehearsal | undefined, b: Rehearsal | undefined, tuned: Rehearsal | undefined): string {
  const largest = (r: Rehearsal) => r.memoryLargest;
  const rows = [
    ['Peak RSS (VmHWM)', ...both(a, b, (r) => mib(r.peakRssBytes)), tuned ? mib(tuned.peakRssBytes) : '—'],
    ['Main thread\'s V8 heap, committed (largest sample) — activities, SDK, mailer', ...both(a, b, (r) => mib(largest(r)?.main ?? 0)), tuned ? mib(largest(tuned)?.main ?? 0) : '—'],
    ['Workflow thread\'s V8 heap, committed (largest sample) — the 21 cached workflows and their activations', ...both(a, b, (r) => mib(largest(r)?.threads ?? 0)), tuned ? mib(largest(tuned)?.threads ?? 0) : '—'],
    ['Native memory (largest sample) — Temporal core (Rust), SQLite, Node buffers, malloc\'s kept pages', ...both(a, b, (r) => mib(largest(r)?.native ?? 0)), tuned ? mib(largest(tuned)?.native ?? 0) : '—'],
    ['… of which glibc malloc\'s main heap (the main thread: SQLite, Node) / its per-thread arenas (the core\'s Rust threads, helper threads), largest samples', ...both(a, b, (r) => `${mib(largest(r)?.mallocMain ?? 0)} / ${mib(largest(r)?.mallocArenas ?? 0)}`), tuned ? `${mib(largest(tuned)?.mallocMain ?? 0)} / ${mib(largest(tuned)?.mallocArenas ?? 0)}` : '—'],
    ['Code and mapped files', ...both(a, b, (r) => mib(largest(r)?.fileBacked ?? 0)), tuned ? mib(largest(tuned)?.fileBacked ?? 0) : '—'],
    ['Wall time', ...both(a, b, (r) => s(r.wallMs)), tuned ? s(tuned.wallMs) : '—'],
  ];
  return table(['Worker process', 'SQLite', 'PostgreSQL', `SQLite, tuned (${tuned ? [...tuned.workerSettings.nodeOptions, ...Object.entries(tuned.workerSettings.env).map(([k, v]) => `${k}=${v}`)].join(' ') : '—'})`], rows);
}

function heapTable(snap: Rehearsal | undefined): string[] {
  const summaries = snap?.heapSummaries ?? [];
  if (summaries.length === 0) return [];
  const out: string[] = [];
  for (const h of summaries) {
    out.push(`Heap snapshot of the worker's ${h.thread === 'main' ? 'main thread' : 'workflow thread'} after the 30th of 33 submission points: ${mib(h.totalBytes)} reachable in ${n(h.nodes)} objects (a snapshot collects garbage first). Largest kinds: ${h.byKind.slice(0, 6).map((k) => `${k.kind} ${mib(k.bytes)}`).join(', ')}. Largest retainers: ${h.retainers.slice(0, 5).map((r) => `${r.kind.slice(0, 40)} ${mib(r.retained)}`).join(', ')}.`, '');
  }
  return out;
}

function ledgerTable(a: LedgerResult | undefined, b: LedgerResult | undefined): string {
  const at = (r: LedgerResult, inFlight: number, relaxed = false) => r.runs.find((x) => x.inFlight === inFlight && !!x.relaxed === relaxed);
  const rows = [
    ['100 messages in flight (the burst\'s 20 activities × 5)', ...both(a, b, (r) => { const x = at(r, 100); return x ? `${n(Math.round(x.perSecond))} messages/s (${n(x.messages)} in ${s(x.wallMs)})` : '—'; })],
    ['One message at a time', ...both(a, b, (r) => { const x = at(r, 1); return x ? `${n(Math.round(x.perSecond))} messages/s (${(x.wallMs / x.messages).toFixed(2)} ms each)` : '—'; })],
    ['Diagnostic: 100 in flight, commits acknowledged before they reach the disk (SQLite synchronous=NORMAL, PostgreSQL synchronous_commit=off; not the product\'s setting)', ...both(a, b, (r) => { const x = at(r, 100, true); return x ? `${n(Math.round(x.perSecond))} messages/s` : '—'; })],
    ['Durability', ...both(a, b, (r) => r.durability)],
  ];
  return table(['Delivery ledger alone', 'SQLite', 'PostgreSQL'], rows);
}

export function databaseSections(runs: Runs, mach: Machine): string[] {
  const r = <T>(k: RunName) => runs[k]?.result as T | undefined;
  const [burstA, burstB, cold] = [r<BurstResult>('burstSqlite'), r<BurstResult>('burstPostgres'), r<BurstResult>('burstCold')];
  const [rehA, rehB, snap, tuned] = [r<Rehearsal>('rehearsalSqlite'), r<Rehearsal>('rehearsalPostgres'), r<Rehearsal>('rehearsalSnapshots'), r<Rehearsal>('rehearsalTuned')];
  const [ledA, ledB] = [r<LedgerResult>('ledgerSqlite'), r<LedgerResult>('ledgerPostgres')];
  const lines = (...names: RunName[]) => names.filter((k) => runs[k]).map((k) => `${k}: ${runLine(runs[k], mach).trim()}`).join('\n\n');
  return [
    '## This round: the stores on a database, SQLite and PostgreSQL in the same run',
    '',
    'The delivery ledger, the plans and the blobs moved from files to a database (store/database: SQLite by default, PostgreSQL when `CAMPAIGN_DATABASE_URL` names one). Every benchmark of this round runs on both in one `npm run bench` (`npm run bench -- --only database` runs just these). SQLite: one file in WAL mode with synchronous=FULL, every commit flushed to disk. PostgreSQL: a throw-away server (tools/harness/postgres.ts) on this machine, started for the benchmarks with fsync, full-page writes and synchronous commit on (the tests run theirs with fsync off), a fresh database per benchmark, reached over loopback TCP.',
    '',
    '## 1. Thursday 18:00: 10,000 reminders at one instant (dev server, real SMTP)',
    '',
    'tools/bench/thursday-burst.ts: ten campaigns of the generated plan\'s 1,000 departments, each with only the weekly Thursday 18:00 table and one reminder 2 h before, started in rehearsal at scale 1 so that all ten reminder instants fall on the same wall-clock moment: 10,000 reminders due at once, ten times one national campaign\'s. (One campaign of 10,000 departments cannot be written: its plan would pass the 1 MiB plan size limit and its workflow input Temporal\'s 2 MB payload limit.) The campaigns are started about five minutes before that moment, so that their 10,000 launch notices are out first. One worker, in the benchmark\'s process, preparing messages ahead as in production (within MAIL_PREPARE_AHEAD_MB), `temporal server start-dev`, the SMTP server (test/support/smtp-sink.ts) in a child process that parses and stamps every message. Baseline, measured in the same run after each round: plain pooled nodemailer (tools/bench/raw-nodemailer.ts: the product\'s pool settings, nothing else) sending the same 10,000 composed messages, all handed over at once, to the same server, three times, the median counting. Three rounds of fresh campaigns per backend; the round with the median ratio is shown.',
    '',
    burstA || burstB ? burstTable(burstA, burstB, cold, ledA, ledB) : '_no result_',
    '',
    lines('burstSqlite', 'burstPostgres', 'burstCold'),
    '',
    '## 2. National rehearsal (time-skipping test server)',
    '',
    'tools/bench/national-rehearsal.ts: 1,000 departments × 12 deadlines, the full ladder (reminders 3d/1d/2h; at due the department with its leaders in copy; one working day late the coordinator; then every working day the department again); for every occurrence 80 % of the departments submit on time (half 30 h before due, half 4 h before), 15 % 26 h late, 5 % never, through `CampaignClient.submit`, 128 at a time. The worker runs in a process of its own as `campaign worker` does (tools/bench/worker-process.ts), so its memory is its own; the benchmark\'s process holds the client and the load; the SMTP server is a third process.',
    '',
    rehA || rehB ? rehearsalTable(rehA, rehB) : '_no result_',
    '',
    lines('rehearsalSqlite', 'rehearsalPostgres'),
    '',
    '## 3. Where the worker\'s memory goes (national rehearsal)',
    '',
    'Measured inside the worker process (tools/bench/memory.ts): the resident set from /proc/self/smaps split into mapped files, thread stacks and anonymous memory; the anonymous part into the V8 heap of the main thread (activities, the Temporal SDK\'s JavaScript side, the mailer), the V8 heap of the SDK\'s workflow thread (read through tools/bench/thread-heaps.mjs, preloaded into every thread) and the rest, native memory. Sampled every 200 ms (RSS) and every 30 s in full; the "largest" figures are each part\'s largest full sample.',
    '',
    rehA || rehB ? memoryTable(rehA, rehB, tuned) : '_no result_',
    '',
    ...heapTable(snap),
    lines('rehearsalSnapshots', 'rehearsalTuned'),
    '',
    readFileSync(path.join(HERE, 'memory-notes.md'), 'utf8').trim(),
    '',
    '## 4. The delivery ledger alone',
    '',
    'tools/bench/ledger.ts: `deliverOnce` (mail/delivery/ledger.ts: the claim upsert and the recipients\' rows written "sending" in one transaction, the send, the outcomes and the release in a second) for 10,000 messages of the burst\'s shape, with an SMTP stand-in that accepts every recipient at once, so that only the database is timed: 100 messages in flight, then 2,000 one at a time.',
    '',
    ledA || ledB ? ledgerTable(ledA, ledB) : '_no result_',
    '',
    lines('ledgerSqlite', 'ledgerPostgres'),
    '',
  ];
}

const relaxedRate = (l: LedgerResult | undefined) => l?.runs.find((x) => x.relaxed)?.perSecond;

/** The goals of this round that were missed, each with what limits it. */
export function databaseLimits(runs: Runs): string[] {
  const r = <T>(k: RunName) => runs[k]?.result as T | undefined;
  const out: string[] = [];
  const ledgers = { sqlite: r<LedgerResult>('ledgerSqlite'), postgres: r<LedgerResult>('ledgerPostgres') };
  for (const [name, key] of [['SQLite', 'burstSqlite'], ['PostgreSQL', 'burstPostgres']] as const) {
    const b = r<BurstResult>(key);
    if (!b || b.ratio <= GOALS.burstRatio) continue;
    const count = (b.campaigns ?? 1) * b.departments;
    const ledger = ledgers[b.settings.database ?? 'sqlite'];
    const alone = ledger ? (count / ledger.runs[0]!.perSecond) * 1000 : undefined;
    out.push(
      `- **Thursday burst on ${name}: ${b.ratio.toFixed(2)}× raw nodemailer (goal ≤ ${GOALS.burstRatio}×).** The worker took ${s(b.engine.lastMs)} from the instant to the last of ${n(count)} reminders, raw nodemailer ${s(b.raw.lastMs)}.` +
        (alone !== undefined ? ` The delivery ledger alone needs ${s(alone)} for as many messages on ${name} (section 4): two transactions per message, each commit flushed to disk${relaxedRate(ledger) ? ` (with commits not flushed it takes ${s((count / relaxedRate(ledger)!) * 1000)}${relaxedRate(ledger)! > 2 * ledger!.runs[0]!.perSecond ? ': the flushes are most of it' : ''})` : ''}.` : '') +
        (b.cpu ? ` CPU in that time: ${cpuText(b.cpu)}.` : '') +
        ` ${n(b.prepared.hits)} of ${n(count)} reminders were found prepared ahead: MAIL_PREPARE_AHEAD_MB (${b.settings.prepareAheadMb ?? 16} MiB) holds about 1,800, the rest are composed and built when due.`,
    );
  }
  const tuned = r<Rehearsal>('rehearsalTuned');
  for (const [name, key] of [['SQLite', 'rehearsalSqlite'], ['PostgreSQL', 'rehearsalPostgres']] as const) {
    const x = r<Rehearsal>(key);
    if (!x) continue;
    if (x.wallMs > GOALS.rehearsalWallMs) {
      out.push(
        `- **Rehearsal wall time on ${name}: ${s(x.wallMs)} (goal ≤ ${s(GOALS.rehearsalWallMs)}).** ${s(x.submitMs)} of it submitting the ${n(x.submissions)} submissions (time stands still meanwhile)${x.skipMs !== undefined ? `, ${s(x.skipMs)} waiting for the server to skip from one submission point to the next` : ''}: the time-skipping server firing ${n(x.actions.breakdown.timers)} timers and the worker running ${n(x.actions.breakdown.activities)} activities that send ${n(x.messages.sent)} messages, each through the ledger.` +
          (x.cpu ? ` CPU in that time: ${cpuText(x.cpu)}.` : '') +
          (x.cpu?.machineBusy !== undefined && x.cpu.machineBusy > 0.85 ? ' The machine\'s two cores were nearly saturated: the run is CPU-bound, shared between the test server (a JVM), the worker and the SMTP server that parses every message.' : ''),
      );
    }
    if (x.peakRssBytes > GOALS.workerRssBytes) {
      const l = x.memoryLargest;
      out.push(
        `- **Worker memory on ${name}: ${mib(x.peakRssBytes)} (goal ≤ ${mib(GOALS.workerRssBytes)}).**` +
          (l ? ` Its parts at their largest: main thread's V8 heap ${mib(l.main)}, workflow thread's ${mib(l.threads)}, native ${mib(l.native)}, code ${mib(l.fileBacked)}.` : '') +
          ' The V8 heaps commit two to three times what they hold, and glibc keeps what it frees (section 3).' +
          (tuned ? ` With node's \`${tuned.workerSettings.nodeOptions.join(' ')}\` and \`${Object.entries(tuned.workerSettings.env).map(([k, v]) => `${k}=${v}`).join(' ')}\` — settings of the worker's process that \`campaign worker\` does not set yet — the same rehearsal on SQLite peaked at ${mib(tuned.peakRssBytes)} (${met(tuned.peakRssBytes <= GOALS.workerRssBytes)}).` : ''),
      );
    }
  }
  return out;
}
