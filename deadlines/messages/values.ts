/**
 * What is said about one value of a plan (schema/values.ts): ids, dates that exist, times of day,
 * durations, e-mail addresses, time zones, weekdays — and the words for a value found where
 * another was expected ("the text 'abc'" / "文字 'abc'").
 */
import { catalogue, show, type Words } from './core';

/** Words for a value found where something else was expected. */
export function valueWords(v: unknown): Words {
  if (v === undefined) return { en: 'nothing', zh: '空' };
  if (v === null) return { en: 'an empty value', zh: '空值' };
  if (typeof v === 'string') {
    if (v.trim() === '') return { en: 'empty text', zh: '空文字' };
    const s = show(v.length > 40 ? `${v.slice(0, 40)}…` : v);
    return { en: `the text ${s}`, zh: `文字 ${s}` };
  }
  if (typeof v === 'number') return { en: `the number ${v}`, zh: `数字 ${v}` };
  if (typeof v === 'boolean') return { en: `${v}`, zh: `${v}` };
  if (Array.isArray(v)) return { en: 'a list', zh: '一个列表' };
  if (typeof v === 'object') return { en: 'a mapping (key: value)', zh: '一个映射（键: 值）' };
  return { en: typeof v, zh: typeof v };
}

const ID_HELP_EN = "use lower-case letters a-z, digits, '-' and '_' (e.g. taiyuan, weekly-stats)";
const ID_HELP_ZH = "只能用小写字母 a-z、数字、'-' 和 '_'（如 taiyuan、weekly-stats）";
const DURATION_HELP_EN = 'write a whole number followed by d (days), h (hours), m (minutes) or wd (working days), e.g. 3d, 2h, 30m, 1wd';
const DURATION_HELP_ZH = '写一个整数，后面跟 d（天）、h（小时）、m（分钟）或 wd（工作日），如 3d、2h、30m、1wd';
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** How a time zone's name was not recognised, and what to suggest. */
export type ZoneHint = { kind: 'china' } | { kind: 'near'; zone: string } | { kind: 'offset'; zone: string } | { kind: 'none' };

const zoneHintEn = (h: ZoneHint) =>
  h.kind === 'china'
    ? ' — China uses Asia/Shanghai'
    : h.kind === 'near'
      ? ` — did you mean '${h.zone}'?`
      : h.kind === 'offset'
        ? ` — a fixed offset is not a zone name; for this offset write e.g. ${h.zone}`
        : ' (e.g. Asia/Shanghai, America/New_York)';
const zoneHintZh = (h: ZoneHint) =>
  h.kind === 'china'
    ? '——中国使用 Asia/Shanghai'
    : h.kind === 'near'
      ? `——是不是要写 '${h.zone}'？`
      : h.kind === 'offset'
        ? `——时差不是时区名称；这个时差可写作 ${h.zone} 这样的时区名称`
        : '（如 Asia/Shanghai、America/New_York）';

export const VALUE_MESSAGES = catalogue('value', {
  notEmpty: { en: () => 'must not be empty', zh: () => '不能为空' },
  idTooLong: {
    en: (s: string) => `id ${show(s)} is ${s.length} characters long; keep ids to 64 characters or fewer`,
    zh: (s: string) => `id ${show(s)} 有 ${s.length} 个字符；id 最多 64 个字符`,
  },
  idInvalid: {
    en: (s: string) => `${show(s)} is not a valid id: ${ID_HELP_EN}`,
    zh: (s: string) => `${show(s)} 不是有效的 id：${ID_HELP_ZH}`,
  },
  campaignIdInvalid: {
    en: (s: string) =>
      `${show(s)} is not a valid campaign id: use lower-case letters, digits and single '-' between them, at most 64 characters (e.g. shanxi-2024)`,
    zh: (s: string) => `${show(s)} 不是有效的活动 id：只能用小写字母和数字，中间可用单个 '-' 连接，最多 64 个字符（如 shanxi-2024）`,
  },
  dateNotYmd: {
    en: (s: string, fixed: string) => `${show(s)} is not written as yyyy-MM-dd; write ${fixed}`,
    zh: (s: string, fixed: string) => `${show(s)} 没有按 yyyy-MM-dd 书写；应写作 ${fixed}`,
  },
  notADate: {
    en: (s: string) => `${show(s)} is not a date: write it as yyyy-MM-dd, e.g. 2024-02-02`,
    zh: (s: string) => `${show(s)} 不是日期：日期写作 yyyy-MM-dd，如 2024-02-02`,
  },
  yearOutOfRange: {
    en: (s: string, year: number) => `${show(s)}: the year ${year} is out of range (1901-2099)`,
    zh: (s: string, year: number) => `${show(s)}：年份 ${year} 超出范围（1901—2099）`,
  },
  noSuchMonth: {
    en: (s: string, month: number) => `${show(s)} is not a date: there is no month ${month}`,
    zh: (s: string, month: number) => `${show(s)} 不是日期：没有 ${month} 月`,
  },
  noSuchDay: {
    en: (s: string, year: number, month: number, days: number) => `${show(s)} is not a date: ${MONTHS[month - 1]} ${year} has ${days} days`,
    zh: (s: string, year: number, month: number, days: number) => `${show(s)} 不是日期：${year}年${month}月只有${days}天`,
  },
  expectedDate: {
    en: (found: Words) => `expected a date like 2024-02-02, found ${found.en}`,
    zh: (found: Words) => `应为日期，如 2024-02-02，这里却是${found.zh}`,
  },
  notATime: {
    en: (s: string) => `${show(s)} is not a time: write it as "HH:mm" in quotes, e.g. "18:00"`,
    zh: (s: string) => `${show(s)} 不是时刻：时刻写作带半角引号的 "HH:mm"，如 "18:00"`,
  },
  hourRange: {
    en: (s: string) => `${show(s)} is not a time of day: hours go from 00 to 23 (midnight is "00:00" of the next day; the end of a day is "23:59")`,
    zh: (s: string) => `${show(s)} 不是一天中的时刻：小时为 00 至 23（午夜是次日 "00:00"，一天的结束写 "23:59"）`,
  },
  minuteRange: {
    en: (s: string) => `${show(s)} is not a time of day: minutes go from 00 to 59`,
    zh: (s: string) => `${show(s)} 不是一天中的时刻：分钟为 00 至 59`,
  },
  timeTwoDigits: {
    en: (s: string, fixed: string) => `${show(s)}: write the time as "HH:mm" with two digits each and an ASCII colon, e.g. "${fixed}"`,
    zh: (s: string, fixed: string) => `${show(s)}：时刻写作 "HH:mm"，小时和分钟各两位，中间用半角冒号，如 "${fixed}"`,
  },
  timeIsNumber: {
    en: (n: number) => `expected a time like "18:00" in quotes, found the number ${n} (YAML reads some unquoted times as numbers)`,
    zh: (n: number) => `应为带引号的时刻，如 "18:00"，这里却是数字 ${n}（不加引号的时刻有时会被 YAML 读成数字）`,
  },
  expectedTime: {
    en: (found: Words) => `expected a time like "18:00", found ${found.en}`,
    zh: (found: Words) => `应为时刻，如 "18:00"，这里却是${found.zh}`,
  },
  expectedDuration: {
    en: (found: Words) => `expected a duration like 3d, 2h, 30m or 1wd, found ${found.en}`,
    zh: (found: Words) => `应为时长，如 3d、2h、30m 或 1wd，这里却是${found.zh}`,
  },
  notADuration: {
    en: (s: string) => `${show(s)} is not a duration: ${DURATION_HELP_EN}`,
    zh: (s: string) => `${show(s)} 不是时长：${DURATION_HELP_ZH}`,
  },
  notAnEmail: {
    en: (s: string) => `${show(s)} is not an e-mail address: write one address like name@example.org (no name, spaces or brackets around it)`,
    zh: (s: string) => `${show(s)} 不是电子邮件地址：只写一个地址，如 name@example.org（前后不要加姓名、空格或括号）`,
  },
  notAZone: {
    en: (s: string, hint: ZoneHint) => `${show(s)} is not an IANA time zone name${zoneHintEn(hint)}`,
    zh: (s: string, hint: ZoneHint) => `${show(s)} 不是 IANA 时区名称${zoneHintZh(hint)}`,
  },
  expectedWeekday: {
    en: (found: Words) => `expected a weekday like thursday or 周四, found ${found.en}`,
    zh: (found: Words) => `应为星期几，如 thursday 或 周四，这里却是${found.zh}`,
  },
  notAWeekday: {
    en: (s: string, near: string | undefined) => `${show(s)} is not a weekday${near ? ` — did you mean '${near}'?` : ''} (write monday … sunday or 周一 … 周日)`,
    zh: (s: string, near: string | undefined) => `${show(s)} 不是星期几${near ? `——是不是要写 '${near}'？` : ''}（写 monday … sunday 或 周一 … 周日）`,
  },
  expectedPhone: {
    en: (found: Words) => `expected a phone number in quotes, e.g. "0351-0000000", found ${found.en}`,
    zh: (found: Words) => `应为带引号的电话号码，如 "0351-0000000"，这里却是${found.zh}`,
  },
  yearKey: { en: () => 'key must be a year like 2027', zh: () => '键应为年份，如 2027' },
});
