/**
 * The format of one value of a plan, each check with a message that says what was written and
 * what to write instead: ids, dates that exist, times of day, durations, e-mail addresses, time
 * zones, weekdays. These need no other part of the plan; plan.ts builds the plan's shape from them.
 */
import { DateTime, IANAZone } from 'luxon';
import { z } from 'zod';
import { closest } from '../diagnostics';
import { DURATION_HELP, DURATION_PATTERN } from '../durations';

/** A value as written in the plan, for messages: 'text' in quotes, anything else as JSON. */
export const show = (v: unknown): string => (typeof v === 'string' ? `'${v}'` : JSON.stringify(v) ?? String(v));

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
