/**
 * How BENCHMARKS.md writes its figures (report.ts, report-database.ts, rush-report.ts share them):
 * seconds, MiB and KiB, thousands with commas, a goal met or missed, a Markdown table, and the line
 * under a table that says when and how a run ran.
 */
import type { Machine, Run } from './results';

export const n = (x: number) => x.toLocaleString('en-US');
export const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
export const mib = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MiB`;
export const kib = (b: number) => `${(b / 1024).toFixed(0)} KiB`;
export const met = (ok: boolean) => (ok ? '✅ met' : '❌ missed');

export function table(head: string[], rows: string[][]): string {
  const esc = (x: string) => x.replace(/\|/g, '\\|');
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

/** The line under a section's table: when, how long, how busy the machine was. */
export function runLine(run: Run<unknown> | undefined, fallback: Machine): string {
  if (!run) return '';
  if (run.error) return `\n**This run failed:**\n\n\`\`\`\n${run.error}\n\`\`\`\n`;
  const m = run.machine ?? fallback;
  const tests = run.otherTestRuns ? `; other test runs on the machine at its start / end: ${run.otherTestRuns[0]} / ${run.otherTestRuns[1]} processes` : '';
  const shared = run.load[0] > m.cores || (run.otherTestRuns && run.otherTestRuns[0] + run.otherTestRuns[1] > 0) ? ' — the machine was shared with other work during this run' : '';
  return `\n_Run ${run.startedAt.slice(0, 16).replace('T', ' ')} UTC, ${s(run.wallMs)}; load average (1 min) at its start / end: ${run.load[0]} / ${run.load[1]} on ${m.cores} cores${tests}${shared}._\n`;
}

