/**
 * The format of one value of a plan, each check with a message that says what was written and
 * what to write instead: ids, dates that exist, times of day, durations, e-mail addresses, time
 * zones, weekdays. These need no other part of the plan; plan.ts builds the plan's shape from them.
 */
import { DateTime } from 'luxon';
import { z } from 'zod';
import { closest } from '../diagnostics';
import { DURATION_PATTERN } from '../durations';
import { type Message, toIssue } from '../messages/core';
import { VALUE_MESSAGES as M, valueWords } from '../messages/values';
import { zoneProblem } from './timezones';

export { show } from '../messages/core';

/** A custom zod issue carrying a catalogue message. */
export const issue = (m: Message) => ({ code: 'custom' as const, message: toIssue(m) });

/** Non-empty text. */
export const text = z.string().refine((s) => s.trim() !== '', { error: toIssue(M.notEmpty()) });

export const ID_PATTERN = /^[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?$/;

export const id = z.string().superRefine((s, ctx) => {
  if (s.length > 64) ctx.addIssue(issue(M.idTooLong(s)));
  else if (!ID_PATTERN.test(s)) ctx.addIssue(issue(M.idInvalid(s)));
});

export const CAMPAIGN_ID_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export const campaignId = z.string().superRefine((s, ctx) => {
  if (s.length > 64 || !CAMPAIGN_ID_PATTERN.test(s)) ctx.addIssue(issue(M.campaignIdInvalid(s)));
});

const MONTH_DAYS_HINT = (year: number, month: number) => DateTime.local(year, month, 1).daysInMonth;

/** Why a yyyy-MM-dd string is not a real date, or undefined when it is one. */
export function dateProblem(s: string): Message | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) {
    const loose = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(s.trim());
    if (loose) return M.dateNotYmd(s, `${loose[1]}-${loose[2].padStart(2, '0')}-${loose[3].padStart(2, '0')}`);
    return M.notADate(s);
  }
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1901 || y > 2099) return M.yearOutOfRange(s, y);
  if (mo < 1 || mo > 12) return M.noSuchMonth(s, mo);
  const days = MONTH_DAYS_HINT(y, mo) ?? 31;
  if (d < 1 || d > days) return M.noSuchDay(s, y, mo, days);
  return undefined;
}

/** A local date yyyy-MM-dd that exists. YAML 1.2 reads an unquoted 2024-02-02 as text, as wanted. */
export const date = z.string({ error: (iss) => toIssue(M.expectedDate(valueWords(iss.input))) }).superRefine((s, ctx) => {
  const problem = dateProblem(s);
  if (problem) ctx.addIssue(issue(problem));
});

/** Why a HH:mm string is not a time of day, or undefined. */
export function timeProblem(s: string): Message | undefined {
  const m = /^(\d{1,2})[:：](\d{2})$/.exec(s.trim());
  if (!m) return M.notATime(s);
  const [h, min] = [Number(m[1]), Number(m[2])];
  if (h > 23) return M.hourRange(s);
  if (min > 59) return M.minuteRange(s);
  if (!/^\d{2}:\d{2}$/.test(s)) return M.timeTwoDigits(s, `${String(h).padStart(2, '0')}:${m[2]}`);
  return undefined;
}

export const time = z
  .string({ error: (iss) => toIssue(typeof iss.input === 'number' ? M.timeIsNumber(iss.input) : M.expectedTime(valueWords(iss.input))) })
  .superRefine((s, ctx) => {
    const problem = timeProblem(s);
    if (problem) ctx.addIssue(issue(problem));
  });

export const duration = z
  .string({ error: (iss) => toIssue(M.expectedDuration(valueWords(iss.input))) })
  .superRefine((s, ctx) => {
    if (!DURATION_PATTERN.test(s.trim())) ctx.addIssue(issue(M.notADuration(s)));
  });

const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export const email = z.string().superRefine((s, ctx) => {
  if (!EMAIL.test(s) || s.length > 254 || s.includes('..')) ctx.addIssue(issue(M.notAnEmail(s)));
});

/** An IANA time zone name, in any letter case (compile/campaign.ts writes it as IANA spells it, with a warning). */
export const timezone = z.string().superRefine((s, ctx) => {
  const problem = zoneProblem(s);
  if (problem) ctx.addIssue(issue(problem));
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
  .string({ error: (iss) => toIssue(M.expectedWeekday(valueWords(iss.input))) })
  .superRefine((s, ctx) => {
    if (parseWeekday(s) !== undefined) return;
    const near = closest(s.toLowerCase(), ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday']);
    ctx.addIssue(issue(M.notAWeekday(s, near)));
  });
