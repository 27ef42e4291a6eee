/**
 * The shape of a campaign plan (docs/plan-format.md): its sections, reminders, escalation rungs
 * and how their chasing ends, form columns (the schedule kinds are in schedule.ts). Every object is strict: an
 * unknown key is an error (usually a typo; parse/structure.ts suggests the closest known key).
 * The format of single values is in values.ts; checks that relate parts of the plan to each
 * other (references, duplicate ids, dates inside the period, ladders) are in compile/.
 */
import { z } from 'zod';
import { closest } from '../diagnostics';
import { SCHEMA_MESSAGES as M } from './messages';
import { schedule } from './schedule';
import { campaignId, date, dateProblem, describeValue, duration, email, id, show, text, time, timezone } from './values';

export const contact = z.strictObject({
  name: text.optional(),
  email,
  phone: z.string({ error: (iss) => `expected a phone number in quotes, e.g. "0351-0000000", found ${describeValue(iss.input)}` }).optional(),
});

export const NON_WORKING_DAY_RULES = ['keep', 'previous_working_day', 'next_working_day'] as const;
export type NonWorkingDayRule = (typeof NON_WORKING_DAY_RULES)[number];

export const reminder = z.union(
  [duration, z.strictObject({ date, time: time.optional() })],
  { error: 'expected a duration before due like 3d, 1d, 2h, 1wd, or { date: 2024-02-01, time: "09:00" }' },
);

export const AUDIENCES = ['department', 'leaders', 'coordinator'] as const;

/** How a repeating rung's chasing may end, besides a date: see RungEndInput. */
export const RUNG_ENDS = ['submitted', 'next', 'period_end'] as const;

const rungEndWord = z.string().superRefine((s, ctx) => {
  if ((RUNG_ENDS as readonly string[]).includes(s)) return;
  if (/^\d{4}-/.test(s)) {
    const problem = dateProblem(s);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
    return;
  }
  const near = closest(s, RUNG_ENDS);
  ctx.addIssue({ code: 'custom', message: `${show(s)}: ${M.rungUntilValue}${near ? ` — did you mean '${near}'?` : ''}` });
});

/** until: of a repeating rung: submitted | next | period_end | a date | { next_of: deadline-id }. */
const rungEnd = z.union([rungEndWord, z.strictObject({ next_of: id })], { error: M.rungUntilValue });
export type RungEndInput = z.infer<typeof rungEnd>;

export const rung = z
  .strictObject({
    after: duration.optional(),
    every: duration.optional(),
    until: rungEnd.optional(),
    times: z.number({ error: M.rungTimes }).int({ error: M.rungTimes }).min(1, { error: M.rungTimes }).max(1000, { error: M.rungTimes }).optional(),
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
    if (r.after !== undefined) {
      for (const key of ['until', 'times'] as const) {
        if (r[key] !== undefined) ctx.addIssue({ code: 'custom', message: M.rungEndOnlyOnEvery(key), path: [key], params: { at: 'key' } });
      }
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
    issued: date.optional(),
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
export type ReminderInput = z.infer<typeof reminder>;
export type RungInput = z.infer<typeof rung>;
