/**
 * WHERE A DEADLINE IS COMPUTED. A deadline's schedule (a date, a lunar date, a date relative to
 * the Spring Festival, the period or the notice; weekly or every N weeks, half-monthly, monthly,
 * quarterly (rhythms.ts), every n working days, a list of dates; within starting: … until:)
 * becomes its due instants in the campaign zone, moved off a non-working day when the plan says
 * so (dueInstants); then each due gets the instant it opens and its ladder of reminders and
 * escalation steps (ladder.ts). The two steps are apart because a deadline may count from
 * another one's dues (relative.ts) and a rung's chasing may end at another one's next due.
 *
 * Every problem that makes a deadline impossible (a date outside the period, a lunar date that
 * does not fall in it, a schedule with no occurrence, a due before the notice is issued) is an
 * error pinned to the schedule; what is merely left out (an occurrence moved out of the period, a
 * reminder before the period or the notice) is a warning.
 */
import { DateTime } from 'luxon';
import {
  addCalendarDays,
  formatLunarDate,
  isoWeekday,
  lunarDatesInRange,
  lunarToSolar,
  parseLunarText,
  solarToLunar,
  toDayNumber,
} from '../calendar';
import { errorWords, type Message, type Words } from '../messages/core';
import { ALREADY_DUE, DEADLINE_MESSAGES as M, RECURRENCE_WORDS } from '../messages/deadlines';
import { LADDER_MESSAGES } from '../messages/ladder';
import type { PathSegment } from '../parse';
import { type DeadlineInput, type NonWorkingDayRule, parseWeekday, SCHEDULE_KINDS, type ScheduleInput, type ScheduleKind } from '../schema';
import type { CompiledOccurrence, DeadlineKind } from '../timeline';
import { anchorInstant, resolveDateOrRelative, resolveRelative } from './anchors';
import { type Campaign, dayLabel, formatInstant, localInstant } from './campaign';
import type { ChaseContext } from './chasing';
import { escalationSteps, type Ladder, reminderSteps, warnDroppedReminders } from './ladder';
import type { Report } from './report';
import { describeMonthRule, everyWeeks, monthDates, monthRuleOf } from './rhythms';

export const MAX_OCCURRENCES = 400;

/** A scheduled local date and time, before the non-working-day rule and the period are applied. */
export interface ScheduledDate {
  date: string;
  time: string;
}

/**
 * The time of day a schedule that names a day is due: its time:, else 00:00 when the deadline
 * reads "X月Y日前" as before day X begins (date_means: start_of_day), else the end of the working day.
 */
export function dueTimeOf(campaign: Campaign, d: DeadlineInput): string {
  return d.schedule.time ?? (d.schedule.date_means === 'start_of_day' ? '00:00' : campaign.endOfWorkday);
}

/** A local date and time of an instant, as a ScheduledDate. */
export function scheduledAt(at: DateTime): ScheduledDate {
  return { date: at.toFormat('yyyy-MM-dd'), time: at.toFormat('HH:mm:ss.SSS') };
}

/**
 * The local dates and times a one-off or recurring schedule names (not one relative to another
 * deadline: relative.ts); undefined with an error reported.
 */
export function scheduledDates(
  campaign: Campaign,
  report: Report,
  d: DeadlineInput,
  base: PathSegment[],
  kind: DeadlineKind,
  kindKey: ScheduleKind,
): ScheduledDate[] | undefined {
  return kind === 'one-off' ? oneOff(campaign, report, d, base, kindKey) : recurring(campaign, report, d, base, kindKey);
}

function oneOff(campaign: Campaign, report: Report, d: DeadlineInput, base: PathSegment[], kind: ScheduleKind): ScheduledDate[] | undefined {
  const s = d.schedule;
  const sp = [...base, 'schedule'];
  const time = dueTimeOf(campaign, d);
  if (kind === 'date' && s.date) return [{ date: s.date, time }];
  if (kind === 'relative_to' && typeof s.relative_to === 'string') {
    if (s.hours !== undefined) {
      const from = anchorInstant(campaign, report, s.relative_to, [...sp, 'relative_to']);
      return from ? [scheduledAt(from.plus({ hours: s.hours }))] : undefined;
    }
    const date = resolveRelative(campaign, report, { relative_to: s.relative_to, days: s.days, working_days: s.working_days }, [...sp, 'relative_to']);
    return date ? [{ date, time }] : undefined;
  }
  if (kind === 'lunar' && s.lunar !== undefined) {
    const date = lunarDate(campaign, report, d, s.lunar, [...sp, 'lunar']);
    return date ? [{ date, time }] : undefined;
  }
  return undefined;
}

/** The one day in the period that has the lunar month/day the schedule writes. */
function lunarDate(campaign: Campaign, report: Report, d: DeadlineInput, lunar: NonNullable<ScheduleInput['lunar']>, lp: PathSegment[]): string | undefined {
  const md = typeof lunar === 'string' ? parseLunarText(lunar) : { month: lunar.month, day: lunar.day, leap: lunar.leap ?? false };
  if (!md) return undefined; // reported by the schema
  const written = typeof lunar === 'string' ? lunar : formatLunarDate(md);
  let dates: string[];
  try {
    dates = lunarDatesInRange(md.month, md.day, md.leap, campaign.periodStartDate, campaign.periodEndDate);
  } catch (e) {
    report.error(lp, M.lunarLookupFailed(d.id, written, errorWords(e)));
    return undefined;
  }
  if (dates.length === 1) return dates[0];
  if (dates.length > 1) {
    report.error(lp, M.lunarTwice(d.id, written, dates));
    return undefined;
  }
  // Why not: does it exist in the lunar years around the period, and where does it fall?
  const lunarYears = [solarToLunar(campaign.periodStartDate).year, solarToLunar(campaign.periodEndDate).year];
  const years = new Set(lunarYears.filter((y) => y >= 1901 && y <= 2098));
  const reasons: Words[] = [];
  const nearby: string[] = [];
  for (const y of years) {
    try {
      if (md.day === 'last') {
        const found = lunarDatesInRange(md.month, 'last', md.leap, addCalendarDays(`${y}-01-01`, -60), `${y + 1}-03-31`);
        if (found.length === 0) reasons.push(M.lunarYearLacks(y, formatLunarDate(md)));
        nearby.push(...found);
      } else nearby.push(lunarToSolar({ year: y, month: md.month, day: md.day, leap: md.leap }));
    } catch (e) {
      reasons.push(errorWords(e));
    }
  }
  if (nearby.length === 0) {
    report.error(lp, M.lunarNotExist(d.id, written, reasons));
  } else {
    report.error(lp, M.lunarOutsidePeriod(d.id, written, campaign.periodStartDate, campaign.periodEndDate, [...new Set(nearby)].sort()));
  }
  return undefined;
}

function recurring(campaign: Campaign, report: Report, d: DeadlineInput, base: PathSegment[], kind: ScheduleKind): ScheduledDate[] | undefined {
  const s = d.schedule;
  const sp = [...base, 'schedule'];
  const time = dueTimeOf(campaign, d);
  if (kind === 'dates' && s.dates) return listedDates(campaign, report, d, sp, s.dates, time);
  const from = s.starting !== undefined ? resolveDateOrRelative(campaign, report, s.starting, [...sp, 'starting']) : campaign.periodStartDate;
  const to = s.until !== undefined ? resolveDateOrRelative(campaign, report, s.until, [...sp, 'until']) : campaign.periodEndDate;
  if (from === undefined || to === undefined) return undefined;
  if (toDayNumber(from) > toDayNumber(to)) {
    report.error([...sp, s.until !== undefined ? 'until' : 'starting'], M.endsBeforeStart(d.id, from, to));
    return undefined;
  }
  const a = Math.max(toDayNumber(from), toDayNumber(campaign.periodStartDate));
  const b = Math.min(toDayNumber(to), toDayNumber(campaign.periodEndDate));
  const dates: string[] = [];
  const fromDay = (n: number) => addCalendarDays('1970-01-01', n);
  if (kind === 'weekly' && s.weekly && s.every_weeks !== undefined) {
    dates.push(...everyWeeks(parseWeekday(s.weekly) ?? 1, s.every_weeks, from, fromDay(a), fromDay(b)));
  } else if (kind === 'weekly' && s.weekly) {
    const wd = parseWeekday(s.weekly);
    for (let n = a; n <= b; n++) if (isoWeekday(fromDay(n)) === wd) dates.push(fromDay(n));
  } else if ((kind === 'monthly' && s.monthly !== undefined) || (kind === 'quarterly' && s.quarterly !== undefined)) {
    const every = kind === 'monthly' ? 'month' : 'quarter';
    const rule = kind === 'monthly' ? monthRuleOf(s.monthly!) : s.quarterly!;
    const found = monthDates(campaign.cal, rule, every, fromDay(a), fromDay(b), s.short_month ?? 'last_day');
    dates.push(...found.dates);
    const what = describeMonthRule(rule, every);
    if (found.lastDay.length) report.warn([...sp, kind], M.shortMonthLastDay(d.id, what, found.lastDay, s.short_month !== undefined), 'key');
    if (found.skipped.length) report.warn([...sp, kind], M.shortMonthSkipped(d.id, what, found.skipped), 'key');
    if (found.tooFewWorkingDays.length) report.warn([...sp, kind], M.workingDayMissing(d.id, what, found.tooFewWorkingDays), 'key');
  } else if (kind === 'half_monthly') {
    for (let n = a; n <= b; n++) {
      const date = fromDay(n);
      const day = Number(date.slice(8, 10));
      const last = DateTime.fromISO(date).daysInMonth;
      if (day === 15 || day === last) dates.push(date);
    }
  } else if (kind === 'every_working_days' && s.every_working_days) {
    let cur = from;
    for (let guard = 0; guard <= MAX_OCCURRENCES + 1; guard++) {
      cur = campaign.cal.addWorkingDays(cur, s.every_working_days);
      const n = toDayNumber(cur);
      if (n > b) break;
      if (n >= a) dates.push(cur);
    }
  }
  const what = describeRecurrence(s);
  if (dates.length === 0) {
    report.error(sp, fromDay(a) <= fromDay(b) ? M.noOccurrence(d.id, what, fromDay(a), fromDay(b)) : M.noOccurrenceInPeriod(d.id, what, from, to), 'key');
    return undefined;
  }
  if (dates.length > MAX_OCCURRENCES) {
    report.error(sp, M.tooManyOccurrences(d.id, what, dates.length, MAX_OCCURRENCES), 'key');
    return undefined;
  }
  return dates.map((date) => ({ date, time }));
}

/** An explicit list of dates: each must be a date of the period, listed once. */
function listedDates(campaign: Campaign, report: Report, d: DeadlineInput, sp: PathSegment[], list: string[], time: string): ScheduledDate[] | undefined {
  const errorsBefore = report.errors.length;
  const seen = new Set<string>();
  list.forEach((date, j) => {
    const path = [...sp, 'dates', j];
    if (seen.has(date)) report.error(path, M.dateListedTwice(d.id, date));
    else if (toDayNumber(date) < toDayNumber(campaign.periodStartDate)) report.error(path, M.dateOutsidePeriod(d.id, date, 'before', campaign.periodStartDate));
    else if (toDayNumber(date) > toDayNumber(campaign.periodEndDate)) report.error(path, M.dateOutsidePeriod(d.id, date, 'after', campaign.periodEndDate));
    seen.add(date);
  });
  if (report.errors.length > errorsBefore) return undefined;
  return [...seen].sort().map((date) => ({ date, time }));
}

function describeRecurrence(s: ScheduleInput): Words {
  if (s.weekly) return s.every_weeks ? RECURRENCE_WORDS.everyWeeks(s.every_weeks, s.weekly) : RECURRENCE_WORDS.weekly(s.weekly);
  if (s.monthly !== undefined) return describeMonthRule(monthRuleOf(s.monthly), 'month');
  if (s.quarterly !== undefined) return describeMonthRule(s.quarterly, 'quarter');
  if (s.half_monthly) return RECURRENCE_WORDS.halfMonthly;
  if (s.every_working_days) return RECURRENCE_WORDS.everyWorkingDays(s.every_working_days);
  return RECURRENCE_WORDS.other;
}

/** One due of a deadline: its local date and instant, and whether the plan moved it or kept it on a day off. */
export interface Due {
  date: string;
  due: DateTime;
  moved?: { from: string; rule: 'previous_working_day' | 'next_working_day' };
  nonWorkingDay?: boolean;
}

/** Where a one-off deadline's date is written (for its errors); the schedule itself for a recurring one. */
export function schedulePathOf(d: DeadlineInput, base: PathSegment[], kind: DeadlineKind): PathSegment[] {
  const sp = [...base, 'schedule'];
  return kind === 'one-off' ? [...sp, SCHEDULE_KINDS.find((k) => d.schedule[k] !== undefined) ?? 'date'] : sp;
}

/**
 * The dues of a one-off or recurring deadline: each scheduled date's due instant (moved by the
 * non-working-day rule, checked against the period and the notice date, one per day), in time
 * order.
 */
export function dueInstants(
  campaign: Campaign,
  report: Report,
  d: DeadlineInput,
  base: PathSegment[],
  kind: DeadlineKind,
  raw: ScheduledDate[],
  rule: NonWorkingDayRule,
): Due[] {
  const { periodStart, periodEnd } = campaign;
  const schedulePath = schedulePathOf(d, base, kind);
  const ruleWhere: Words = d.on_non_working_day
    ? { en: `deadline '${d.id}' on_non_working_day`, zh: `截止事项 '${d.id}' 的 on_non_working_day` }
    : { en: 'defaults.on_non_working_day', zh: 'defaults.on_non_working_day' };
  const writtenAt = { path: schedulePath, target: kind === 'one-off' ? ('value' as const) : ('key' as const) };

  const dues: Due[] = [];
  const kept: Array<{ date: string; day: Words }> = [];
  const dropped: Words[] = [];
  for (const r of raw) {
    const original = localInstant(campaign, r.date, r.time, writtenAt);
    const shown = r.time.slice(0, 5);
    if (kind === 'one-off' && (original < periodStart || original > periodEnd)) {
      const before = original < periodStart;
      report.error(schedulePath, M.dueOutsidePeriod(d.id, `${r.date} ${shown}`, before ? 'before' : 'after', before ? campaign.periodStartDate : campaign.periodEndDate));
      continue;
    }
    let date = r.date;
    let moved: Due['moved'];
    let nonWorkingDay: boolean | undefined;
    if (!campaign.cal.isWorkingDay(r.date)) {
      if (rule === 'keep') {
        nonWorkingDay = true;
        kept.push({ date: r.date, day: dayLabel(campaign, r.date) });
      } else {
        date = rule === 'previous_working_day' ? campaign.cal.previousWorkingDay(r.date) : campaign.cal.nextWorkingDay(r.date);
        moved = { from: formatInstant(original), rule };
      }
    }
    const due = date === r.date ? original : localInstant(campaign, date, r.time, writtenAt);
    if (due < periodStart || due > periodEnd) {
      if (kind === 'one-off') {
        report.error(schedulePath, M.movedOutOfPeriod(d.id, r.date, dayLabel(campaign, r.date), rule, date, due < periodStart ? 'before' : 'after'));
      } else dropped.push({ en: `${r.date} → ${date}`, zh: `${r.date} → ${date}` });
      continue;
    }
    if (campaign.issuedStart && due < campaign.issuedStart) {
      report.error(schedulePath, M.dueBeforeIssued(d.id, `${date} ${shown}`, campaign.issued!), kind === 'one-off' ? 'value' : 'key');
      continue;
    }
    if (dues.some((x) => x.date === date)) {
      dropped.push({ en: `${r.date} → ${date}${ALREADY_DUE.en}`, zh: `${r.date} → ${date}${ALREADY_DUE.zh}` });
      continue;
    }
    dues.push({ date, due, ...(moved ? { moved } : {}), ...(nonWorkingDay ? { nonWorkingDay } : {}) });
  }
  if (kept.length > 0) {
    const days = kept.map((k) => ({ en: `${k.date} (${k.day.en})`, zh: `${k.date}（${k.day.zh}）` }));
    report.warn(schedulePath, kind === 'one-off' ? M.keptOnDayOff(d.id, kept[0].date, kept[0].day) : M.keptOnDaysOff(d.id, kept.length, raw.length, days), 'key');
  }
  if (dropped.length > 0) report.warn(schedulePath, M.occurrencesLeftOut(d.id, ruleWhere, rule, dropped), 'key');
  return dues.sort((x, y) => x.due.toMillis() - y.due.toMillis());
}

/**
 * The occurrences of a deadline from its dues: each opens at the previous due (the first at the
 * period start) and gets its reminders and escalation steps, the chasing ending as its rungs say
 * (chasing.ts).
 */
export function occurrencesOf(
  campaign: Campaign,
  report: Report,
  d: DeadlineInput,
  base: PathSegment[],
  kind: DeadlineKind,
  dues: Due[],
  ladder: Ladder,
  chase: ChaseContext,
): CompiledOccurrence[] {
  const { periodStart, periodEnd } = campaign;
  const schedulePath = schedulePathOf(d, base, kind);
  const occurrences: CompiledOccurrence[] = [];
  const droppedReminders = new Map<string, string[]>();
  const beforeNotice = new Map<string, string[]>();
  const droppedRungs = new Map<string, Message>();
  dues.forEach((x, k) => {
    const opens = k === 0 ? periodStart : dues[k - 1].due;
    const limit = k + 1 < dues.length ? dues[k + 1].due : periodEnd;
    const occ = { deadline: d.id, kind, due: x.due, dueDate: x.date, opens, limit, schedulePath };
    const reminders = reminderSteps(campaign, report, ladder, occ, droppedReminders, beforeNotice);
    const escalations = escalationSteps(campaign, report, ladder, occ, droppedRungs, chase);
    occurrences.push({
      key: `${d.id}@${x.date}`,
      due: formatInstant(x.due),
      opens: formatInstant(opens),
      ...(x.moved ? { moved: x.moved } : {}),
      ...(x.nonWorkingDay ? { nonWorkingDay: true } : {}),
      reminders,
      escalations,
    });
  });
  warnDroppedReminders(report, d.id, ladder, droppedReminders, schedulePath);
  for (const [text, dates] of beforeNotice) {
    const r = ladder.reminders.find((q) => q.text === text);
    report.warn(r && ladder.remindersFrom === 'deadline' ? r.path : schedulePath, LADDER_MESSAGES.remindersBeforeIssued(d.id, text, dates, campaign.issued!));
  }
  for (const msg of droppedRungs.values()) report.warn(schedulePath, msg, 'key');
  return occurrences;
}
