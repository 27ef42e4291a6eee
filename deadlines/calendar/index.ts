/**
 * The calendar module: statutory holidays and working days (working-days.ts) and the Chinese
 * lunar calendar (lunar.ts). Pure and deterministic; safe to import from Temporal workflow code.
 */
export {
  createWorkCalendar,
  HOLIDAY_DATA_YEARS,
  type CalendarOverrides,
  type WorkCalendar,
  type DayInfo,
  type DayKind,
} from './working-days';
export {
  springFestival,
  solarToLunar,
  lunarToSolar,
  parseLunarText,
  lunarDatesInRange,
  leapMonthOf,
  lunarMonthDays,
  lunarMonthsOf,
  lunarMonthName,
  lunarDayName,
  formatLunarDate,
  isIsoDate,
  isoWeekday,
  addCalendarDays,
  toDayNumber,
  fromDayNumber,
  LUNAR_YEARS,
  LUNAR_SOLAR_RANGE,
  type LunarDate,
  type LunarMonthDay,
} from './lunar';
