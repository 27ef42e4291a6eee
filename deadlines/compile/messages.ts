/**
 * The wording of the compiler's diagnostics about monthly and quarterly schedules, lists of
 * dates, deadlines relative to other deadlines, the notice date (campaign.issued), the reading of
 * "X月Y日前" and the end of chasing: one function per message, so that each text lives in one
 * place and can later be given in Chinese as well without touching the rules that raise it.
 * English for now, in the format's own terms (keys as written in the plan).
 */
import { listSome } from './report';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export const COMPILE_MESSAGES = {
  // ---- monthly, quarterly, lists of dates --------------------------------------------------
  shortMonthLastDay: (deadline: string, what: string, moved: string[], stated: boolean) =>
    `deadline '${deadline}': ${what}: ${plural(moved.length, 'month')} ${moved.length === 1 ? 'has' : 'have'} no such day, so the report is due on the month's last day there: ${listSome(moved)}` +
    (stated ? '' : " (short_month: last_day, the default; write short_month: last_day to confirm it, or short_month: skip for no report in those months)"),
  shortMonthSkipped: (deadline: string, what: string, months: string[]) =>
    `deadline '${deadline}': ${what}: no report in ${listSome(months)}, which ${months.length === 1 ? 'has' : 'have'} no such day (short_month: skip)`,
  workingDayMissing: (deadline: string, what: string, months: string[]) =>
    `deadline '${deadline}': ${what}: ${listSome(months)} ${months.length === 1 ? 'has' : 'have'} fewer working days than that, so there is no report there; check the number`,
  dateOutsidePeriod: (deadline: string, date: string, side: 'before' | 'after', bound: string) =>
    `deadline '${deadline}': ${date} is ${side} the period ${side === 'before' ? 'starts' : 'ends'} (${bound}); correct the date or widen campaign.period`,
  dateListedTwice: (deadline: string, date: string) => `deadline '${deadline}': ${date} is listed twice in dates:; remove one`,

  // ---- deadlines relative to other deadlines ------------------------------------------------
  unknownDeadline: (what: string, id: string, near: string | undefined) =>
    `${what} names the deadline '${id}', which the plan does not have${near ? ` — did you mean '${near}'?` : ''} (deadline ids are under deadlines:)`,
  relativeToItself: (deadline: string) =>
    `deadline '${deadline}' is due relative to itself; count from another deadline, from an anchor (period_start, period_end, issued, spring_festival) or give a date`,
  relativeCycle: (cycle: string[]) =>
    `deadlines due relative to each other in a circle: ${cycle.map((d) => `'${d}'`).join(' → ')}; none of them can be computed — count one of them from a date or an anchor instead`,
  relativeToOpen: (deadline: string, target: string) =>
    `deadline '${deadline}' counts from '${target}', which is open (accepted any time) and has no due time; count from period_end or a date instead`,
  relativeOccurrenceMissing: (deadline: string, target: string, n: number, count: number) =>
    `deadline '${deadline}' counts from occurrence ${n} of '${target}', which has only ${plural(count, 'occurrence')}`,

  // ---- the notice date ----------------------------------------------------------------------
  issuedNeeded: () => "relative_to: issued counts from the notice's date: add issued: yyyy-MM-dd (成文日期 or 印发日期) under campaign:",
  issuedAfterPeriod: (issued: string, end: string) =>
    `campaign.issued (${issued}) is after the period ends (${end}); the notice must be issued before its campaign is over — check both dates`,
  dueBeforeIssued: (deadline: string, due: string, issued: string) =>
    `deadline '${deadline}' is due on ${due}, before the notice is issued (campaign.issued: ${issued}); nobody can meet a deadline set by a notice they have not received — check the date, the schedule's starting:, or campaign.issued`,
  remindersBeforeIssued: (deadline: string, reminder: string, dates: string[], issued: string) =>
    `deadline '${deadline}': the ${reminder} reminder would be sent before the notice is issued (campaign.issued: ${issued}) for ${plural(dates.length, 'occurrence')} (${listSome(dates)}); it is left out there — nothing is sent before the notice exists`,

  // ---- the end of chasing ---------------------------------------------------------------------
  untilNextOnOneOff: (deadline: string) =>
    `deadline '${deadline}' is due once, so until: next (the next occurrence) never comes; give a date, times: N, or until: { next_of: <the deadline that follows> }`,
  chaseCapped: (deadline: string, every: string, cap: number, where: string[]) =>
    `deadline '${deadline}': the repeating rung (every ${every}) says nothing about when it ends, so it stops after ${cap} chasers, the default bound, for ${plural(where.length, 'occurrence')} (${listSome(where)}); add until: (a date, next, { next_of: … }) or times: N to the rung to choose its end`,
  tooManyMessages: (deadline: string, count: number, threshold: number, occurrence: string) =>
    `deadline '${deadline}': one department can receive up to ${count} messages (reminders and escalations) for one obligation (${occurrence}), more than ${threshold}; end the chasing sooner with until: or times: on the every: rung, or use a longer interval`,
};
