/**
 * The state of an obligation as the portal shows it (and the CSS class that colours it), and what
 * became of a submission as the department is told it.
 */
import type { CompiledPlan } from '../deadlines/timeline';
import type { ObligationView } from '../workflows/department-shard.messages';

export type DisplayState = 'submitted' | 'late' | 'excused' | 'pending' | 'overdue' | 'future' | 'channel';

export const STATE_LABELS: Record<DisplayState, string> = {
  submitted: '已报',
  late: '迟报',
  excused: '免报',
  pending: '待报',
  overdue: '逾期',
  future: '未开始',
  channel: '随时可报送',
};

export function opensOf(plan: CompiledPlan, o: Pick<ObligationView, 'deadline' | 'occurrence'>): string | undefined {
  return plan.deadlines.find((d) => d.id === o.deadline)?.occurrences.find((x) => x.key === o.occurrence)?.opens;
}

/** Whether the obligation is an "any time" (随时报送) channel: nothing is owed, so it is never late or overdue. */
export function isChannel(plan: CompiledPlan, o: Pick<ObligationView, 'deadline'>): boolean {
  return plan.deadlines.find((d) => d.id === o.deadline)?.kind === 'open';
}

export function displayState(plan: CompiledPlan, o: ObligationView, nowMs: number): DisplayState {
  if (isChannel(plan, o)) return o.versions.length ? 'submitted' : 'channel';
  if (o.status !== 'pending') return o.status;
  if (Date.parse(o.due) < nowMs) return 'overdue';
  const opens = opensOf(plan, o);
  if (opens && Date.parse(opens) > nowMs) return 'future';
  return 'pending';
}

export function occurrenceLabel(plan: CompiledPlan, occurrenceKey: string): string {
  for (const d of plan.deadlines) {
    const occ = d.occurrences.find((o) => o.key === occurrenceKey);
    if (occ) return d.occurrences.length > 1 || d.kind === 'recurring' ? `${d.title}（${occurrenceKey.split('@')[1] ?? occurrenceKey}）` : d.title;
  }
  return occurrenceKey;
}

/**
 * What became of a department's press of "submit", as its answer page says it (portal/routes/
 * department-answers.ts): recorded now; received before (the original receipt); not sent (nothing
 * recorded); or not known (Temporal did not answer — submitting again is safe).
 */
export type SubmissionOutcome = 'recorded' | 'already-received' | 'not-sent' | 'unknown';

export const SUBMISSION_OUTCOMES: Record<SubmissionOutcome, string> = {
  recorded: '报送成功',
  'already-received': '报送已收到',
  'not-sent': '报送没有发送',
  unknown: '暂时无法确认是否已收到',
};
