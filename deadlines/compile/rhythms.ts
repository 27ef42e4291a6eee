/**
 * The calendar rhythms of government statistics, as local dates: monthly by day of the month
 * (每月5日, 月底), by the Nth or last working day of the month (每月最后一个工作日), a number of
 * calendar or working days after a month or quarter ends (月后10日, 季后5个工作日内), quarterly by a
 * day of one month of the quarter, and every N weeks. occurrences.ts turns these dates into due
 * instants (the non-working-day rule, the period, the ladder); here only which day each month or
 * quarter names, and which months lack it, so that the compiler can say so.
 *
 * "N working days after the month ends" is the Nth working day strictly after the month's last
 * day, on the working-day calendar (statutory holidays and 调休), as offices count 季后5个工作日:
 * Q3 2024 ends on Monday 30 September, 1-7 October are 国庆节, so the 5th is Saturday 12 October,
 * an adjusted working day.
 */
import { addCalendarDays, fromDayNumber, isoWeekday, toDayNumber, type WorkCalendar } from '../calendar';
import type { Words } from '../messages/core';
import { monthRuleWords } from '../messages/deadlines';
import type { MonthRuleInput, ShortMonthRule } from '../schema';

/** The dates a monthly or quarterly rule names in [from, to], and the months that lack the day. */
export interface MonthDates {
  dates: string[];
  /** "2024-02 → 2024-02-29": months without the day, due on their last day instead (short_month: last_day). */
  lastDay: string[];
  /** "2024-02": months without the day and without a report (short_month: skip). */
  skipped: string[];
  /** "2024-10": months with fewer working days than the rule counts. */
  tooFewWorkingDays: string[];
}

const pad = (n: number) => String(n).padStart(2, '0');
const monthKey = (y: number, m: number) => `${y}-${pad(m)}`;

function daysInMonth(y: number, m: number): number {
  return toDayNumber(m === 12 ? `${y + 1}-01-01` : `${y}-${pad(m + 1)}-01`) - toDayNumber(`${y}-${pad(m)}-01`);
}

/** The month `k` months after (y, m). */
function shiftMonth(y: number, m: number, k: number): [number, number] {
  const idx = y * 12 + (m - 1) + k;
  return [Math.floor(idx / 12), (idx % 12) + 1];
}

/** The day one month (y, m) names under the rule, or a note why it has none. */
function dayOfMonth(
  cal: WorkCalendar,
  rule: MonthRuleInput,
  y: number,
  m: number,
  shortMonth: ShortMonthRule,
): { date: string; lastDay?: boolean } | { missing: 'skipped' | 'working_days' } {
  const first = `${y}-${pad(m)}-01`;
  const last = `${y}-${pad(m)}-${pad(daysInMonth(y, m))}`;
  if (rule.day !== undefined) {
    if (rule.day === 'last') return { date: last };
    if (rule.day <= daysInMonth(y, m)) return { date: `${y}-${pad(m)}-${pad(rule.day)}` };
    return shortMonth === 'skip' ? { missing: 'skipped' } : { date: last, lastDay: true };
  }
  if (rule.working_day !== undefined) {
    const k = rule.working_day === 'last' ? -1 : rule.working_day;
    const date =
      k > 0
        ? cal.addWorkingDays(cal.isWorkingDay(first) ? first : cal.nextWorkingDay(first), k - 1)
        : cal.addWorkingDays(cal.isWorkingDay(last) ? last : cal.previousWorkingDay(last), k + 1);
    return date.slice(0, 7) === monthKey(y, m) ? { date } : { missing: 'working_days' };
  }
  if (rule.days_after !== undefined) return { date: addCalendarDays(last, rule.days_after) };
  return { date: cal.addWorkingDays(last, rule.working_days_after ?? 0) };
}

/**
 * The dates a monthly (every month) or quarterly (one month of each quarter: the rule's `month`,
 * or the quarter's last month for days_after / working_days_after) rule names between `from` and
 * `to`, both included. Months are walked from a quarter before `from`, since a day after a month
 * ends falls in a later month.
 */
export function monthDates(cal: WorkCalendar, rule: MonthRuleInput, every: 'month' | 'quarter', from: string, to: string, shortMonth: ShortMonthRule): MonthDates {
  const out: MonthDates = { dates: [], lastDay: [], skipped: [], tooFewWorkingDays: [] };
  const a = toDayNumber(from);
  const b = toDayNumber(to);
  const afterEnd = rule.days_after !== undefined || rule.working_days_after !== undefined;
  let [y, m] = shiftMonth(Number(from.slice(0, 4)), Number(from.slice(5, 7)), -3);
  const [ly, lm] = [Number(to.slice(0, 4)), Number(to.slice(5, 7))];
  for (; y * 12 + m <= ly * 12 + lm; [y, m] = shiftMonth(y, m, 1)) {
    if (every === 'quarter') {
      const monthOfQuarter = ((m - 1) % 3) + 1;
      if (monthOfQuarter !== (afterEnd ? 3 : (rule.month ?? 3))) continue;
    }
    const inWindow = (d: string) => toDayNumber(d) >= a && toDayNumber(d) <= b;
    const day = dayOfMonth(cal, rule, y, m, shortMonth);
    if ('missing' in day) {
      const mid = `${y}-${pad(m)}-${pad(Math.min(28, daysInMonth(y, m)))}`;
      if (inWindow(mid)) (day.missing === 'skipped' ? out.skipped : out.tooFewWorkingDays).push(monthKey(y, m));
      continue;
    }
    if (!inWindow(day.date)) continue;
    out.dates.push(day.date);
    if (day.lastDay) out.lastDay.push(`${monthKey(y, m)} → ${day.date}`);
  }
  out.dates = [...new Set(out.dates)].sort();
  return out;
}

/** Every `weeks` weeks on an ISO weekday, counted from the first such day on or after `anchor`, within [from, to]. */
export function everyWeeks(weekday: number, weeks: number, anchor: string, from: string, to: string): string[] {
  let n = toDayNumber(anchor);
  while (isoWeekday(fromDayNumber(n)) !== weekday) n++;
  const a = toDayNumber(from);
  const b = toDayNumber(to);
  const out: string[] = [];
  for (; n <= b; n += 7 * weeks) if (n >= a) out.push(fromDayNumber(n));
  return out;
}

/** Words for a monthly or quarterly rule in messages, e.g. "monthly on day 31" / "每月31日". */
export function describeMonthRule(rule: MonthRuleInput, every: 'month' | 'quarter'): Words {
  return monthRuleWords(rule, every);
}

/** A monthly schedule's value in its object form: 5 → { day: 5 }, last → { day: 'last' }. */
export function monthRuleOf(v: number | 'last' | MonthRuleInput): MonthRuleInput {
  return typeof v === 'object' ? v : { day: v };
}
