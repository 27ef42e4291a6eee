/**
 * The campaign every deadline is computed in: its zone, language, end of the working day, its
 * period, and the working-day calendar (statutory holidays, 调休, the Spring Festival holiday
 * blocks the plan gives) for the years the period covers, and the notice's date when the plan
 * gives it (campaign.issued). Set up once, before any deadline, and
 * refused with a diagnostic when the period or the calendar cannot be used.
 *
 * Also the one way an instant is written and a local date and time become an instant: all
 * arithmetic is on local dates of the campaign zone (luxon), never on the process's time zone.
 */
import { DateTime } from 'luxon';
import { createWorkCalendar, isoWeekday, springFestival, toDayNumber, type WorkCalendar } from '../calendar';
import type { PlanInput } from '../schema';
import type { Language } from '../timeline';
import { COMPILE_MESSAGES } from './messages';
import type { Report } from './report';

export const DEFAULT_TIMEZONE = 'Asia/Shanghai';
export const DEFAULT_END_OF_WORKDAY = '18:00';
/** A campaign plan covers at most this many days (keeps every computation small). */
export const MAX_PERIOD_DAYS = 731;

export interface Campaign {
  readonly zone: string;
  readonly language: Language;
  /** "HH:mm": the due time of a deadline whose schedule gives none. */
  readonly endOfWorkday: string;
  /** First and last day of the period, yyyy-MM-dd, both included. */
  readonly periodStartDate: string;
  readonly periodEndDate: string;
  /** The first instant of the period's first day and the last instant of its last day. */
  readonly periodStart: DateTime;
  readonly periodEnd: DateTime;
  /** The notice's date (campaign.issued), yyyy-MM-dd, and the first instant of that day: nothing is sent before it. */
  readonly issued?: string;
  readonly issuedStart?: DateTime;
  readonly cal: WorkCalendar;
}

/** The one ISO-8601 form used for every instant: milliseconds and a numeric offset. */
export function formatInstant(dt: DateTime): string {
  return dt.toFormat("yyyy-MM-dd'T'HH:mm:ss.SSSZZ");
}

/** The instant of a local date and time ("HH:mm", or longer) in the campaign zone. */
export function localInstant(campaign: Campaign, date: string, time: string): DateTime {
  return DateTime.fromISO(`${date}T${time}`, { zone: campaign.zone });
}

const ENGLISH_WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/** "Saturday" or "Monday, 春节", for messages about days off. */
export function dayLabel(campaign: Campaign, date: string): string {
  const wd = ENGLISH_WEEKDAYS[isoWeekday(date) - 1];
  const holiday = campaign.cal.holidayName(date);
  return holiday ? `${wd}, ${holiday}` : wd;
}

/** The campaign's settings, period and calendar; undefined (with errors reported) when unusable. */
export function setUpCampaign(input: PlanInput, report: Report): Campaign | undefined {
  const c = input.campaign;
  const zone = c.timezone ?? DEFAULT_TIMEZONE;
  const span = toDayNumber(c.period.end) - toDayNumber(c.period.start);
  if (span < 0) {
    report.error(
      ['campaign', 'period', 'end'],
      `campaign.period: the end (${c.period.end}) is before the start (${c.period.start}); the period runs from start to end, both days included`,
    );
    return undefined;
  }
  if (span + 1 > MAX_PERIOD_DAYS) {
    report.error(['campaign', 'period', 'end'], `campaign.period is ${span + 1} days long; a campaign plan covers at most ${MAX_PERIOD_DAYS} days — split it into one plan per campaign`);
    return undefined;
  }
  if (c.issued !== undefined && toDayNumber(c.issued) > toDayNumber(c.period.end)) {
    report.error(['campaign', 'issued'], COMPILE_MESSAGES.issuedAfterPeriod(c.issued, c.period.end));
    return undefined;
  }
  const cal = buildCalendar(input.calendar ?? {}, report);
  if (!cal) return undefined;
  checkHolidayData(cal, c.period.start, c.period.end, report);
  return {
    zone,
    language: c.language ?? 'zh-CN',
    endOfWorkday: c.end_of_workday ?? DEFAULT_END_OF_WORKDAY,
    periodStartDate: c.period.start,
    periodEndDate: c.period.end,
    periodStart: DateTime.fromISO(c.period.start, { zone }).startOf('day'),
    periodEnd: DateTime.fromISO(c.period.end, { zone }).endOf('day'),
    ...(c.issued !== undefined ? { issued: c.issued, issuedStart: DateTime.fromISO(c.issued, { zone }).startOf('day') } : {}),
    cal,
  };
}

/** The working-day calendar with the plan's own holidays, 调休 days and Spring Festival blocks. */
function buildCalendar(cal: NonNullable<PlanInput['calendar']>, report: Report): WorkCalendar | undefined {
  const holidays = cal.holidays ?? [];
  const workdays = cal.workdays ?? [];
  let ok = true;
  const holidaySet = new Map(holidays.map((d, i) => [d, i]));
  workdays.forEach((d, i) => {
    if (holidaySet.has(d)) {
      report.error(['calendar', 'workdays', i], `${d} is listed both under calendar.holidays and calendar.workdays; a day is either off or worked — remove it from one list`);
      ok = false;
    }
  });
  const sfh: Record<number, { start: string; end: string }> = {};
  for (const [year, block] of Object.entries(cal.spring_festival_holiday ?? {})) {
    const a = toDayNumber(block.start);
    const b = toDayNumber(block.end);
    if (b < a) {
      report.error(['calendar', 'spring_festival_holiday', year, 'end'], `calendar.spring_festival_holiday ${year}: the end (${block.end}) is before the start (${block.start})`);
      ok = false;
    } else if (b - a > 31) {
      report.error(
        ['calendar', 'spring_festival_holiday', year],
        `calendar.spring_festival_holiday ${year}: ${block.start} to ${block.end} is longer than a month; give the statutory holiday block only`,
      );
      ok = false;
    } else {
      const sf = springFestival(Number(year));
      if (Math.abs(toDayNumber(sf) - a) > 20) {
        report.warn(
          ['calendar', 'spring_festival_holiday', year, 'start'],
          `calendar.spring_festival_holiday ${year} starts on ${block.start}, far from that year's Spring Festival (${sf}); check the year`,
        );
      }
      sfh[Number(year)] = { start: block.start, end: block.end };
    }
  }
  if (!ok) return undefined;
  try {
    return createWorkCalendar({ holidays, workdays, springFestivalHoliday: sfh });
  } catch (e) {
    report.error(['calendar'], `calendar: ${(e as Error).message}`, 'key');
    return undefined;
  }
}

/** Warns about each year of the period for which no statutory holidays are tabulated. */
function checkHolidayData(cal: WorkCalendar, periodStartDate: string, periodEndDate: string, report: Report): void {
  const first = Number(periodStartDate.slice(0, 4));
  const last = Number(periodEndDate.slice(0, 4));
  for (let y = first; y <= last; y++) {
    if (!cal.hasHolidayData(y)) {
      report.warn(
        ['campaign', 'period'],
        `there is no table of statutory holidays for ${y} yet: in ${y} only Saturdays and Sundays count as days off. Add that year's holidays and adjusted working days (调休) from the State Council notice under calendar.holidays and calendar.workdays`,
        'key',
      );
    }
  }
}
