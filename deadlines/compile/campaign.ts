/**
 * The campaign every deadline is computed in: its zone, language, end of the working day, its
 * period, and the working-day calendar (statutory holidays, 调休, the Spring Festival holiday
 * blocks the plan gives) for the years the period covers, and the notice's date when the plan
 * gives it (campaign.issued). Set up once, before any deadline, and
 * refused with a diagnostic when the period or the calendar cannot be used.
 *
 * Also the one way an instant is written and a local date and time become an instant: all
 * arithmetic is on local dates of the campaign zone (luxon), never on the process's time zone. In
 * a zone with daylight-saving time, a local time that does not exist (02:30 on the spring-forward
 * day) or occurs twice (01:30 on the fall-back day) is warned once per distinct local time, naming
 * the instant chosen (localInstant records it, warnDaylightSaving reports it). A time zone written
 * in the wrong letter case is compiled under IANA's spelling, with a warning.
 */
import { DateTime, IANAZone } from 'luxon';
import { addCalendarDays, createWorkCalendar, isoWeekday, springFestival, toDayNumber, type WorkCalendar } from '../calendar';
import { errorWords, type Message, type Words } from '../messages/core';
import { CAMPAIGN_MESSAGES as M, WEEKDAY_WORDS } from '../messages/campaign';
import type { PathSegment } from '../parse';
import { canonicalZone, type PlanInput } from '../schema';
import type { Language } from '../timeline';
import type { Report, Target } from './report';

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
  /** Whether the zone's offset changes within the period (daylight-saving time): only then are local times checked. */
  readonly changesOffset: boolean;
  /** Local times daylight-saving time skips or repeats, by local time: where first met and what to say. */
  readonly daylightSaving: Map<string, { path: PathSegment[]; target: Target; message: Message }>;
}

/** Where a local time is written in the plan, for a daylight-saving warning about it. */
export interface WrittenAt {
  path: PathSegment[];
  target?: Target;
}

/** The one ISO-8601 form used for every instant: milliseconds and a numeric offset. */
export function formatInstant(dt: DateTime): string {
  return dt.toFormat("yyyy-MM-dd'T'HH:mm:ss.SSSZZ");
}

/**
 * The instant of a local date and time ("HH:mm", or longer) in the campaign zone. Given where the
 * plan writes it, a local time daylight-saving time skips or repeats is recorded for a warning.
 */
export function localInstant(campaign: Campaign, date: string, time: string, writtenAt?: WrittenAt): DateTime {
  const dt = DateTime.fromISO(`${date}T${time}`, { zone: campaign.zone });
  if (writtenAt && campaign.changesOffset) checkDaylightSaving(campaign, date, time, dt, writtenAt);
  return dt;
}

/** The instant `days` calendar days from another at the same local time (across daylight-saving changes). */
export function sameTimeDaysAway(campaign: Campaign, from: DateTime, days: number, writtenAt?: WrittenAt): DateTime {
  if (!campaign.changesOffset) return from.plus({ days });
  return localInstant(campaign, addCalendarDays(from.toFormat('yyyy-MM-dd'), days), from.toFormat('HH:mm:ss.SSS'), writtenAt);
}

function checkDaylightSaving(campaign: Campaign, date: string, time: string, dt: DateTime, writtenAt: WrittenAt): void {
  const wanted = `${date}T${`${time}:00.000`.slice(0, 12)}`;
  const local = `${date} ${time.slice(0, 5)}`;
  if (campaign.daylightSaving.has(local)) return;
  let message: Message | undefined;
  if (dt.toFormat("yyyy-MM-dd'T'HH:mm:ss.SSS") !== wanted) {
    message = M.dstGap(campaign.zone, local, formatInstant(dt));
  } else {
    const zone = IANAZone.create(campaign.zone);
    const ms = dt.toMillis();
    for (const offset of new Set([zone.offset(ms - 6 * 3600_000), zone.offset(ms + 6 * 3600_000)])) {
      if (offset === dt.offset) continue;
      const other = ms + (dt.offset - offset) * 60_000;
      if (zone.offset(other) !== offset) continue;
      const otherDt = DateTime.fromMillis(other, { zone: campaign.zone });
      message = M.dstOverlap(campaign.zone, local, formatInstant(dt), formatInstant(otherDt), ms > other);
    }
  }
  if (message) campaign.daylightSaving.set(local, { path: writtenAt.path, target: writtenAt.target ?? 'value', message });
}

/** One warning per local time daylight-saving time skipped or repeated (see localInstant). */
export function warnDaylightSaving(campaign: Campaign, report: Report): void {
  for (const { path, target, message } of campaign.daylightSaving.values()) report.warn(path, message, target);
}

/** "Saturday" or "Monday, 春节" / "星期六" or "星期一，春节", for messages about days off. */
export function dayLabel(campaign: Campaign, date: string): Words {
  const wd = WEEKDAY_WORDS[isoWeekday(date) - 1];
  const holiday = campaign.cal.holidayName(date);
  return holiday ? { en: `${wd.en}, ${holiday}`, zh: `${wd.zh}，${holiday}` } : wd;
}

/** Whether the zone's UTC offset differs anywhere between two dates (checked twice a year and at both ends). */
function offsetChanges(zone: string, from: string, to: string): boolean {
  const z = IANAZone.create(zone);
  const samples = [DateTime.fromISO(from, { zone }).minus({ days: 1 }), DateTime.fromISO(to, { zone }).plus({ days: 1 })];
  for (let y = Number(from.slice(0, 4)); y <= Number(to.slice(0, 4)); y++) {
    samples.push(DateTime.fromObject({ year: y, month: 1, day: 1 }, { zone }), DateTime.fromObject({ year: y, month: 7, day: 1 }, { zone }));
  }
  return new Set(samples.map((d) => z.offset(d.toMillis()))).size > 1;
}

/** The campaign's settings, period and calendar; undefined (with errors reported) when unusable. */
export function setUpCampaign(input: PlanInput, report: Report): Campaign | undefined {
  const c = input.campaign;
  const respelled = c.timezone !== undefined ? canonicalZone(c.timezone) : undefined;
  if (respelled) report.warn(['campaign', 'timezone'], M.zoneRespelled(c.timezone!, respelled));
  const zone = respelled ?? c.timezone ?? DEFAULT_TIMEZONE;
  const span = toDayNumber(c.period.end) - toDayNumber(c.period.start);
  if (span < 0) {
    report.error(['campaign', 'period', 'end'], M.periodEndBeforeStart(c.period.end, c.period.start));
    return undefined;
  }
  if (span + 1 > MAX_PERIOD_DAYS) {
    report.error(['campaign', 'period', 'end'], M.periodTooLong(span + 1, MAX_PERIOD_DAYS));
    return undefined;
  }
  if (c.issued !== undefined && toDayNumber(c.issued) > toDayNumber(c.period.end)) {
    report.error(['campaign', 'issued'], M.issuedAfterPeriod(c.issued, c.period.end));
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
    changesOffset: offsetChanges(zone, c.period.start, c.period.end),
    daylightSaving: new Map(),
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
      report.error(['calendar', 'workdays', i], M.dayInBothLists(d));
      ok = false;
    }
  });
  const sfh: Record<number, { start: string; end: string }> = {};
  for (const [year, block] of Object.entries(cal.spring_festival_holiday ?? {})) {
    const a = toDayNumber(block.start);
    const b = toDayNumber(block.end);
    if (b < a) {
      report.error(['calendar', 'spring_festival_holiday', year, 'end'], M.festivalHolidayEndBeforeStart(year, block.end, block.start));
      ok = false;
    } else if (b - a > 31) {
      report.error(['calendar', 'spring_festival_holiday', year], M.festivalHolidayTooLong(year, block.start, block.end));
      ok = false;
    } else {
      const sf = springFestival(Number(year));
      if (Math.abs(toDayNumber(sf) - a) > 20) {
        report.warn(['calendar', 'spring_festival_holiday', year, 'start'], M.festivalHolidayFar(year, block.start, sf));
      }
      sfh[Number(year)] = { start: block.start, end: block.end };
    }
  }
  if (!ok) return undefined;
  try {
    return createWorkCalendar({ holidays, workdays, springFestivalHoliday: sfh });
  } catch (e) {
    report.error(['calendar'], M.calendarUnusable(errorWords(e)), 'key');
    return undefined;
  }
}

/** Warns about each year of the period for which no statutory holidays are tabulated. */
function checkHolidayData(cal: WorkCalendar, periodStartDate: string, periodEndDate: string, report: Report): void {
  const first = Number(periodStartDate.slice(0, 4));
  const last = Number(periodEndDate.slice(0, 4));
  for (let y = first; y <= last; y++) {
    if (!cal.hasHolidayData(y)) {
      report.warn(['campaign', 'period'], M.noHolidayTable(y), 'key');
    }
  }
}
