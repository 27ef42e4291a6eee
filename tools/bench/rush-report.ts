/**
 * The rush benchmark's figures as BENCHMARKS.md shows them (section 6): one table, a column per
 * round, each goal and whether it is met; and what limits the rush, worded from the same figures
 * (where the CPU went, how long the burst took to be answered, the baseline straight to Temporal).
 */
import type { Spread } from './figures';
import type { RushResult, RushRound } from './rush';
import { met, n, s, table } from './report-format';

const spread = (x: Spread | undefined) => (x && x.count ? `p50 ${n(x.p50Ms)} ms, p95 ${n(x.p95Ms)} ms, p99 ${n(x.p99Ms)} ms, max ${n(x.maxMs)} ms` : '—');

const limits = (x: RushResult) => {
  const l = x.settings.portalLimits;
  return `${l.concurrent} calls at once, ${l.perWorkflow} per workflow, ${n(l.waiting)} waiting at most ${s(l.maxWaitMs)}`;
};

function answers(r: RushRound): string {
  const words: Record<string, string> = { '200 recorded': 'receipt', '200 already-received': '“already received” receipt', '503 not-sent': 'not sent (503)', '503 unknown': 'not known (503)', '503 page-unavailable': 'page unavailable (503)' };
  return Object.entries(r.firstAnswers)
    .sort(([, a], [, b]) => b - a)
    .map(([k, v]) => `${n(v)} ${words[k] ?? k}`)
    .join(', ');
}

/** CPU seconds the machine spent on other work than the benchmark's processes during the rush. */
function others(r: RushRound): number | undefined {
  if (r.cpu.machineBusy === undefined) return undefined;
  const ours = Object.values(r.cpu.byProcess).reduce((a, b) => a + b, 0);
  return Math.max(0, r.cpu.machineBusy * r.cpu.cores * r.cpu.seconds - ours);
}

function cpu(r: RushRound): string {
  const p = r.cpu.byProcess;
  const parts = (['temporal', 'worker', 'portal', 'smtp', 'generator'] as const).filter((k) => p[k] !== undefined).map((k) => `${k === 'temporal' ? 'Temporal server' : k === 'smtp' ? 'SMTP server' : k === 'generator' ? 'load generator' : k} ${p[k]!.toFixed(1)} s`);
  const rest = others(r);
  return `${parts.join(', ')}${rest !== undefined ? `, other work on the machine ${rest.toFixed(1)} s` : ''} over ${r.cpu.seconds.toFixed(0)} s; machine ${r.cpu.machineBusy !== undefined ? `${Math.round(r.cpu.machineBusy * 100)} %` : '?'} busy (of ${r.cpu.cores} cores)`;
}

export function rushTable(x: RushResult): string {
  const [a, b] = x.rounds as [RushRound, RushRound | undefined];
  const both = (f: (r: RushRound) => string) => [f(a), b ? f(b) : '—'];
  const all = (f: (r: RushRound) => boolean) => x.rounds.every(f);
  const rows: string[][] = [
    ['First press answered with the receipt', ...both((r) => `${n(r.departments - r.errors)} of ${n(r.departments)}`), 'all (0 errors)', met(all((r) => r.errors === 0))],
    ['First presses, by answer', ...both(answers), '', ''],
    ['Time per press (send → answer read), every first press', ...both((r) => spread(r.latency.all)), '', ''],
    [`… the ${n(a.departments - x.settings.burst)} pressing one after another over 50 s`, ...both((r) => spread(r.latency.spread)), '', ''],
    [`… the ${n(x.settings.burst)} pressing at once at 17:59:50`, ...both((r) => spread(r.latency.burst)), '', ''],
    ['… the 20 uploading the XLSX template (in the burst)', ...both((r) => (r.latency.xlsx ? spread(r.latency.xlsx) : '—')), '', ''],
    ['Requests in flight at once (at most)', ...both((r) => n(r.maxInFlight)), '', ''],
    ['Departments that saw their receipt (pressing again after Retry-After, at most 3 presses)', ...both((r) => `${n(r.receipts.departments)} of ${n(r.departments)} (${n(r.presses)} presses)`), 'all', met(all((r) => r.receipts.departments === r.departments))],
    [
      'Recorded exactly once, under the receipt number the department was shown',
      ...both((r) => `${n(r.recorded.exactlyOnce)} of ${n(r.departments)}${r.recorded.several.length ? `; several versions: ${r.recorded.several.join(', ')}` : ''}${r.recorded.none.length ? `; none: ${r.recorded.none.join(', ')}` : ''}${r.recorded.notTheReceiptShown.length ? `; another number than shown: ${r.recorded.notTheReceiptShown.join(', ')}` : ''}`),
      'all',
      met(all((r) => r.recorded.exactlyOnce === r.departments && r.recorded.notTheReceiptShown.length === 0)),
    ],
    ['Recorded late, though pressed before 18:00 (the shard applied it after 18:00)', ...both((r) => n(r.recorded.late)), '', ''],
    ['Last answer against 18:00', ...both((r) => (r.lastAnswerVsDueMs <= 0 ? `${s(-r.lastAnswerVsDueMs)} before` : `${s(r.lastAnswerVsDueMs)} after`)), '', ''],
    ['Pages showing the table reported, asked for afterwards', ...both((r) => `${n(r.pagesShowingReported)} of ${n(r.departments)}`), 'all', met(all((r) => r.pagesShowingReported === r.departments))],
    ['Receipt emails received', ...both((r) => `${n(r.receiptEmails.received)} (the last ${r.receiptEmails.lastAfterDueMs <= 0 ? `${s(-r.receiptEmails.lastAfterDueMs)} before` : `${s(r.receiptEmails.lastAfterDueMs)} after`} 18:00)`), '', ''],
    ['Pages opened beforehand (every department, 32 at a time)', ...both((r) => `${spread(r.open.pages)}${r.open.failures.length ? `; ${r.open.failures.length} failed` : ''}`), '', ''],
    ['CPU used during the rush', ...both(cpu), '', ''],
    ['Portal errors logged', ...both((r) => (r.portalErrorLines.length ? r.portalErrorLines.join(' / ') : 'none')), '', ''],
    [
      'Baseline, same run: the same 1,000 submissions on the same schedule straight to Temporal (CampaignClient.submit, no portal, no waiting line)',
      `${spread(x.baseline.latency)}; ${n(x.baseline.errors)} errors${x.baseline.errorExamples.length ? ` (e.g. ${x.baseline.errorExamples[0]})` : ''}; recorded exactly once ${n(x.baseline.exactlyOnce)} of ${n(a.departments)}`,
      '',
      '',
      '',
    ],
    ['Settings', `${n(a.departments)} departments in ${x.shards} shards; the portal's waiting line: ${limits(x)}; deadlines: queries ${s(x.settings.portalDeadlines.queryMs)}, submit ${s(x.settings.portalDeadlines.submitMs)} (a submission's page read with the submit's); department views cached ${x.settings.viewCacheMs} ms; worker ${x.settings.workerMaxConcurrentActivities} concurrent activities`, '', '', ''],
  ];
  const head = ['Figure', `${n(a.departments)} web forms`, b ? `${n(b.departments - b.xlsx)} web forms + ${b.xlsx} XLSX uploads` : '—', 'Goal', ''];
  return table(head, rows);
}

/** What limits the rush, from the figures. */
export function rushLimits(x: RushResult): string[] {
  const out: string[] = [];
  for (const r of x.rounds) {
    const p = r.cpu.byProcess;
    const busiest = Object.entries(p).sort(([, a], [, b]) => b - a);
    const share = (k: string) => (p[k] !== undefined ? `${Math.round((p[k]! / r.cpu.seconds) * 100)} %` : '?');
    out.push(
      `- **${r.xlsx ? `With ${r.xlsx} XLSX uploads` : 'Web forms'}.** The 600 spread presses are answered in ${n(r.latency.spread.p50Ms)} ms (p50); the 400 at once wait: p50 ${s(r.latency.burst.p50Ms)}, max ${s(r.latency.burst.maxMs)}. ` +
        `Over the ${r.cpu.seconds.toFixed(0)} s of the rush the machine was ${r.cpu.machineBusy !== undefined ? `${Math.round(r.cpu.machineBusy * 100)} %` : '?'} busy; of one core the Temporal server used ${share('temporal')}, the worker ${share('worker')}, the portal ${share('portal')}, the load generator ${share('generator')} (busiest: ${busiest[0]?.[0] ?? '?'})${(others(r) ?? 0) > r.cpu.seconds * 0.1 ? `, and other work on the shared machine ${(others(r)! / r.cpu.seconds).toFixed(2)} of a core` : ''}.` +
        (r.errors ? ` ${n(r.errors)} first presses were not answered with a receipt (${r.errorExamples.slice(0, 2).join('; ')}).` : ''),
    );
  }
  out.push(
    `- **Where the burst waits.** A shard applies its submissions one workflow task at a time, between the receipts' deliveries it also schedules; the 400 at once are 20 per shard, each needing its page read and its update. The portal sends at most ${x.settings.portalLimits.perWorkflow} calls at once to one shard and holds the rest in its line, below Temporal's limit of 10 updates in flight per workflow. ` +
      `Straight to Temporal without that line (the baseline) the same schedule is answered ${spread(x.baseline.latency)}${x.baseline.errors ? `, and ${n(x.baseline.errors)} submissions fail (${x.baseline.errorExamples[0]?.replace(/^[^:]+: /, '') ?? ''}, after the SDK's own retries)` : ''}.`,
  );
  const late = Math.max(...x.rounds.map((r) => r.recorded.late));
  if (late > 0) {
    out.push(
      `- **Late by the shard's clock.** A submission is on time or late by the moment its shard applies it, not the moment the department pressed "submit": ${x.rounds.map((r) => n(r.recorded.late)).join(' and ')} of the departments pressing at 17:59:50 were applied after 18:00 and recorded late. Judging lateness by when the portal received the press would need the workflow to take that instant from the portal (workflows/, obligations/: a versioned change).`,
    );
  }
  return out;
}
