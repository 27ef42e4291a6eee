/**
 * Dates a plan writes relative to the campaign rather than as yyyy-MM-dd: the Spring Festival
 * the campaign is about, the end of its statutory holiday, the period's first and last day, the
 * notice's date (campaign.issued), and a number of calendar or working days from one of these
 * (`{ relative_to: spring_festival, working_days: -3 }`); or a number of hours from the instant
 * such a day begins (the period's end: the instant it ends).
 */
import type { DateTime } from 'luxon';
import { addCalendarDays, springFestival, toDayNumber } from '../calendar';
import type { PathSegment } from '../parse';
import type { Anchor, DateOrRelative } from '../schema';
import { CAMPAIGN_MESSAGES as M } from '../messages/campaign';
import { SHAPE_MESSAGES } from '../messages/shape';
import { type Campaign, localInstant } from './campaign';
import type { Report } from './report';

export interface Relative {
  relative_to: Anchor;
  days?: number;
  working_days?: number;
}

/** The Spring Festival the campaign is about: the one inside the period, else the nearest. */
function campaignSpringFestival(campaign: Campaign, report: Report, path: PathSegment[]): string | undefined {
  const first = Number(campaign.periodStartDate.slice(0, 4));
  const last = Number(campaign.periodEndDate.slice(0, 4));
  const candidates: string[] = [];
  for (let y = first - 1; y <= last + 1; y++) {
    if (y >= 1901 && y <= 2099) candidates.push(springFestival(y));
  }
  const a = toDayNumber(campaign.periodStartDate);
  const b = toDayNumber(campaign.periodEndDate);
  const inside = candidates.filter((sf) => toDayNumber(sf) >= a && toDayNumber(sf) <= b);
  if (inside.length > 1) {
    report.error(path, M.twoSpringFestivals(inside));
    return undefined;
  }
  if (inside.length === 1) return inside[0];
  const dist = (sf: string) => Math.min(Math.abs(toDayNumber(sf) - a), Math.abs(toDayNumber(sf) - b));
  return [...candidates].sort((x, y) => dist(x) - dist(y))[0];
}

function resolveAnchor(campaign: Campaign, report: Report, anchor: Anchor, path: PathSegment[]): string | undefined {
  switch (anchor) {
    case 'period_start':
      return campaign.periodStartDate;
    case 'period_end':
      return campaign.periodEndDate;
    case 'issued':
      if (campaign.issued === undefined) report.error(path, M.issuedNeeded());
      return campaign.issued;
    case 'spring_festival':
      return campaignSpringFestival(campaign, report, path);
    case 'spring_festival_holiday_end': {
      const sf = campaignSpringFestival(campaign, report, path);
      if (!sf) return undefined;
      const year = Number(sf.slice(0, 4));
      const block = campaign.cal.springFestivalHoliday(year);
      if (!block) {
        report.error(path, M.festivalHolidayUnknown(year));
        return undefined;
      }
      return block.end;
    }
  }
}

/** The date a relative_to names (days or working_days away from its anchor). */
export function resolveRelative(campaign: Campaign, report: Report, rel: Relative, path: PathSegment[]): string | undefined {
  const anchor = resolveAnchor(campaign, report, rel.relative_to, path);
  if (anchor === undefined) return undefined;
  if (rel.working_days !== undefined) return campaign.cal.addWorkingDays(anchor, rel.working_days);
  return addCalendarDays(anchor, rel.days ?? 0);
}

/** A schedule's starting: or until:, written as a date or relative to an anchor. */
export function resolveDateOrRelative(campaign: Campaign, report: Report, v: DateOrRelative, path: PathSegment[]): string | undefined {
  if (typeof v === 'string') return v;
  if (v.days !== undefined && v.working_days !== undefined) {
    report.error([...path, 'working_days'], SHAPE_MESSAGES.daysOrWorkingDays(), 'key');
    return undefined;
  }
  return resolveRelative(campaign, report, v, path);
}

/**
 * The instant `hours` count from for an anchor: the first instant of the anchor's day, except
 * period_end, whose hours count back from the period's very end (midnight after its last day),
 * so that { relative_to: period_end, hours: -6 } is 18:00 on the last day.
 */
export function anchorInstant(campaign: Campaign, report: Report, anchor: Anchor, path: PathSegment[]): DateTime | undefined {
  if (anchor === 'period_end') return localInstant(campaign, addCalendarDays(campaign.periodEndDate, 1), '00:00', { path });
  const date = resolveAnchor(campaign, report, anchor, path);
  return date === undefined ? undefined : localInstant(campaign, date, '00:00', { path });
}
