/**
 * A lunar month and day as a notice writes it — 腊月十五, 农历正月初八, 闰二月初三, 二月底, 除夕 —
 * read into numbers. Only the wording: whether that day exists in a given year is lunar.ts's
 * question (lunarToSolar, lunarDatesInRange).
 */

/** A lunar month/day without a year, as written in a notice: '腊月十五', '二月底'. */
export interface LunarMonthDay {
  month: number;
  /** 1–30, or 'last' for the last day of the month (…月底 / …月末 / 除夕), whether it is the 29th or the 30th. */
  day: number | 'last';
  leap: boolean;
}

const NUMERAL: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

/** Parses a Chinese numeral 1–30 as used in lunar dates ('三', '十一', '二十', '廿三', '卅', '三十'), or ASCII digits when allowed. */
function parseNumber(text: string, digits: boolean): number | undefined {
  if (/^\d{1,2}$/.test(text)) return digits ? Number(text) : undefined;
  if (text === '十') return 10;
  if (text === '卅') return 30;
  let m: RegExpExecArray | null;
  if ((m = /^([一二三四五六七八九])$/.exec(text))) return NUMERAL[m[1]];
  if ((m = /^十([一二三四五六七八九])$/.exec(text))) return 10 + NUMERAL[m[1]];
  if ((m = /^([二三])十$/.exec(text))) return NUMERAL[m[1]] * 10;
  if ((m = /^(?:二十|廿)([一二三四五六七八九])$/.exec(text))) return 20 + NUMERAL[m[1]];
  return undefined;
}

function parseMonth(text: string, digits: boolean): number | undefined {
  switch (text) {
    case '正':
    case '元':
      return 1;
    case '冬':
      return 11;
    case '腊':
    case '臘':
      return 12;
  }
  const n = parseNumber(text, digits);
  return n !== undefined && n >= 1 && n <= 12 ? n : undefined;
}

function parseDay(text: string, digits: boolean): number | 'last' | undefined {
  if (text === '底' || text === '末') return 'last';
  if (text.startsWith('初')) {
    const n = parseNumber(text.slice(1), false);
    return n !== undefined && n >= 1 && n <= 10 ? n : undefined;
  }
  if (/^\d{1,2}$/.test(text)) {
    const n = parseNumber(text, digits);
    return n !== undefined && n >= 1 && n <= 30 ? n : undefined;
  }
  // 十一…十九, 二十, 廿一…廿九, 三十 / 卅; a bare 一…十 is not a day (those are written 初一…初十).
  const n = parseNumber(text, false);
  return n !== undefined && n >= 11 && n <= 30 ? n : undefined;
}

/**
 * Parses a lunar month/day as written in a notice. Accepts an optional '农历'/'阴历' prefix, an
 * optional '闰' (leap month), the month as 正/元/一…十二/冬/腊 followed by '月', then the day as
 * 初一…初十, 十一…十九, 二十, 廿一…廿九, 三十 (卅), with an optional trailing '日'/'号'. '底' or '末'
 * after the month ('二月底', '腊月末') means the month's last day and gives `day: 'last'`
 * (the 29th or the 30th, whichever that month has); '除夕' is 腊月's last day
 * (`{ month: 12, day: 'last', leap: false }`). ASCII digits ('农历12月15日') are accepted only after
 * an explicit 农历/阴历 prefix, because '2月15日' on its own reads as a Gregorian date.
 *
 * Examples: '腊月十五' → {12, 15}; '农历腊月十五'; '正月初一' → {1, 1}; '二月底' → {2, 'last'};
 * '闰二月初三' → {2, 3, leap}; '十一月廿三' = '冬月廿三' → {11, 23}; '十二月十五' → {12, 15};
 * '一月初一' → {1, 1}. Returns undefined when the text is not a lunar date (it does not check
 * that the day exists in any particular year: '腊月三十' parses, and lunarToSolar decides).
 */
export function parseLunarText(text: string): LunarMonthDay | undefined {
  if (typeof text !== 'string') return undefined;
  const compact = text.replace(/\s+/g, '');
  const s = compact.replace(/^(?:农历|農曆|阴历|陰曆)/, '');
  const digits = s !== compact;
  if (s === '除夕') return { month: 12, day: 'last', leap: false };
  const m = /^(闰|閏)?(.{1,2}?)月(.{1,3}?)(?:日|号)?$/.exec(s);
  if (!m) return undefined;
  const month = parseMonth(m[2], digits);
  const day = parseDay(m[3], digits);
  if (month === undefined || day === undefined) return undefined;
  return { month, day, leap: m[1] !== undefined };
}
