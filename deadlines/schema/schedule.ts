/**
 * The shape of a deadline's schedule (docs/plan-format.md, "Schedules"): which kinds there are
 * (one date, a lunar date, a date relative to an anchor or to another deadline, weekly, every N
 * weeks, half-monthly, monthly, quarterly, every N working days, a list of dates, open) and which
 * keys go with each. Kept apart from plan.ts because the schedule is the richest part of the
 * format; how a schedule becomes due instants is compile/occurrences.ts and compile/rhythms.ts.
 */
import { z } from 'zod';
import { parseLunarText } from '../calendar';
import { SCHEMA_MESSAGES as M } from './messages';
import { closest } from '../diagnostics';
import { date, id, show, time, weekday } from './values';

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
  { error: 'expected a date like 2024-02-02 or { relative_to: spring_festival, days: 1 }' },
);

const lunarObject = z.strictObject({
  month: z.number().int().min(1, { error: 'lunar month goes from 1 (正月) to 12 (腊月)' }).max(12, { error: 'lunar month goes from 1 (正月) to 12 (腊月)' }),
  day: z.union([z.number().int().min(1).max(30), z.literal('last')], { error: "lunar day is 1 to 30, or 'last' for the month's last day (月底)" }),
  leap: z.boolean().optional(),
});

const lunarText = z.string().superRefine((s, ctx) => {
  if (parseLunarText(s) === undefined) {
    ctx.addIssue({ code: 'custom', message: `${show(s)} is not a lunar date: write e.g. 腊月十五, 农历正月初八, 二月底, or { month: 12, day: 15 }` });
  }
});

/** The keys of a month rule that say which day; exactly one is given. */
export const MONTH_RULE_KEYS = ['day', 'working_day', 'days_after', 'working_days_after'] as const;

/** Which day of a month (or of a month of the quarter) a monthly or quarterly schedule is due. */
const monthRule = z
  .strictObject({
    day: z.union([z.number().int().min(1).max(31), z.literal('last')], { error: M.monthRuleDay }).optional(),
    working_day: z
      .union([z.number().int().min(-23).max(23).refine((n) => n !== 0), z.literal('last')], { error: M.monthRuleWorkingDay })
      .optional(),
    days_after: z.number({ error: M.monthRuleAfter('days_after', 31) }).int({ error: M.monthRuleAfter('days_after', 31) }).min(0, { error: M.monthRuleAfter('days_after', 31) }).max(31, { error: M.monthRuleAfter('days_after', 31) }).optional(),
    working_days_after: z
      .number({ error: M.monthRuleAfter('working_days_after', 23) })
      .int({ error: M.monthRuleAfter('working_days_after', 23) })
      .min(0, { error: M.monthRuleAfter('working_days_after', 23) })
      .max(23, { error: M.monthRuleAfter('working_days_after', 23) })
      .optional(),
    month: z.union([z.literal(1), z.literal(2), z.literal(3)], { error: M.monthOfQuarterValue }).optional(),
  })
  .superRefine((r, ctx) => {
    const written = MONTH_RULE_KEYS.filter((k) => r[k] !== undefined);
    if (written.length !== 1) ctx.addIssue({ code: 'custom', message: M.monthRuleNeedsOne(written), path: written.length > 1 ? [written[1]] : [], params: { at: 'key' } });
  });
export type MonthRuleInput = z.infer<typeof monthRule>;

const monthly = z.union([z.number().int().min(1).max(31), z.literal('last'), monthRule], { error: M.monthlyValue });
const quarterly = z.union([monthRule], { error: M.quarterlyValue });

/** An anchor's name, worded like an enum's error (with "did you mean") so a typo is named as such. */
const anchorName = z
  .string()
  .superRefine((s, ctx) => {
    if ((ANCHORS as readonly string[]).includes(s)) return;
    const near = closest(s, ANCHORS);
    ctx.addIssue({ code: 'custom', message: `${show(s)} is not one of: ${ANCHORS.join(', ')}${near ? ` — did you mean '${near}'?` : ''}` });
  })
  .transform((s) => s as Anchor);

/** Another deadline a relative schedule counts from, and which of its occurrences. */
const deadlineAnchor = z.strictObject({
  deadline: id,
  occurrence: z.union([z.enum(['same', 'first', 'last']), z.number().int().min(1)], { error: M.relativeOccurrence }).optional(),
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

export const schedule = z
  .strictObject({
    date: date.optional(),
    lunar: z.union([lunarText, lunarObject], { error: 'expected a lunar date like 腊月十五 or { month: 12, day: 15 }' }).optional(),
    relative_to: z.union([anchorName, deadlineAnchor], { error: M.relativeToValue }).optional(),
    days: z.number().int().optional(),
    working_days: z.number().int().optional(),
    hours: z.number().int().min(-8784).max(8784).optional(),
    weekly: weekday.optional(),
    every_weeks: z.number({ error: M.everyWeeks }).int({ error: M.everyWeeks }).min(1, { error: M.everyWeeks }).max(52, { error: M.everyWeeks }).optional(),
    half_monthly: z.literal(true, { error: 'write half_monthly: true' }).optional(),
    monthly: monthly.optional(),
    quarterly: quarterly.optional(),
    short_month: z.enum(SHORT_MONTH_RULES, { error: M.shortMonthValue }).optional(),
    every_working_days: z.number().int().min(1, { error: 'every_working_days must be a whole number of at least 1' }).max(250).optional(),
    dates: z.array(date, { error: M.datesList }).min(1, { error: M.datesList }).optional(),
    open: z.literal(true, { error: 'write open: true' }).optional(),
    time: time.optional(),
    date_means: z.enum(DATE_READINGS, { error: M.dateMeansValue }).optional(),
    starting: dateOrRelative.optional(),
    until: dateOrRelative.optional(),
  })
  .superRefine((s, ctx) => {
    const kinds = SCHEDULE_KINDS.filter((k) => s[k] !== undefined);
    const list = SCHEDULE_KINDS.join(', ');
    if (kinds.length === 0) {
      ctx.addIssue({ code: 'custom', message: `schedule needs exactly one of: ${list}`, path: [] });
      return;
    }
    if (kinds.length > 1) {
      for (const k of kinds.slice(1)) {
        ctx.addIssue({
          code: 'custom',
          message: `schedule has both '${kinds[0]}' and '${k}': a schedule takes exactly one of ${list}; split it into two deadlines if both are meant`,
          path: [k],
          params: { at: 'key' },
        });
      }
      return;
    }
    const kind = kinds[0];
    const allowed = new Set([kind, ...SCHEDULE_EXTRAS[kind]]);
    for (const key of Object.keys(s) as Array<keyof typeof s>) {
      if (s[key] === undefined || allowed.has(key)) continue;
      const users = SCHEDULE_KINDS.filter((k) => SCHEDULE_EXTRAS[k].includes(key));
      ctx.addIssue({
        code: 'custom',
        message:
          kind === 'open'
            ? `'${key}' does not apply to open: true (accepted any time in the period); remove it`
            : `'${key}' does not apply to a '${kind}' schedule (it goes with ${users.join(', ')})`,
        path: [key],
        params: { at: 'key' },
      });
    }
    if (kind === 'relative_to') {
      const offsets = (['days', 'working_days', 'hours'] as const).filter((k) => s[k] !== undefined);
      if (offsets.length > 1) {
        ctx.addIssue({
          code: 'custom',
          message: offsets.includes('hours') ? M.relativeOneOffset(offsets) : 'give either days (calendar days) or working_days, not both',
          path: [offsets[1]],
          params: { at: 'key' },
        });
      }
      if (s.hours !== undefined && s.time !== undefined) ctx.addIssue({ code: 'custom', message: M.hoursWithTime, path: ['time'], params: { at: 'key' } });
      if (s.hours !== undefined && s.date_means !== undefined) ctx.addIssue({ code: 'custom', message: M.dateMeansWithHours, path: ['date_means'], params: { at: 'key' } });
    }
    if (s.date_means !== undefined && s.time !== undefined) ctx.addIssue({ code: 'custom', message: M.dateMeansWithTime, path: ['date_means'], params: { at: 'key' } });
    const rule = kind === 'monthly' && typeof s.monthly === 'object' ? s.monthly : kind === 'quarterly' ? s.quarterly : undefined;
    if (rule) {
      const which = MONTH_RULE_KEYS.find((k) => rule[k] !== undefined);
      const path = [kind, 'month'];
      if (kind === 'monthly' && rule.month !== undefined) ctx.addIssue({ code: 'custom', message: M.monthOfQuarterInMonthly, path, params: { at: 'key' } });
      if (kind === 'quarterly' && which !== undefined) {
        const fromEnd = which === 'days_after' || which === 'working_days_after';
        if (fromEnd && rule.month !== undefined) ctx.addIssue({ code: 'custom', message: M.monthOfQuarterNotHere(which), path, params: { at: 'key' } });
        if (!fromEnd && rule.month === undefined) ctx.addIssue({ code: 'custom', message: M.monthOfQuarterMissing, path: [kind], params: { at: 'key' } });
      }
    }
  });

export type ScheduleInput = z.infer<typeof schedule>;
export type DateOrRelative = z.infer<typeof dateOrRelative>;
