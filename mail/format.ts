/**
 * Wording of dates, lateness and reminder distance in the campaign's zone and language. Pure: no
 * clock, no locale data from the runtime (weekday and month names are spelled out here so the
 * output does not depend on the ICU build).
 */
import { DateTime } from 'luxon';
import type { Language } from '../deadlines/timeline';

const ZH_WEEKDAYS = ['星期一', '星期二', '星期三', '星期四', '星期五', '星期六', '星期日'];
const EN_WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const EN_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const EN_MONTHS_SHORT = EN_MONTHS.map((m) => m.slice(0, 3));

/**
 * Instants already placed in a zone. A burst of 1,000 reminders words the same few instants a
 * thousand times, and luxon's zone offset lookup (Intl) was most of a message's composing time.
 * DateTime is immutable, so sharing one is safe; the cache is bounded.
 */
const placed = new Map<string, DateTime>();
const PLACED_MAX = 20_000;

function local(iso: string, zone: string): DateTime {
  const key = `${zone}\u0000${iso}`;
  const hit = placed.get(key);
  if (hit) return hit;
  const dt = DateTime.fromISO(iso, { setZone: true });
  if (!dt.isValid) throw new RangeError(`not an ISO-8601 instant: ${JSON.stringify(iso)}`);
  const z = dt.setZone(zone);
  if (!z.isValid) throw new RangeError(`unknown time zone: ${JSON.stringify(zone)}`);
  if (placed.size >= PLACED_MAX) placed.clear();
  placed.set(key, z);
  return z;
}

const DEFAULT_ZH_ZONE = 'Asia/Shanghai';

/** "2024年2月2日（星期五）18:00" / "18:00 on Friday, 2 February 2024 (Asia/Shanghai)". */
export function formatInstant(iso: string, zone: string, lang: Language): string {
  const d = local(iso, zone);
  if (lang === 'zh-CN') {
    const z = zone === DEFAULT_ZH_ZONE ? '' : `（${zone}时间）`;
    return `${d.year}年${d.month}月${d.day}日（${ZH_WEEKDAYS[d.weekday - 1]}）${d.toFormat('HH:mm')}${z}`;
  }
  return `${d.toFormat('HH:mm')} on ${EN_WEEKDAYS[d.weekday - 1]}, ${d.day} ${EN_MONTHS[d.month - 1]} ${d.year} (${zone})`;
}

/** The deadline: "2024年2月2日（星期五）18:00前" / "by 18:00 on Friday, 2 February 2024 (Asia/Shanghai)". */
export function formatDue(iso: string, zone: string, lang: Language): string {
  const d = local(iso, zone);
  if (lang === 'zh-CN') {
    const z = zone === DEFAULT_ZH_ZONE ? '' : `（${zone}时间）`;
    return `${d.year}年${d.month}月${d.day}日（${ZH_WEEKDAYS[d.weekday - 1]}）${d.toFormat('HH:mm')}前${z}`;
  }
  return `by ${formatInstant(iso, zone, lang)}`;
}

/** Short form for subjects: "2月2日18:00前" / "by 18:00, Fri 2 Feb". */
export function formatDueShort(iso: string, zone: string, lang: Language): string {
  const d = local(iso, zone);
  if (lang === 'zh-CN') return `${d.month}月${d.day}日${d.toFormat('HH:mm')}前`;
  return `by ${d.toFormat('HH:mm')}, ${EN_WEEKDAYS[d.weekday - 1].slice(0, 3)} ${d.day} ${EN_MONTHS_SHORT[d.month - 1]}`;
}

/** A local date: "2024年2月5日（星期一）" / "Monday, 5 February 2024". */
export function formatDate(iso: string, zone: string, lang: Language): string {
  const d = local(iso, zone);
  if (lang === 'zh-CN') return `${d.year}年${d.month}月${d.day}日（${ZH_WEEKDAYS[d.weekday - 1]}）`;
  return `${EN_WEEKDAYS[d.weekday - 1]}, ${d.day} ${EN_MONTHS[d.month - 1]} ${d.year}`;
}

/**
 * How far the deadline is, for reminders, from the ladder rung ("3d", "1d", "2h", "30m", "2wd")
 * and — when known — the instant the reminder is sent (day rungs then count calendar days in the
 * zone, so a "1d" reminder sent the evening before says "明天"):
 * zh "还有3天截止" / "明天截止" / "今天截止" / "2小时后截止" / "还有2个工作日截止";
 * en "due in 3 days" / "due tomorrow" / "due today" / "due in 2 hours" / "due in 2 working days".
 */
export function reminderPhrase(before: string, dueIso: string, atIso: string | undefined, zone: string, lang: Language): string {
  const m = /^(\d+)\s*(wd|d|h|m)$/.exec(before.trim());
  const zh = lang === 'zh-CN';
  if (!m) return zh ? '即将截止' : 'due soon';
  const n = Number(m[1]);
  const unit = m[2];
  if (unit === 'h') return zh ? `${n}小时后截止` : `due in ${n} hour${n === 1 ? '' : 's'}`;
  if (unit === 'm') return zh ? `${n}分钟后截止` : `due in ${n} minute${n === 1 ? '' : 's'}`;
  if (unit === 'wd' && !atIso) return zh ? `还有${n}个工作日截止` : `due in ${n} working day${n === 1 ? '' : 's'}`;
  const due = local(dueIso, zone);
  const at = atIso ? local(atIso, zone) : due.minus({ days: n });
  const days = Math.round(due.startOf('day').diff(at.startOf('day'), 'days').days);
  if (unit === 'wd' && days !== 0 && days !== 1) return zh ? `还有${n}个工作日截止` : `due in ${n} working day${n === 1 ? '' : 's'}`;
  if (days <= 0) {
    const hours = Math.max(1, Math.round(due.diff(at, 'hours').hours));
    return zh ? (hours <= 12 ? `${hours}小时后截止` : '今天截止') : hours <= 12 ? `due in ${hours} hour${hours === 1 ? '' : 's'}` : 'due today';
  }
  if (days === 1) return zh ? '明天截止' : 'due tomorrow';
  return zh ? `还有${days}天截止` : `due in ${days} days`;
}

/**
 * Lateness at `atIso`: zh "截止时间已到" / "已超过截止时间5小时" / "已逾期3天";
 * en "due now" / "5 hours overdue" / "3 days overdue".
 */
export function latePhrase(dueIso: string, atIso: string, zone: string, lang: Language): { text: string; days: number } {
  const due = local(dueIso, zone);
  const at = local(atIso, zone);
  const hours = Math.floor(at.diff(due, 'hours').hours);
  const days = Math.floor(hours / 24);
  const zh = lang === 'zh-CN';
  if (hours < 1) return { text: zh ? '截止时间已到' : 'due now', days: 0 };
  if (hours < 24) return { text: zh ? `已超过截止时间${hours}小时` : `${hours} hour${hours === 1 ? '' : 's'} overdue`, days: 0 };
  return { text: zh ? `已逾期${days}天` : `${days} day${days === 1 ? '' : 's'} overdue`, days };
}
