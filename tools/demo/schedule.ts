/**
 * Who plays which part in the demo, and when each department submits, in campaign time.
 *
 * Deterministic, from the plan alone (so a resumed demo computes the same schedule): by department
 * order, the last department never submits, the one or two before it submit late (after the
 * escalation reached them and the coordinator's digest named them), one department submits its
 * statistics tables by uploading the portal's XLSX template, and everybody else submits on time
 * through the portal's web form, spread over the hours before each due time — after the early
 * reminders, before the last one, so the last reminder goes only to those who have not submitted.
 *
 * Pure: no I/O, no clock.
 */
import type { CompiledDeadline, CompiledOccurrence, CompiledPlan } from '../../deadlines/timeline';

export type Role = 'on-time' | 'xlsx' | 'late' | 'never';

export interface Roles {
  of: Map<string, Role>;
  onTime: string[];
  xlsx?: string;
  late: string[];
  never?: string;
  /** Departments that report once to each 'any time' deadline: deadline id -> department id. */
  anyTime: Array<{ deadline: string; department: string }>;
}

export interface Action {
  /** Stable id: `${occurrence}|${department}`. */
  id: string;
  /** Campaign instant (epoch ms) the department submits at. */
  atMs: number;
  department: string;
  deadline: string;
  occurrence: string;
  dueMs: number;
  /** Through the web form, or by uploading the filled XLSX template. */
  via: 'form' | 'xlsx';
  /** What the player intends; a resumed demo may find an on-time slot already past. */
  intent: 'on-time' | 'late';
  /** Attach a file (a .txt report or a .png photo). */
  attach?: 'txt' | 'png';
}

const HOUR = 3_600_000;

export function assignRoles(plan: CompiledPlan): Roles {
  const ids = plan.departments.map((d) => d.id);
  const n = ids.length;
  const of = new Map<string, Role>(ids.map((id) => [id, 'on-time' as Role]));
  let never: string | undefined;
  const late: string[] = [];
  if (n >= 3) {
    never = ids[n - 1];
    of.set(never!, 'never');
  }
  if (n >= 6) late.push(ids[n - 3]!, ids[n - 2]!);
  else if (n >= 2) late.push(ids[n >= 3 ? n - 2 : n - 1]!);
  for (const id of late) of.set(id, 'late');
  const hasForm = plan.deadlines.some((d) => d.kind !== 'open' && d.submit.form);
  let xlsx: string | undefined;
  if (hasForm) {
    xlsx = [ids[1], ids[0]].find((id) => id !== undefined && of.get(id) === 'on-time');
    if (xlsx) of.set(xlsx, 'xlsx');
  }
  const onTime = ids.filter((id) => of.get(id) === 'on-time');
  const reporters = [...onTime, ...(xlsx ? [xlsx] : [])];
  const anyTime = plan.deadlines
    .filter((d) => d.kind === 'open' && d.departments.length > 0)
    .map((d, i) => {
      const eligible = reporters.filter((r) => d.departments.includes(r));
      return { deadline: d.id, department: eligible.length ? eligible[i % eligible.length]! : d.departments[0]! };
    });
  return { of, onTime, xlsx, late, never, anyTime };
}

/**
 * On-time slot k of m: spread between 23 hours before due (after a "1d" reminder went to everyone;
 * at least 4 hours after the opening, so the launch email has arrived) and `marginMs` before due.
 */
function onTimeAt(occ: CompiledOccurrence, k: number, m: number, marginMs: number): number {
  const due = Date.parse(occ.due);
  const opens = Date.parse(occ.opens);
  let start = Math.max(opens + 4 * HOUR, due - 23 * HOUR);
  // The margin takes at most half of a short window (the first deadline, hours after the launch).
  let end = due - Math.max(6 * HOUR, Math.min(marginMs, (due - start) / 2));
  if (end <= start) {
    // A short opening (or a very fast rehearsal): the middle of it.
    start = opens + (due - opens) * 0.2;
    end = opens + (due - opens) * 0.5;
  }
  return Math.round(m <= 1 ? start : start + ((end - start) * k) / (m - 1));
}

/**
 * Late slot j: two hours after the rung that tells the coordinator (the digest naming the late
 * departments), else after the first escalation; always well inside the period.
 */
function lateAt(plan: CompiledPlan, occ: CompiledOccurrence, j: number): number | undefined {
  const periodEnd = Date.parse(plan.campaign.periodEnd);
  const due = Date.parse(occ.due);
  const rungs = [occ.escalations.find((e) => e.to.includes('coordinator')), occ.escalations[0]].filter((e) => e !== undefined);
  for (const rung of rungs) {
    const at = Date.parse(rung!.at) + 2 * HOUR + j * 30 * 60_000;
    if (at > due && at < periodEnd - 2 * HOUR) return at;
  }
  const at = due + 2 * HOUR + j * 30 * 60_000;
  return at < periodEnd - 2 * HOUR ? at : undefined;
}

function attachmentFor(deadline: CompiledDeadline, department: string, roles: Roles): Action['attach'] {
  if (!deadline.submit.attachments) return undefined;
  if (!deadline.submit.report && !deadline.submit.form) return 'png';
  // The first on-time department attaches its report as a file to the last one-off report.
  return department === roles.onTime[0] && deadline.kind === 'one-off' ? 'txt' : undefined;
}

/**
 * @param marginMs how long before due the last on-time submission is made (campaign time; at least
 *   6 hours). A fast rehearsal passes a couple of wall seconds' worth, so that a busy machine's
 *   hiccup does not make an on-time department late.
 */
export function schedule(plan: CompiledPlan, roles: Roles = assignRoles(plan), marginMs = 6 * HOUR): Action[] {
  marginMs = Math.max(6 * HOUR, marginMs);
  const actions: Action[] = [];
  const periodStart = Date.parse(plan.campaign.periodStart);
  const periodEnd = Date.parse(plan.campaign.periodEnd);
  const lastOneOff = [...plan.deadlines].reverse().find((d) => d.kind === 'one-off' && d.submit.attachments && d.submit.report);
  for (const d of plan.deadlines) {
    if (d.kind === 'open') continue;
    const punctual = d.departments.filter((id) => roles.of.get(id) === 'on-time' || roles.of.get(id) === 'xlsx');
    const late = d.departments.filter((id) => roles.of.get(id) === 'late');
    for (const occ of d.occurrences) {
      const dueMs = Date.parse(occ.due);
      const base = { deadline: d.id, occurrence: occ.key, dueMs };
      const onTimeList = [...punctual];
      late.forEach((department, j) => {
        const at = lateAt(plan, occ, j);
        if (at === undefined) onTimeList.push(department);
        else actions.push({ ...base, id: `${occ.key}|${department}`, atMs: at, department, via: 'form', intent: 'late' });
      });
      onTimeList.forEach((department, k) => {
        const via = roles.of.get(department) === 'xlsx' && d.submit.form ? 'xlsx' : 'form';
        const attach = d === lastOneOff ? attachmentFor(d, department, roles) : undefined;
        actions.push({ ...base, id: `${occ.key}|${department}`, atMs: onTimeAt(occ, k, onTimeList.length, marginMs), department, via, intent: 'on-time', ...(attach ? { attach } : {}) });
      });
    }
  }
  // 'Any time' deadlines: one report each, somewhere in the middle of the period.
  roles.anyTime.forEach(({ deadline, department }, i) => {
    const d = plan.deadlines.find((x) => x.id === deadline)!;
    const occ = d.occurrences[0]!;
    const at = periodStart + (periodEnd - periodStart) * (0.35 + 0.15 * i) + 10 * HOUR;
    const attach = attachmentFor(d, department, roles);
    actions.push({ id: `${occ.key}|${department}`, atMs: Math.round(at), department, deadline, occurrence: occ.key, dueMs: Date.parse(occ.due), via: 'form', intent: 'on-time', ...(attach ? { attach } : {}) });
  });
  return actions.sort((a, b) => a.atMs - b.atMs || a.id.localeCompare(b.id));
}
