/**
 * The wording of the structural problems the schedule, escalation and reading keys can have
 * (schedule.ts, plan.ts), one entry per message, so that each text lives in exactly one place and
 * can be given in another language without hunting through the schema. English for now.
 */
export const SCHEMA_MESSAGES = {
  monthlyValue: 'expected a day of the month like 5, last (月底), or { working_day: 3 }, { working_day: last }, { working_days_after: 5 }, { days_after: 10 }',
  quarterlyValue: 'expected a rule like { working_days_after: 5 } (季后5个工作日), { days_after: 10 }, or { month: 3, day: 25 } / { month: 1, working_day: 1 } (the month of the quarter, 1 to 3)',
  monthRuleNeedsOne: (written: string[]) =>
    written.length === 0
      ? 'say which day: one of day, working_day, days_after, working_days_after'
      : `give one of day, working_day, days_after, working_days_after, not ${written.map((k) => `'${k}'`).join(' and ')}`,
  monthRuleDay: 'day is a day of the month, 1 to 31, or last (the month\'s last day, 月底)',
  monthRuleWorkingDay: 'working_day counts the working days of the month: 1 is the first, last (or -1) the last, -2 the one before it; at most 23 either way',
  monthRuleAfter: (key: string, max: number) => `${key} counts from the end of the month or quarter: a whole number from 0 to ${max}`,
  monthOfQuarterMissing: "say which month of the quarter: month: 1 (its first month: Jan, Apr, Jul, Oct), 2 or 3 (its last month: Mar, Jun, Sep, Dec)",
  monthOfQuarterValue: 'month of the quarter is 1, 2 or 3',
  monthOfQuarterNotHere: (key: string) => `month: does not go with ${key} (it counts from the end of each quarter); remove month:`,
  monthOfQuarterInMonthly: 'month: belongs to a quarterly schedule (the month of the quarter); a monthly schedule is due every month',
  everyWeeks: 'every_weeks is a whole number of weeks from 1 to 52 (every_weeks: 2 = 每两周)',
  datesList: 'expected a list of dates like [2024-03-05, 2024-06-05]',
  relativeToValue:
    'expected an anchor (spring_festival, spring_festival_holiday_end, period_start, period_end, issued) or another deadline: { deadline: weekly-stats, occurrence: last }',
  relativeOccurrence: "occurrence is same (one due for each of that deadline's occurrences), first, last, or a number (1 = the first)",
  relativeOneOffset: (keys: string[]) => `give one of days, working_days or hours, not ${keys.map((k) => `'${k}'`).join(' and ')}`,
  hoursWithTime: 'hours: counts from an instant and sets the time of day itself; remove time: (or use days / working_days with time:)',
  shortMonthValue: "short_month says what to do in a month that lacks the day: last_day (due on the month's last day, the default) or skip (no report that month)",
  rungUntilValue:
    'expected how the chasing ends: submitted, next (the next occurrence), period_end, a date like 2024-03-01, or { next_of: deadline-id } (the next occurrence of another deadline, e.g. the next phase)',
  rungEndOnlyOnEvery: (key: string) => `only a repeating rung (every: …) has an end; an after: rung happens once — remove ${key}:`,
  rungTimes: 'times is how many chasers the repeating rung sends at most: a whole number from 1 to 1000',
  dateMeansValue: 'date_means says how "X月Y日前" is read: end_of_workday (by the end of that working day, the default) or start_of_day (before that day begins)',
  dateMeansWithTime: 'date_means reads a day without a time, but the schedule gives time:, which already says when it is due; remove one of them',
  dateMeansWithHours: 'date_means reads a day, but the schedule counts hours from an instant; remove date_means',
};
