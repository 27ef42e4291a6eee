/**
 * The shape of a campaign plan (docs/plan-format.md): its sections, the schedule kinds and which
 * keys go with each, reminders, escalation rungs, form columns. Every object is strict: an
 * unknown key is an error (usually a typo; parse/structure.ts suggests the closest known key).
 * The format of single values is in values.ts; checks that relate parts of the plan to each
 * other (references, duplicate ids, dates inside the period, ladders) are in compile/.
 */
import { z } from 'zod';
import { parseLunarText } from '../calendar';
import { campaignId, date, describeValue, duration, email, id, show, text, time, timezone, weekday } from './values';

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
