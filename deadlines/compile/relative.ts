/**
 * Deadlines due relative to another deadline ("报送1月份情况时一并报送联系人", "总结报告在最后一次
 * 周报后3个工作日内"): `schedule: { relative_to: { deadline: weekly, occurrence: last },
 * working_days: 3 }`. Such a deadline is computed after the one it counts from, so the deadlines
 * are put in an order where every one comes after those it depends on; a deadline that depends
 * on itself, directly or around a circle, is an error naming the circle.
 *
 * The offset counts from the other deadline's due as the plan computed it (moved off a day off
 * when its rule says so): `days` and `working_days` keep its time of day (unless time: is given,
 * or date_means: start_of_day), `hours` count from its instant. `occurrence: same` (the default)
 * gives one due for each of the other's occurrences; first, last or a number give one.
 */
import type { DateTime } from 'luxon';
import { addCalendarDays } from '../calendar';
import type { PathSegment } from '../parse';
import { DEADLINE_MESSAGES as M } from '../messages/deadlines';
import type { DeadlineAnchorInput, DeadlineInput } from '../schema';
import type { DeadlineKind } from '../timeline';
import type { Campaign } from './campaign';
import { scheduledAt, type ScheduledDate } from './occurrences';
import type { Report } from './report';

/** The deadline a schedule counts from, when it counts from another deadline. */
export function anchorDeadline(d: DeadlineInput): DeadlineAnchorInput | undefined {
  const r = d.schedule.relative_to;
  return typeof r === 'object' ? r : undefined;
}

const anchorPath = (i: number): PathSegment[] => ['deadlines', i, 'schedule', 'relative_to', 'deadline'];

/**
 * The indexes of the deadlines in an order where each comes after the one it counts from (plan
 * order otherwise). Deadlines that count from themselves or sit on a circle are reported and left
 * out, as are those that count from them; references to unknown deadlines are left to
 * checkReferences and compiled as if absent.
 */
export function deadlineOrder(deadlines: DeadlineInput[], report: Report): number[] {
  const index = new Map(deadlines.map((d, i) => [d.id, i]));
  const state = new Map<number, 'visiting' | 'done' | 'failed'>();
  const order: number[] = [];
  const reported = new Set<string>();

  const visit = (i: number, trail: number[]): boolean => {
    const seen = state.get(i);
    if (seen === 'done') return true;
    if (seen === 'failed') return false;
    if (seen === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(i)), i].map((k) => deadlines[k].id);
      const key = [...new Set(cycle)].sort().join(' ');
      if (!reported.has(key)) {
        reported.add(key);
        const first = trail.slice(trail.indexOf(i)).reduce((a, b) => Math.min(a, b));
        report.error(anchorPath(first), M.relativeCycle(rotate(cycle, deadlines[first].id)));
      }
      return false;
    }
    const target = anchorDeadline(deadlines[i]);
    if (target?.deadline === deadlines[i].id) {
      report.error(anchorPath(i), M.relativeToItself(deadlines[i].id));
      state.set(i, 'failed');
      return false;
    }
    state.set(i, 'visiting');
    const j = target ? index.get(target.deadline) : undefined;
    const ok = j === undefined || visit(j, [...trail, i]);
    state.set(i, ok ? 'done' : 'failed');
    if (ok) order.push(i);
    return ok;
  };
  deadlines.forEach((_, i) => visit(i, []));
  return order;
}

/** The circle a → b → c → a written from `start`. */
function rotate(cycle: string[], start: string): string[] {
  const ring = cycle.slice(0, -1);
  const k = ring.indexOf(start);
  const turned = [...ring.slice(k), ...ring.slice(0, k)];
  return [...turned, turned[0]];
}

/** What a relative deadline needs of the deadline it counts from. */
export interface AnchorDues {
  kind: DeadlineKind;
  dues: Array<{ date: string; due: DateTime }>;
}

/**
 * The kind a deadline counting from `target` has: one due per target occurrence (same), or one.
 * Counting from an open deadline is an error relativeDates reports; it is taken as one-off here.
 */
export function relativeKind(anchor: DeadlineAnchorInput, target: AnchorDues): DeadlineKind {
  return (anchor.occurrence ?? 'same') === 'same' && target.kind !== 'open' ? target.kind : 'one-off';
}

/**
 * The local dates and times of a deadline that counts from another deadline's dues; undefined
 * with an error reported (the other is open, or has no such occurrence).
 */
export function relativeDates(
  campaign: Campaign,
  report: Report,
  d: DeadlineInput,
  base: PathSegment[],
  anchor: DeadlineAnchorInput,
  target: AnchorDues,
): ScheduledDate[] | undefined {
  const s = d.schedule;
  const path = [...base, 'schedule', 'relative_to'];
  if (target.kind === 'open') {
    report.error([...path, 'deadline'], M.relativeToOpen(d.id, anchor.deadline));
    return undefined;
  }
  const which = anchor.occurrence ?? 'same';
  const n = target.dues.length;
  let from = target.dues;
  if (which === 'first') from = target.dues.slice(0, 1);
  else if (which === 'last') from = target.dues.slice(-1);
  else if (typeof which === 'number') {
    if (which > n) {
      report.error([...path, 'occurrence'], M.relativeOccurrenceMissing(d.id, anchor.deadline, which, n));
      return undefined;
    }
    from = [target.dues[which - 1]];
  }
  return from.map((t) => {
    if (s.hours !== undefined) return scheduledAt(t.due.plus({ hours: s.hours }));
    const time = s.time ?? (d.schedule.date_means === 'start_of_day' ? '00:00' : t.due.toFormat('HH:mm:ss.SSS'));
    const date = s.working_days !== undefined ? campaign.cal.addWorkingDays(t.date, s.working_days) : addCalendarDays(t.date, s.days ?? 0);
    return { date, time };
  });
}
