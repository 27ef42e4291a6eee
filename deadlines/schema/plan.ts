/**
 * The shape of a campaign plan (docs/plan-format.md): its sections, reminders, escalation rungs
 * and how their chasing ends, form columns (the schedule kinds are in schedule.ts). Every object is strict: an
 * unknown key is an error (usually a typo; parse/structure.ts suggests the closest known key).
 * The format of single values is in values.ts; checks that relate parts of the plan to each
 * other (references, duplicate ids, dates inside the period, ladders) are in compile/.
 */
import { z } from 'zod';
import { closest } from '../diagnostics';
import { toIssue } from '../messages/core';
import { SHAPE_MESSAGES as M } from '../messages/shape';
import { VALUE_MESSAGES, valueWords } from '../messages/values';
import { schedule } from './schedule';
import { campaignId, date, dateProblem, duration, email, id, issue, text, time, timezone } from './values';

export const contact = z.strictObject({
  name: text.optional(),
  email,
  phone: z.string({ error: (iss) => toIssue(VALUE_MESSAGES.expectedPhone(valueWords(iss.input))) }).optional(),
});

export const NON_WORKING_DAY_RULES = ['keep', 'previous_working_day', 'next_working_day'] as const;
export type NonWorkingDayRule = (typeof NON_WORKING_DAY_RULES)[number];

export const reminder = z.union(
  [duration, z.strictObject({ date, time: time.optional() })],
  { error: toIssue(M.reminderValue()) },
);

export const AUDIENCES = ['department', 'leaders', 'coordinator'] as const;

/** How a repeating rung's chasing may end, besides a date: see RungEndInput. */
export const RUNG_ENDS = ['submitted', 'next', 'period_end'] as const;

const rungEndWord = z.string().superRefine((s, ctx) => {
  if ((RUNG_ENDS as readonly string[]).includes(s)) return;
  if (/^\d{4}-/.test(s)) {
    const problem = dateProblem(s);
    if (problem) ctx.addIssue(issue(problem));
    return;
  }
  ctx.addIssue(issue(M.rungUntilWord(s, closest(s, RUNG_ENDS))));
});

/** until: of a repeating rung: submitted | next | period_end | a date | { next_of: deadline-id }. */
const rungEnd = z.union([rungEndWord, z.strictObject({ next_of: id })], { error: toIssue(M.rungUntilValue()) });
export type RungEndInput = z.infer<typeof rungEnd>;

const TIMES = toIssue(M.rungTimes());

export const rung = z
  .strictObject({
    after: duration.optional(),
    every: duration.optional(),
    until: rungEnd.optional(),
    times: z.number({ error: TIMES }).int({ error: TIMES }).min(1, { error: TIMES }).max(1000, { error: TIMES }).optional(),
    to: z.array(z.enum(AUDIENCES), { error: toIssue(M.toList()) }).min(1, { error: toIssue(M.toEmpty()) }),
    label: text.optional(),
  })
  .superRefine((r, ctx) => {
    if (r.after === undefined && r.every === undefined) {
      ctx.addIssue({ ...issue(M.rungNeedsOne()), path: [] });
    } else if (r.after !== undefined && r.every !== undefined) {
      ctx.addIssue({ ...issue(M.rungBoth()), path: ['every'], params: { at: 'key' } });
    }
    if (r.after !== undefined) {
      for (const key of ['until', 'times'] as const) {
        if (r[key] !== undefined) ctx.addIssue({ ...issue(M.rungEndOnlyOnEvery(key)), path: [key], params: { at: 'key' } });
      }
    }
    const seen = new Set<string>();
    r.to.forEach((a, i) => {
      if (seen.has(a)) ctx.addIssue({ ...issue(M.listedTwiceInTo(a)), path: ['to', i] });
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
        ctx.addIssue({ ...issue(M.ofWhichNeedsNumber(c.id, c.type)), path: ['of_which'], params: { at: 'key' } });
      }
      if (c.cumulative && !numeric) {
        ctx.addIssue({ ...issue(M.cumulativeNeedsNumber(c.id, c.type)), path: ['cumulative'], params: { at: 'key' } });
      }
      if (c.unit !== undefined && !numeric) {
        ctx.addIssue({ ...issue(M.unitNeedsNumber(c.id, c.type)), path: ['unit'], params: { at: 'key' } });
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
          z.string().regex(/^\d{4}$/, { error: toIssue(VALUE_MESSAGES.yearKey()) }),
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
        contacts: z.array(contact).min(1, { error: toIssue(M.departmentNeedsContact()) }),
        leaders: z.array(contact).optional(),
      }),
    )
    .min(1, { error: toIssue(M.listOneDepartment()) }),
  forms: z
    .array(
      z.strictObject({
        id,
        title: text,
        columns: z.array(column).min(1, { error: toIssue(M.formNeedsColumn()) }),
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
        from: z.array(id, { error: toIssue(M.fromList()) }).min(1, { error: toIssue(M.fromEmpty()) }),
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
    .min(1, { error: toIssue(M.listOneDeadline()) }),
});

export type PlanInput = z.infer<typeof planSchema>;
export type DeadlineInput = PlanInput['deadlines'][number];
export type ReminderInput = z.infer<typeof reminder>;
export type RungInput = z.infer<typeof rung>;
