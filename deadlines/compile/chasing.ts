/**
 * When a repeating escalation rung (every: …) stops chasing one occurrence, and how many messages
 * one department can receive for one obligation.
 *
 * A repeating rung always stops when the department submits (at run time), when the deadline's
 * next occurrence is due (that one takes over) and at the period end. On top of these it ends as
 * the rung says: `until: <date>` (the last day a chaser may go out), `until: next` (the next
 * occurrence of this deadline), `until: { next_of: <deadline> }` (the next due of another
 * deadline, e.g. the next phase), `times: N` (at most N chasers), `until: submitted` or
 * `until: period_end` (no end but the natural ones: today's behaviour).
 *
 * A rung that says nothing about its end stops after DEFAULT_CHASE_REPEATS chasers. The number is
 * one quarter of working days: chasing every working day (every: 1wd), as the shipped plans do,
 * reaches the end of a 春风行动-sized campaign (two and a half to three months: the longest chase
 * in definitions/ is tianjin-2023's 工作专班人员名单, 56 chasers from 6 January to 31 March) and
 * never outlives the next report of the longest rhythm the format has (quarterly); chasing every
 * calendar day stops after two months instead of running through a year-long plan (a one-off in
 * January with every: 1d used to get 334 daily chasers). A smaller default would cut the shipped
 * campaigns' chasing short of their own period end and change plans that run today.
 *
 * `validate` warns when one department can receive more than MESSAGES_PER_OBLIGATION_WARNING
 * messages (reminders plus escalations addressed to the department or its leaders) for one
 * obligation: the same quarter of working days, one message each. The shipped plans stay at or
 * under it (at most 59); a plan that relies on the default bound with daily chasing goes over it
 * and is told so, with the way to end the chasing sooner.
 */
import type { DateTime } from 'luxon';
import { addCalendarDays } from '../calendar';
import type { PathSegment } from '../parse';
import type { RungEndInput } from '../schema';
import { type CompiledOccurrence, messagesToDepartment } from '../timeline';
import { type Campaign, localInstant } from './campaign';
import { LADDER_MESSAGES as M } from '../messages/ladder';
import type { Report } from './report';

/** Chasers a repeating rung sends for one occurrence when it states no end (see the header). */
export const DEFAULT_CHASE_REPEATS = 60;
/** Messages to one department for one obligation above which `validate` warns (see the header). */
export const MESSAGES_PER_OBLIGATION_WARNING = 60;

/** What a rung's end needs to know about the plan's deadlines, and what it found. */
export interface ChaseContext {
  /** Due instants of a deadline by id (this one's included), in time order; undefined when unknown or not compiled. */
  duesOf(id: string): DateTime[] | undefined;
  /** This deadline's id. */
  self: string;
  /** Occurrence dates where the default bound stopped the chasing before its natural end (one warning per deadline). */
  capped: string[];
}

/** How one occurrence's repeating rung ends: an instant it stops before, and a number of chasers. */
export interface ChaseEnd {
  /** Exclusive: no chaser at or after it. */
  stopAt?: DateTime;
  max: number;
  /** True when max is the default bound (the rung stated no end that applies here). */
  byDefault: boolean;
}

/** The end of a repeating rung for the occurrence due at `due`. */
export function chaseEnd(
  campaign: Campaign,
  rung: { until?: RungEndInput; times?: number; path?: PathSegment[] },
  due: DateTime,
  chase: ChaseContext,
): ChaseEnd {
  const bounded = (stopAt?: DateTime): ChaseEnd => ({ ...(stopAt ? { stopAt } : {}), max: rung.times ?? Infinity, byDefault: false });
  const fallback: ChaseEnd = rung.times !== undefined ? bounded() : { max: DEFAULT_CHASE_REPEATS, byDefault: true };
  const u = rung.until;
  if (u === undefined) return fallback;
  if (u === 'submitted' || u === 'period_end') return bounded();
  if (u === 'next' || typeof u === 'object') {
    const next = chase.duesOf(u === 'next' ? chase.self : u.next_of)?.find((t) => t > due);
    return next ? bounded(next) : fallback;
  }
  return bounded(localInstant(campaign, addCalendarDays(u, 1), '00:00', rung.path ? { path: [...rung.path, 'until'] } : undefined));
}

/**
 * A repeating rung whose until: date comes before the deadline's first due never sends a chaser:
 * almost certainly a wrong date (a year or month off), so it is warned at the date.
 */
export function warnUntilBeforeDue(
  report: Report,
  deadline: string,
  rung: { until?: RungEndInput; duration: { text: string }; path: PathSegment[] },
  first: { date: string; due: DateTime },
): void {
  if (typeof rung.until !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(rung.until) || rung.until >= first.date) return;
  report.warn([...rung.path, 'until'], M.untilBeforeDue(deadline, rung.duration.text, rung.until, first.due.toFormat('yyyy-MM-dd HH:mm')));
}

/**
 * The warnings about one deadline's chasing: the default bound cut it short somewhere, or one
 * department can receive more than MESSAGES_PER_OBLIGATION_WARNING messages for one obligation
 * (only one of the two: the first says it all).
 */
export function warnChasing(report: Report, deadline: string, every: string | undefined, occurrences: CompiledOccurrence[], chase: ChaseContext, path: PathSegment[]): void {
  if (chase.capped.length > 0 && every !== undefined) {
    report.warn(path, M.chaseCapped(deadline, every, DEFAULT_CHASE_REPEATS, chase.capped), 'key');
    return;
  }
  let worst: CompiledOccurrence | undefined;
  for (const o of occurrences) if (!worst || messagesToDepartment(o) > messagesToDepartment(worst)) worst = o;
  if (worst && messagesToDepartment(worst) > MESSAGES_PER_OBLIGATION_WARNING) {
    report.warn(path, M.tooManyMessages(deadline, messagesToDepartment(worst), MESSAGES_PER_OBLIGATION_WARNING, worst.key), 'key');
  }
}
