/**
 * The shape of a deadline's schedule (docs/plan-format.md, "Schedules"): which kinds there are
 * (one date, a lunar date, a date relative to an anchor or to another deadline, weekly, every N
 * weeks, half-monthly, monthly, quarterly, every N working days, a list of dates, open) and which
 * keys go with each. Kept apart from plan.ts because the schedule is the richest part of the
 * format; how a schedule becomes due instants is compile/occurrences.ts and compile/rhythms.ts.
 */
import { z } from 'zod';
import { parseLunarText } from '../calendar';
import { closest } from '../diagnostics';
import { toIssue } from '../messages/core';
import { SHAPE_MESSAGES as M } from '../messages/shape';
import { date, id, issue, time, weekday } from './values';

export const ANCHORS = ['spring_festival', 'spring_festival_holiday_end', 'period_start', 'period_end', 'issued'] as const;
export type Anchor = (typeof ANCHORS)[number];

export const dateOrRelative = z.union(
  [
    date,
    z.strictObject({
      relative_to: z.enum(ANCHORS),
      days: z.number().int().optional(),
      working_days: z.number().int().optional(),
    }),
  ],
  { error: toIssue(M.dateOrRelative()) },
);

const lunarObject = z.strictObject({
  month: z.number().int().min(1, { error: toIssue(M.lunarMonth()) }).max(12, { error: toIssue(M.lunarMonth()) }),
  day: z.union([z.number().int().min(1).max(30), z.literal('last')], { error: toIssue(M.lunarDay()) }),
  leap: z.boolean().optional(),
});

const lunarText = z.string().superRefine((s, ctx) => {
  if (parseLunarText(s) === undefined) {
    ctx.addIssue(issue(M.notLunar(s)));
  }
});

/** The keys of a month rule that say which day; exactly one is given. */
export const MONTH_RULE_KEYS = ['day', 'working_day', 'days_after', 'working_days_after'] as const;

/** days_after / working_days_after: a whole number from 0 to max, one message for every way it is not. */
function countAfter(key: string, max: number) {
  const error = toIssue(M.monthRuleAfter(key, max));
  return z.number({ error }).int({ error }).min(0, { error }).max(max, { error }).optional();
}

/** Which day of a month (or of a month of the quarter) a monthly or quarterly schedule is due. */
const monthRule = z
  .strictObject({
    day: z.union([z.number().int().min(1).max(31), z.literal('last')], { error: toIssue(M.monthRuleDay()) }).optional(),
    working_day: z
      .union([z.number().int().min(-23).max(23).refine((n) => n !== 0), z.literal('last')], { error: toIssue(M.monthRuleWorkingDay()) })
      .optional(),
    days_after: countAfter('days_after', 31),
    working_days_after: countAfter('working_days_after', 23),
    month: z.union([z.literal(1), z.literal(2), z.literal(3)], { error: toIssue(M.monthOfQuarterValue()) }).optional(),
  })
  .superRefine((r, ctx) => {
    const written = MONTH_RULE_KEYS.filter((k) => r[k] !== undefined);
    if (written.length !== 1) ctx.addIssue({ ...issue(M.monthRuleNeedsOne(written)), path: written.length > 1 ? [written[1]] : [], params: { at: 'key' } });
  });
export type MonthRuleInput = z.infer<typeof monthRule>;

const monthly = z.union([z.number().int().min(1).max(31), z.literal('last'), monthRule], { error: toIssue(M.monthlyValue()) });
const quarterly = z.union([monthRule], { error: toIssue(M.quarterlyValue()) });

/** An anchor's name, worded like an enum's error (with "did you mean") so a typo is named as such. */
const anchorName = z
  .string()
  .superRefine((s, ctx) => {
    if ((ANCHORS as readonly string[]).includes(s)) return;
    ctx.addIssue(issue(M.anchorNotOne(s, [...ANCHORS], closest(s, ANCHORS))));
  })
  .transform((s) => s as Anchor);

/** Another deadline a relative schedule counts from, and which of its occurrences. */
const deadlineAnchor = z.strictObject({
  deadline: id,
  occurrence: z.union([z.enum(['same', 'first', 'last']), z.number().int().min(1)], { error: toIssue(M.relativeOccurrence()) }).optional(),
});
export type DeadlineAnchorInput = z.infer<typeof deadlineAnchor>;

export const SCHEDULE_KINDS = [
  'date',
  'lunar',
  'relative_to',
  'weekly',
  'half_monthly',
  'monthly',
  'quarterly',
  'every_working_days',
  'dates',
  'open',
] as const;
export type ScheduleKind = (typeof SCHEDULE_KINDS)[number];

/** The kinds whose schedule gives several occurrences by itself. */
export const RECURRING_KINDS: readonly ScheduleKind[] = ['weekly', 'half_monthly', 'monthly', 'quarterly', 'every_working_days', 'dates'];

/** Keys each schedule kind accepts besides its own (date_means: how "X月Y日前" is read, wherever a day is named). */
export const SCHEDULE_EXTRAS: Record<ScheduleKind, string[]> = {
  date: ['time', 'date_means'],
  lunar: ['time', 'date_means'],
  relative_to: ['days', 'working_days', 'hours', 'time', 'date_means'],
  weekly: ['time', 'starting', 'until', 'every_weeks', 'date_means'],
  half_monthly: ['time', 'starting', 'until', 'date_means'],
  monthly: ['time', 'starting', 'until', 'short_month', 'date_means'],
  quarterly: ['time', 'starting', 'until', 'short_month', 'date_means'],
  every_working_days: ['time', 'starting', 'until', 'date_means'],
  dates: ['time', 'date_means'],
  open: [],
};

/** How "X月Y日前" is read for one deadline: by the end of working day X (the default), or before day X begins. */
export const DATE_READINGS = ['end_of_workday', 'start_of_day'] as const;
export type DateReading = (typeof DATE_READINGS)[number];

export const SHORT_MONTH_RULES = ['last_day', 'skip'] as const;
export type ShortMonthRule = (typeof SHORT_MONTH_RULES)[number];

const EVERY_WEEKS = toIssue(M.everyWeeks());

export const schedule = z
  .strictObject({
    date: date.optional(),
    lunar: z.union([lunarText, lunarObject], { error: toIssue(M.lunarValue()) }).optional(),
    relative_to: z.union([anchorName, deadlineAnchor], { error: toIssue(M.relativeToValue()) }).optional(),
    days: z.number().int().optional(),
    working_days: z.number().int().optional(),
    hours: z.number().int().min(-8784).max(8784).optional(),
    weekly: weekday.optional(),
    every_weeks: z.number({ error: EVERY_WEEKS }).int({ error: EVERY_WEEKS }).min(1, { error: EVERY_WEEKS }).max(52, { error: EVERY_WEEKS }).optional(),
    half_monthly: z.literal(true, { error: toIssue(M.halfMonthlyTrue()) }).optional(),
    monthly: monthly.optional(),
    quarterly: quarterly.optional(),
    short_month: z.enum(SHORT_MONTH_RULES, { error: toIssue(M.shortMonthValue()) }).optional(),
    every_working_days: z.number().int().min(1, { error: toIssue(M.everyWorkingDays()) }).max(250).optional(),
    dates: z.array(date, { error: toIssue(M.datesList()) }).min(1, { error: toIssue(M.datesList()) }).optional(),
    open: z.literal(true, { error: toIssue(M.openTrue()) }).optional(),
    time: time.optional(),
    date_means: z.enum(DATE_READINGS, { error: toIssue(M.dateMeansValue()) }).optional(),
    starting: dateOrRelative.optional(),
    until: dateOrRelative.optional(),
  })
  .superRefine((s, ctx) => {
    const kinds = SCHEDULE_KINDS.filter((k) => s[k] !== undefined);
    if (kinds.length === 0) {
      ctx.addIssue({ ...issue(M.scheduleNeedsOne([...SCHEDULE_KINDS])), path: [] });
      return;
    }
    if (kinds.length > 1) {
      for (const k of kinds.slice(1)) {
        ctx.addIssue({ ...issue(M.scheduleTwoKinds(kinds[0], k, [...SCHEDULE_KINDS])), path: [k], params: { at: 'key' } });
      }
      return;
    }
    const kind = kinds[0];
    const allowed = new Set([kind, ...SCHEDULE_EXTRAS[kind]]);
    for (const key of Object.keys(s) as Array<keyof typeof s>) {
      if (s[key] === undefined || allowed.has(key)) continue;
      const users = SCHEDULE_KINDS.filter((k) => SCHEDULE_EXTRAS[k].includes(key));
      ctx.addIssue({ ...issue(kind === 'open' ? M.keyOnOpen(key) : M.keyNotForKind(key, kind, users)), path: [key], params: { at: 'key' } });
    }
    if (kind === 'relative_to') {
      const offsets = (['days', 'working_days', 'hours'] as const).filter((k) => s[k] !== undefined);
      if (offsets.length > 1) {
        ctx.addIssue({ ...issue(offsets.includes('hours') ? M.relativeOneOffset(offsets) : M.daysOrWorkingDays()), path: [offsets[1]], params: { at: 'key' } });
      }
      if (s.hours !== undefined && s.time !== undefined) ctx.addIssue({ ...issue(M.hoursWithTime()), path: ['time'], params: { at: 'key' } });
      if (s.hours !== undefined && s.date_means !== undefined) ctx.addIssue({ ...issue(M.dateMeansWithHours()), path: ['date_means'], params: { at: 'key' } });
    }
    if (s.date_means !== undefined && s.time !== undefined) ctx.addIssue({ ...issue(M.dateMeansWithTime()), path: ['date_means'], params: { at: 'key' } });
    const rule = kind === 'monthly' && typeof s.monthly === 'object' ? s.monthly : kind === 'quarterly' ? s.quarterly : undefined;
    if (rule) {
      const which = MONTH_RULE_KEYS.find((k) => rule[k] !== undefined);
      const path = [kind, 'month'];
      if (kind === 'monthly' && rule.month !== undefined) ctx.addIssue({ ...issue(M.monthOfQuarterInMonthly()), path, params: { at: 'key' } });
      if (kind === 'quarterly' && which !== undefined) {
        const fromEnd = which === 'days_after' || which === 'working_days_after';
        if (fromEnd && rule.month !== undefined) ctx.addIssue({ ...issue(M.monthOfQuarterNotHere(which)), path, params: { at: 'key' } });
        if (!fromEnd && rule.month === undefined) ctx.addIssue({ ...issue(M.monthOfQuarterMissing()), path: [kind], params: { at: 'key' } });
      }
    }
  });

export type ScheduleInput = z.infer<typeof schedule>;
export type DateOrRelative = z.infer<typeof dateOrRelative>;
