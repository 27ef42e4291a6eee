/**
 * Who submits what, when, in a rehearsed national campaign (tools/bench/national-rehearsal.ts and
 * the scale test): for every occurrence the departments shuffled with a seeded generator and split
 * into on time, late and never, each submission at a fixed instant relative to the due time. Also
 * each obligation's final state, which the final summary must show.
 */
import type { CompiledPlan } from '../../deadlines/timeline';
import type { SubmissionInput } from '../../obligations/obligations';
import { statsValues } from './generate-plan';

export const HOUR = 3_600_000;

export type Outcome = 'submitted' | 'late' | 'pending';

export interface Schedule {
  /** Submission instants (campaign time), in order, each with the submissions made then. */
  points: Array<{ atMs: number; submissions: SubmissionInput[] }>;
  /** Final status of every obligation, by `occurrence|department`. */
  expected: Map<string, Outcome>;
  /** Campaign instant of each obligation's submission, by `occurrence|department` (absent: never). */
  submittedAt: Map<string, number>;
  totals: { obligations: number; onTime: number; late: number; excused: number; missing: number };
  submissions: number;
}

/** Deterministic pseudo-random numbers (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * For every occurrence, departments shuffled (seeded) and split: `onTime` of them submit on time
 * (half early, 30 hours before due — before the 1-day reminder — and half 4 hours before due, after
 * it), `late` of them 26 hours after due (after the at-due escalation and, on working days, the
 * coordinator's digest; at the latest an hour before the period ends), the rest never.
 */
export function submissionSchedule(plan: CompiledPlan, opts: { onTime?: number; late?: number; seed?: number } = {}): Schedule {
  const onTimeShare = opts.onTime ?? 0.8;
  const lateShare = opts.late ?? 0.15;
  const random = prng(opts.seed ?? 2024);
  const periodEnd = Date.parse(plan.campaign.periodEnd);
  const deptIndex = new Map(plan.departments.map((d, i) => [d.id, i]));
  const byTime = new Map<number, SubmissionInput[]>();
  const expected = new Map<string, Outcome>();
  const submittedAt = new Map<string, number>();
  const totals = { obligations: 0, onTime: 0, late: 0, excused: 0, missing: 0 };
  const add = (atMs: number, input: SubmissionInput) => {
    const list = byTime.get(atMs) ?? [];
    list.push(input);
    byTime.set(atMs, list);
  };
  for (const d of plan.deadlines) {
    if (d.kind === 'open') continue;
    d.occurrences.forEach((occ, k) => {
      const due = Date.parse(occ.due);
      const opens = Date.parse(occ.opens);
      const depts = [...d.departments];
      for (let i = depts.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [depts[i], depts[j]] = [depts[j]!, depts[i]!];
      }
      const nOnTime = Math.round(depts.length * onTimeShare);
      const nLate = Math.round(depts.length * lateShare);
      const late = Math.min(due + 26 * HOUR, periodEnd - HOUR);
      const afterReminder = due - 4 * HOUR;
      const early = Math.min(Math.max(opens + HOUR, due - 30 * HOUR), afterReminder);
      if (afterReminder <= opens || late <= due) throw new Error(`occurrence ${occ.key}: no room for the submission instants`);
      depts.forEach((dept, i) => {
        const key = `${occ.key}|${dept}`;
        totals.obligations++;
        const outcome: Outcome = i < nOnTime ? 'submitted' : i < nOnTime + nLate ? 'late' : 'pending';
        expected.set(key, outcome);
        if (outcome === 'pending') {
          totals.missing++;
          return;
        }
        if (outcome === 'late') totals.late++;
        else totals.onTime++;
        const at = outcome === 'late' ? late : i < nOnTime / 2 ? early : afterReminder;
        submittedAt.set(key, at);
        const input: SubmissionInput = { submissionId: `${dept}-${occ.key}`, department: dept, deadline: d.id, occurrence: occ.key, by: `${dept} 联络员` };
        if (d.submit.form) input.values = statsValues(deptIndex.get(dept) ?? 0, k);
        if (d.submit.report) input.report = `${dept}：${d.title}（${occ.key}）已按要求开展，详见附件。`;
        add(at, input);
      });
    });
  }
  const points = [...byTime].sort((a, b) => a[0] - b[0]).map(([atMs, submissions]) => ({ atMs, submissions }));
  return { points, expected, submittedAt, totals, submissions: totals.onTime + totals.late };
}
