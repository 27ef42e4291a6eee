/**
 * The structure of a campaign plan (docs/plan-format.md), as a zod schema.
 *
 * Every object is strict: an unknown key is an error (usually a typo; `parse.ts` suggests the
 * closest known key). Format checks that need no other part of the plan live here too (dates
 * that exist, times, durations, weekdays, e-mail addresses, time zones, lunar wording), each
 * with a message that says what was written and what to write instead. Checks that relate parts
 * of the plan to each other (references, duplicate ids, dates inside the period, ladders) are in
 * `compile.ts`.
 */
import { DateTime, IANAZone } from 'luxon';
import { z } from 'zod';
import { parseLunarText } from './calendar';
import { DURATION_HELP, DURATION_PATTERN } from './durations';
import { closest } from './diagnostics';

// ---------------------------------------------------------------------------------------------
// Scalars

const show = (v: unknown): string => (typeof v === 'string' ? `'${v}'` : JSON.stringify(v) ?? String(v));

/** Non-empty text. */
export const text = z.string().refine((s) => s.trim() !== '', { error: 'must not be empty' });

export const ID_PATTERN = /^[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?$/;
export const ID_HELP = "use lower-case letters a-z, digits, '-' and '_' (e.g. taiyuan, weekly-stats)";

export const id = z.string().superRefine((s, ctx) => {
  if (s.length > 64) ctx.addIssue({ code: 'custom', message: `id ${show(s)} is ${s.length} characters long; keep ids to 64 characters or fewer` });
  else if (!ID_PATTERN.test(s)) ctx.addIssue({ code: 'custom', message: `${show(s)} is not a valid id: ${ID_HELP}` });
});

export const CAMPAIGN_ID_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export const campaignId = z.string().superRefine((s, ctx) => {
  if (s.length > 64 || !CAMPAIGN_ID_PATTERN.test(s)) {
    ctx.addIssue({
      code: 'custom',
      message: `${show(s)} is not a valid campaign id: use lower-case letters, digits and single '-' between them, at most 64 characters (e.g. shanxi-2024)`,
    });
  }
});

const MONTH_DAYS_HINT = (year: number, month: number) => DateTime.local(year, month, 1).daysInMonth;

/** Why a yyyy-MM-dd string is not a real date, or undefined when it is one. */
export function dateProblem(s: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) {
    const loose = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(s.trim());
    if (loose) {
      const fixed = `${loose[1]}-${loose[2].padStart(2, '0')}-${loose[3].padStart(2, '0')}`;
      return `${show(s)} is not written as yyyy-MM-dd; write ${fixed}`;
    }
    return `${show(s)} is not a date: write it as yyyy-MM-dd, e.g. 2024-02-02`;
  }
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1901 || y > 2099) return `${show(s)}: the year ${y} is out of range (1901-2099)`;
  if (mo < 1 || mo > 12) return `${show(s)} is not a date: there is no month ${mo}`;
  const days = MONTH_DAYS_HINT(y, mo) ?? 31;
  if (d < 1 || d > days) {
    const monthName = DateTime.local(y, mo, 1).setLocale('en').toFormat('LLLL yyyy');
    return `${show(s)} is not a date: ${monthName} has ${days} days`;
  }
  return undefined;
}

/** A local date yyyy-MM-dd that exists. YAML 1.2 reads an unquoted 2024-02-02 as text, as wanted. */
export const date = z.string({ error: (iss) => `expected a date like 2024-02-02, found ${describeValue(iss.input)}` }).superRefine((s, ctx) => {
  const problem = dateProblem(s);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** Why a HH:mm string is not a time of day, or undefined. */
export function timeProblem(s: string): string | undefined {
  const m = /^(\d{1,2})[:：](\d{2})$/.exec(s.trim());
  if (!m) return `${show(s)} is not a time: write it as "HH:mm" in quotes, e.g. "18:00"`;
  const [h, min] = [Number(m[1]), Number(m[2])];
  if (h > 23) return `${show(s)} is not a time of day: hours go from 00 to 23 (midnight is "00:00" of the next day; the end of a day is "23:59")`;
  if (min > 59) return `${show(s)} is not a time of day: minutes go from 00 to 59`;
  if (!/^\d{2}:\d{2}$/.test(s)) return `${show(s)}: write the time as "HH:mm" with two digits each and an ASCII colon, e.g. "${String(h).padStart(2, '0')}:${m[2]}"`;
  return undefined;
}

export const time = z
  .string({
    error: (iss) =>
      typeof iss.input === 'number'
        ? `expected a time like "18:00" in quotes, found the number ${iss.input} (YAML reads some unquoted times as numbers)`
        : `expected a time like "18:00", found ${describeValue(iss.input)}`,
  })
  .superRefine((s, ctx) => {
    const problem = timeProblem(s);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const duration = z
  .string({ error: (iss) => `expected a duration like 3d, 2h, 30m or 1wd, found ${describeValue(iss.input)}` })
  .superRefine((s, ctx) => {
    if (!DURATION_PATTERN.test(s.trim())) ctx.addIssue({ code: 'custom', message: `${show(s)} is not a duration: ${DURATION_HELP}` });
  });

const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export const email = z.string().superRefine((s, ctx) => {
  if (!EMAIL.test(s) || s.length > 254 || s.includes('..')) {
    ctx.addIssue({ code: 'custom', message: `${show(s)} is not an e-mail address: write one address like name@example.org (no name, spaces or brackets around it)` });
  }
});

export const timezone = z.string().superRefine((s, ctx) => {
  if (IANAZone.isValidZone(s)) return;
  let hint = /beijing|china|peking|prc/i.test(s) ? ' — China uses Asia/Shanghai' : '';
  if (!hint) try {
    const zones = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('timeZone') ?? [];
    const near = closest(s, zones);
    if (near) hint = ` — did you mean '${near}'?`;
  } catch {
    // no suggestions on runtimes without the zone list
  }
  ctx.addIssue({ code: 'custom', message: `${show(s)} is not an IANA time zone name${hint || ' (e.g. Asia/Shanghai, America/New_York)'}` });
});

export const WEEKDAYS: Record<string, number> = {
  monday: 1, tuesday: 2, wednesday: 3, thursday: 4, friday: 5, saturday: 6, sunday: 7,
  mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6, sun: 7,
  周一: 1, 周二: 2, 周三: 3, 周四: 4, 周五: 5, 周六: 6, 周日: 7, 周天: 7,
  星期一: 1, 星期二: 2, 星期三: 3, 星期四: 4, 星期五: 5, 星期六: 6, 星期日: 7, 星期天: 7,
};

/** ISO weekday (1 = Monday) of a weekday name, or undefined. */
export function parseWeekday(s: string): number | undefined {
  return WEEKDAYS[s.trim().toLowerCase()];
}

export const weekday = z
  .string({ error: (iss) => `expected a weekday like thursday or 周四, found ${describeValue(iss.input)}` })
  .superRefine((s, ctx) => {
    if (parseWeekday(s) !== undefined) return;
    const near = closest(s.toLowerCase(), ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday']);
    ctx.addIssue({
      code: 'custom',
      message: `${show(s)} is not a weekday${near ? ` — did you mean '${near}'?` : ''} (write monday … sunday or 周一 … 周日)`,
    });
  });

// ---------------------------------------------------------------------------------------------
// Building blocks

export const contact = z.strictObject({
  name: text.optional(),
  email,
  phone: z.string({ error: (iss) => `expected a phone number in quotes, e.g. "0351-0000000", found ${describeValue(iss.input)}` }).optional(),
});

const dateOrRelative = z.union(
  [
    date,
    z.strictObject({
      relative_to: z.enum(['spring_festival', 'spring_festival_holiday_end', 'period_start', 'period_end']),
      days: z.number().int().optional(),
      working_days: z.number().int().optional(),
    }),
  ],
  { error: 'expected a date like 2024-02-02 or { relative_to: spring_festival, days: 1 }' },
);

export const ANCHORS = ['spring_festival', 'spring_festival_holiday_end', 'period_start', 'period_end'] as const;
export type Anchor = (typeof ANCHORS)[number];

export const NON_WORKING_DAY_RULES = ['keep', 'previous_working_day', 'next_working_day'] as const;
export type NonWorkingDayRule = (typeof NON_WORKING_DAY_RULES)[number];

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

export const SCHEDULE_KINDS = ['date', 'lunar', 'relative_to', 'weekly', 'half_monthly', 'every_working_days', 'open'] as const;
export type ScheduleKind = (typeof SCHEDULE_KINDS)[number];

/** Keys each schedule kind accepts besides its own. */
export const SCHEDULE_EXTRAS: Record<ScheduleKind, string[]> = {
  date: ['time'],
  lunar: ['time'],
  relative_to: ['days', 'working_days', 'time'],
  weekly: ['time', 'starting', 'until'],
  half_monthly: ['time', 'starting', 'until'],
  every_working_days: ['time', 'starting', 'until'],
  open: [],
};

export const schedule = z
  .strictObject({
    date: date.optional(),
    lunar: z.union([lunarText, lunarObject], { error: 'expected a lunar date like 腊月十五 or { month: 12, day: 15 }' }).optional(),
    relative_to: z.enum(ANCHORS).optional(),
    days: z.number().int().optional(),
    working_days: z.number().int().optional(),
    weekly: weekday.optional(),
    half_monthly: z.literal(true, { error: 'write half_monthly: true' }).optional(),
    every_working_days: z.number().int().min(1, { error: 'every_working_days must be a whole number of at least 1' }).max(250).optional(),
    open: z.literal(true, { error: 'write open: true' }).optional(),
    time: time.optional(),
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
    if (kind === 'relative_to' && s.days !== undefined && s.working_days !== undefined) {
      ctx.addIssue({ code: 'custom', message: 'give either days (calendar days) or working_days, not both', path: ['working_days'], params: { at: 'key' } });
    }
  });

export const reminder = z.union(
  [duration, z.strictObject({ date, time: time.optional() })],
  { error: 'expected a duration before due like 3d, 1d, 2h, 1wd, or { date: 2024-02-01, time: "09:00" }' },
);

export const AUDIENCES = ['department', 'leaders', 'coordinator'] as const;

export const rung = z
  .strictObject({
    after: duration.optional(),
    every: duration.optional(),
    to: z
      .array(z.enum(AUDIENCES), { error: 'expected a list like [department, leaders]' })
      .min(1, { error: 'to: name at least one of department, leaders, coordinator' }),
    label: text.optional(),
  })
  .superRefine((r, ctx) => {
    if (r.after === undefined && r.every === undefined) {
      ctx.addIssue({ code: 'custom', message: 'an escalation rung needs after: (once, e.g. after: 1wd) or every: (repeating, e.g. every: 1d)', path: [] });
    } else if (r.after !== undefined && r.every !== undefined) {
      ctx.addIssue({ code: 'custom', message: 'an escalation rung takes after: or every:, not both; split it into two rungs', path: ['every'], params: { at: 'key' } });
    }
    const seen = new Set<string>();
    r.to.forEach((a, i) => {
      if (seen.has(a)) ctx.addIssue({ code: 'custom', message: `'${a}' is listed twice in to:`, path: ['to', i] });
      seen.add(a);
    });
  });

const nonWorkingDayRule = z.enum(NON_WORKING_DAY_RULES);

export const COLUMN_TYPES = ['count', 'amount', 'text', 'names'] as const;

export interface ColumnInput {
  id: string;
  label: string;
  type: (typeof COLUMN_TYPES)[number];
  unit?: string;
  cumulative?: boolean;
  of_which?: ColumnInput[];
}

export const column: z.ZodType<ColumnInput> = z.lazy(() =>
  z
    .strictObject({
      id,
      label: text,
      type: z.enum(COLUMN_TYPES),
      unit: text.optional(),
      cumulative: z.boolean().optional(),
      of_which: z.array(column).min(1).optional(),
    })
    .superRefine((c, ctx) => {
      const numeric = c.type === 'count' || c.type === 'amount';
      if (c.of_which && !numeric) {
        ctx.addIssue({
          code: 'custom',
          message: `of_which ("其中" sub-columns) needs a count or amount column to add up under; column '${c.id}' is of type ${c.type}`,
          path: ['of_which'],
          params: { at: 'key' },
        });
      }
      if (c.cumulative && !numeric) {
        ctx.addIssue({
          code: 'custom',
          message: `cumulative applies to count and amount columns (a running total that may not decrease); column '${c.id}' is of type ${c.type}`,
          path: ['cumulative'],
          params: { at: 'key' },
        });
      }
      if (c.unit !== undefined && !numeric) {
        ctx.addIssue({ code: 'custom', message: `unit applies to count and amount columns; column '${c.id}' is of type ${c.type}`, path: ['unit'], params: { at: 'key' } });
      }
    }),
);

// ---------------------------------------------------------------------------------------------
// The plan

export const planSchema = z.strictObject({
  campaign: z.strictObject({
    id: campaignId,
    title: text,
    timezone: timezone.optional(),
    language: z.enum(['zh-CN', 'en']).optional(),
    period: z.strictObject({ start: date, end: date }),
    end_of_workday: time.optional(),
    office: z.strictObject({
      name: text,
      contacts: z.array(contact).optional(),
    }),
    notes: z.string().optional(),
  }),
  calendar: z
    .strictObject({
      holidays: z.array(date).optional(),
      workdays: z.array(date).optional(),
      spring_festival_holiday: z
        .record(
          z.string().regex(/^\d{4}$/, { error: 'key must be a year like 2027' }),
          z.strictObject({ start: date, end: date }),
        )
        .optional(),
    })
    .optional(),
  defaults: z
    .strictObject({
      on_non_working_day: nonWorkingDayRule.optional(),
      reminders: z.array(reminder).optional(),
      escalation: z.array(rung).optional(),
    })
    .optional(),
  groups: z.record(id, z.strictObject({ name: text, description: z.string().optional() })).optional(),
  departments: z
    .array(
      z.strictObject({
        id,
        name: text,
        groups: z.array(id).optional(),
        contacts: z.array(contact).min(1, { error: 'a department needs at least one contact with an email address' }),
        leaders: z.array(contact).optional(),
      }),
    )
    .min(1, { error: 'list at least one department' }),
  forms: z
    .array(
      z.strictObject({
        id,
        title: text,
        columns: z.array(column).min(1, { error: 'a form needs at least one column' }),
      }),
    )
    .optional(),
  deadlines: z
    .array(
      z.strictObject({
        id,
        title: text,
        description: z.string().optional(),
        quote: z.string().optional(),
        from: z.array(id, { error: 'expected a list of department and group ids, e.g. [cities] or [taiyuan, datong]' }).min(1, {
          error: 'from: name at least one department or group',
        }),
        submit: z
          .strictObject({
            report: z.boolean().optional(),
            attachments: z.boolean().optional(),
            form: id.optional(),
          })
          .optional(),
        schedule,
        reminders: z.array(reminder).optional(),
        escalation: z.array(rung).optional(),
        on_non_working_day: nonWorkingDayRule.optional(),
      }),
    )
    .min(1, { error: 'list at least one deadline' }),
});

export type PlanInput = z.infer<typeof planSchema>;
export type DeadlineInput = PlanInput['deadlines'][number];
export type ScheduleInput = z.infer<typeof schedule>;
export type ReminderInput = z.infer<typeof reminder>;
export type RungInput = z.infer<typeof rung>;
export type DateOrRelative = z.infer<typeof dateOrRelative>;

/** Words for a value found where something else was expected. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'an empty value';
  if (typeof v === 'string') return v.trim() === '' ? 'empty text' : `the text ${show(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'number') return `the number ${v}`;
  if (typeof v === 'boolean') return `${v}`;
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping (key: value)';
  return typeof v;
}
