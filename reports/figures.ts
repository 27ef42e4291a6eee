/**
 * The figures a coordinator reads at a glance (issue H, "figures at a glance"): per department, how
 * punctual it was (on time / late / missing / excused among the obligations due so far), how late on
 * average and at worst (hours, and working days in the campaign's zone and calendar), and how many
 * messages it took (reminders, escalations, chases by hand); and for a weekly form's cumulative
 * columns, each figure's trend per department and in total across the occurrences.
 *
 * Pure: computed from the status matrix and the compiled plan the matrix already loads, so the
 * page (portal/routes/figures-page.ts) only draws, and the numbers are unit-tested on their own.
 */
import { DateTime } from 'luxon';
import type { CompiledPlan } from '../deadlines/timeline';
import { planCalendar } from '../deadlines/preview';
import { flattenColumns } from '../obligations/form-data';
import type { ObligationView } from '../workflows/department-shard.messages';
import { summarise } from './summary';

export interface DepartmentTimeliness {
  department: string;
  name: string;
  /** Obligations whose due time has passed (or that were answered late), excused ones left out: the rate's denominator. */
  dueSoFar: number;
  onTime: number;
  late: number;
  /** Due, unanswered and not excused. */
  missing: number;
  excused: number;
  /** onTime / dueSoFar, 0..1; undefined while nothing is due. */
  onTimeRate?: number;
  /** Over the late first submissions: hours after due (one decimal). */
  meanLateHours?: number;
  maxLateHours?: number;
  /** Working days after the due day up to the day received (0 = later the same day), at worst. */
  maxLateWorkingDays?: number;
  reminders: number;
  /** Overdue notices and escalations (the ladder after due). */
  escalations: number;
  /** Chases by hand (催报). */
  chases: number;
}

/** One figure's values over a recurring deadline's occurrences; undefined where nobody (or that department) reported. */
export interface CumulativeTrend {
  deadline: string;
  title: string;
  column: string;
  label: string;
  unit?: string;
  occurrences: Array<{ key: string; due: string }>;
  total: Array<number | undefined>;
  departments: Array<{ department: string; name: string; values: Array<number | undefined> }>;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** Whether the obligation counts: in the plan, and owed (an "any time" channel owes nothing). */
function owed(plan: CompiledPlan, o: ObligationView): boolean {
  return o.inPlan && plan.deadlines.find((d) => d.id === o.deadline)?.kind !== 'open';
}

export function departmentTimeliness(plan: CompiledPlan, obligations: readonly ObligationView[], nowMs: number): DepartmentTimeliness[] {
  const zone = plan.campaign.timezone;
  const calendar = planCalendar(plan);
  const workingDaysAfter = (dueIso: string, atIso: string) => {
    const from = DateTime.fromISO(dueIso, { zone }).toISODate()!;
    const to = DateTime.fromISO(atIso, { zone }).toISODate()!;
    let n = 0;
    for (let d = calendar.nextWorkingDay(from); d <= to; d = calendar.nextWorkingDay(d)) n++;
    return n;
  };
  return plan.departments.map((dept) => {
    const mine = obligations.filter((o) => o.department === dept.id && owed(plan, o));
    const row: DepartmentTimeliness = { department: dept.id, name: dept.name, dueSoFar: 0, onTime: 0, late: 0, missing: 0, excused: 0, reminders: 0, escalations: 0, chases: 0 };
    const lateHours: number[] = [];
    let worstDays: number | undefined;
    for (const o of mine) {
      row.reminders += o.deliveries.filter((m) => m.kind === 'reminder').length;
      row.escalations += o.deliveries.filter((m) => m.kind === 'overdue' || m.kind === 'escalation').length;
      row.chases += o.chases?.length ?? 0;
      const isDue = Date.parse(o.due) <= nowMs;
      if (o.status === 'excused') {
        if (isDue) row.excused++;
      } else if (o.status === 'late') {
        row.dueSoFar++;
        row.late++;
        const at = o.versions[0]!.receivedAt;
        lateHours.push((Date.parse(at) - Date.parse(o.due)) / 3_600_000);
        worstDays = Math.max(worstDays ?? 0, workingDaysAfter(o.due, at));
      } else if (isDue) {
        row.dueSoFar++;
        if (o.status === 'submitted') row.onTime++;
        else row.missing++;
      }
    }
    if (row.dueSoFar) row.onTimeRate = row.onTime / row.dueSoFar;
    if (lateHours.length) {
      row.meanLateHours = round1(lateHours.reduce((a, b) => a + b, 0) / lateHours.length);
      row.maxLateHours = round1(Math.max(...lateHours));
      row.maxLateWorkingDays = worstDays;
    }
    return row;
  });
}

/** For every deadline with more than one occurrence whose form has cumulative columns: each such column's trend. */
export function cumulativeTrends(plan: CompiledPlan, obligations: readonly ObligationView[]): CumulativeTrend[] {
  const summaries = summarise(plan, obligations.filter((o) => o.inPlan));
  const out: CumulativeTrend[] = [];
  for (const d of plan.deadlines) {
    const form = d.submit.form ? plan.forms.find((f) => f.id === d.submit.form) : undefined;
    if (!form || d.occurrences.length < 2) continue;
    const mine = summaries.filter((s) => s.deadline === d.id);
    for (const { column, parent } of flattenColumns(form.columns)) {
      if (!column.cumulative || (column.type !== 'count' && column.type !== 'amount')) continue;
      const valueOf = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
      const departments = d.departments.map((id) => ({
        department: id,
        name: plan.departments.find((x) => x.id === id)?.name ?? id,
        values: mine.map((s) => valueOf(s.rows.find((r) => r.department === id)?.values?.[column.id])),
      }));
      const total = mine.map((_, i) => {
        const reported = departments.map((x) => x.values[i]).filter((v): v is number => v !== undefined);
        return reported.length ? round1(reported.reduce((a, b) => a + b, 0)) : undefined;
      });
      out.push({
        deadline: d.id,
        title: d.title,
        column: column.id,
        label: parent ? `其中：${column.label}` : column.label,
        unit: column.unit,
        occurrences: mine.map((s) => ({ key: s.occurrence, due: s.due })),
        total,
        departments,
      });
    }
  }
  return out;
}
