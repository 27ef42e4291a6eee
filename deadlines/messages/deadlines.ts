/**
 * What the compiler says about a deadline's dues (compile/deadline.ts, occurrences.ts, relative.ts,
 * rhythms.ts): lunar dates that do not fall in the period, schedules with no occurrence, months that
 * lack the day, lists of dates, dues outside the period or before the notice, days off, and
 * deadlines relative to others. Each names the deadline by its id, as the plan writes it.
 */
import { catalogue, listSome, listSomeZh, plural, type Words } from './core';

const months = (n: number) => ({ en: plural(n, 'month'), zh: `${n} 个月` });
const hasHave = (n: number) => (n === 1 ? 'has' : 'have');

/** Words for how a monthly or quarterly rule was written, e.g. "monthly on day 31" / "每月31日". */
export function monthRuleWords(
  rule: { day?: number | 'last'; working_day?: number | 'last'; days_after?: number; working_days_after?: number; month?: number },
  every: 'month' | 'quarter',
): Words {
  const head = every === 'month' ? 'monthly' : 'quarterly';
  const where = every === 'quarter' && rule.month !== undefined ? ` of month ${rule.month} of each quarter` : '';
  const zhHead = every === 'month' ? '每月' : rule.month !== undefined ? `每季度第${rule.month}个月的` : '每季度';
  if (rule.day !== undefined) {
    return rule.day === 'last'
      ? { en: `${head} on the last day${where}`, zh: `${zhHead}最后一天` }
      : { en: `${head} on day ${rule.day}${where}`, zh: `${zhHead}${rule.day}日` };
  }
  if (rule.working_day !== undefined) {
    const k = rule.working_day === 'last' ? -1 : rule.working_day;
    const which = k === -1 ? 'the last working day' : k > 0 ? `working day ${k}` : `working day ${-k} from the end`;
    const zhWhich = k === -1 ? '最后一个工作日' : k > 0 ? `第${k}个工作日` : `倒数第${-k}个工作日`;
    return { en: `${head} on ${which}${where || ' of the month'}`, zh: `${zhHead}${zhWhich}` };
  }
  const n = rule.days_after ?? rule.working_days_after ?? 0;
  const unit = rule.days_after !== undefined ? 'day' : 'working day';
  const zhUnit = rule.days_after !== undefined ? '天' : '个工作日';
  return { en: `${head}, ${n} ${unit}${n === 1 ? '' : 's'} after each ${every} ends`, zh: `${every === 'month' ? '每月结束后' : '每季度结束后'}第${n}${zhUnit}` };
}

/** Words for a recurring schedule other than monthly and quarterly. */
export const RECURRENCE_WORDS = {
  weekly: (day: string): Words => ({ en: `weekly on ${day}`, zh: `每周 ${day}` }),
  everyWeeks: (n: number, day: string): Words => ({ en: `every ${n} weeks on ${day}`, zh: `每 ${n} 周的 ${day}` }),
  halfMonthly: { en: 'half_monthly (15th and last day of each month)', zh: 'half_monthly（每月15日和最后一天）' } as Words,
  everyWorkingDays: (n: number): Words => ({ en: `every ${n} working days`, zh: `每 ${n} 个工作日` }),
  other: { en: 'the schedule', zh: '这个报送周期' } as Words,
};

/** "(already due that day)" after a left-out occurrence. */
export const ALREADY_DUE: Words = { en: ' (already due that day)', zh: '（当天已有一次截止）' };

export const DEADLINE_MESSAGES = catalogue('deadline', {
  // ---- what an open deadline cannot have -----------------------------------------------------------
  openWithReminders: {
    en: (id: string) => `deadline '${id}' is open (accepted any time in the period): it has no due time to remind of — remove reminders:`,
    zh: (id: string) => `截止事项 '${id}' 是随时报送（open）的：没有截止时刻可提醒——请删去 reminders:`,
  },
  openWithEscalation: {
    en: (id: string) => `deadline '${id}' is open (accepted any time in the period): nothing is ever late — remove escalation:`,
    zh: (id: string) => `截止事项 '${id}' 是随时报送（open）的：不存在逾期——请删去 escalation:`,
  },
  openNonWorkingDay: {
    en: (id: string) => `deadline '${id}' is open: on_non_working_day has no effect`,
    zh: (id: string) => `截止事项 '${id}' 是随时报送（open）的：on_non_working_day 不起作用`,
  },
  fixedReminderOnRecurring: {
    en: (id: string, text: string) => `deadline '${id}' recurs: a reminder on a fixed date (${text}) fits only a one-off deadline; use a duration before each due, like 1d or 2h`,
    zh: (id: string, text: string) => `截止事项 '${id}' 是周期性的：固定日期的提醒（${text}）只适用于一次性截止；请改用截止前的时长，如 1d 或 2h`,
  },

  // ---- lunar dates ------------------------------------------------------------------------------------
  lunarLookupFailed: {
    en: (id: string, written: string, reason: Words) => `deadline '${id}': the lunar date ${written} cannot be looked up for this period: ${reason.en}`,
    zh: (id: string, written: string, reason: Words) => `截止事项 '${id}'：无法在本活动期间查到农历日期 ${written}：${reason.zh}`,
  },
  lunarTwice: {
    en: (id: string, written: string, dates: string[]) =>
      `deadline '${id}': the lunar date ${written} falls ${dates.length} times in the period (${dates.join(', ')}); use date: to say which one`,
    zh: (id: string, written: string, dates: string[]) => `截止事项 '${id}'：农历 ${written} 在活动期间内出现 ${dates.length} 次（${dates.join('、')}）；请用 date: 写明是哪一天`,
  },
  lunarNotExist: {
    en: (id: string, written: string, reasons: Words[]) =>
      `deadline '${id}': the lunar date ${written} does not exist around this campaign: ${reasons.map((r) => r.en).join('; ')}`,
    zh: (id: string, written: string, reasons: Words[]) => `截止事项 '${id}'：本活动前后没有农历 ${written}：${reasons.map((r) => r.zh).join('；')}`,
  },
  lunarOutsidePeriod: {
    en: (id: string, written: string, start: string, end: string, falls: string[]) =>
      `deadline '${id}': the lunar date ${written} is not within the period ${start} to ${end} (it falls on ${falls.join(' / ')}); check the date or the period`,
    zh: (id: string, written: string, start: string, end: string, falls: string[]) =>
      `截止事项 '${id}'：农历 ${written} 不在活动期间 ${start} 至 ${end} 内（它是 ${falls.join(' / ')}）；请核对日期或活动期间`,
  },
  lunarYearLacks: {
    en: (year: number, written: string) => `lunar year ${year} has no ${written}`,
    zh: (year: number, written: string) => `农历${year}年没有${written}`,
  },

  // ---- recurring schedules ------------------------------------------------------------------------------
  endsBeforeStart: {
    en: (id: string, from: string, to: string) => `deadline '${id}': the schedule starts on ${from} but ends on ${to}, before it starts`,
    zh: (id: string, from: string, to: string) => `截止事项 '${id}'：报送周期从 ${from} 开始，却在 ${to} 结束，早于开始`,
  },
  noOccurrence: {
    en: (id: string, what: Words, from: string, to: string) => `deadline '${id}': ${what.en} has no occurrence between ${from} and ${to}; check starting/until and the period`,
    zh: (id: string, what: Words, from: string, to: string) => `截止事项 '${id}'：按“${what.zh}”，${from} 至 ${to} 之间一次截止也没有；请核对 starting/until 和活动期间`,
  },
  noOccurrenceInPeriod: {
    en: (id: string, what: Words, from: string, to: string) =>
      `deadline '${id}': ${what.en} has no occurrence between ${from} and ${to} within the period; check starting/until and the period`,
    zh: (id: string, what: Words, from: string, to: string) => `截止事项 '${id}'：按“${what.zh}”，活动期间内 ${from} 至 ${to} 之间一次截止也没有；请核对 starting/until 和活动期间`,
  },
  tooManyOccurrences: {
    en: (id: string, what: Words, n: number, max: number) => `deadline '${id}': ${what.en} gives ${n} occurrences; a deadline may have at most ${max}`,
    zh: (id: string, what: Words, n: number, max: number) => `截止事项 '${id}'：按“${what.zh}”共有 ${n} 次截止；一项截止事项最多 ${max} 次`,
  },
  shortMonthLastDay: {
    en: (id: string, what: Words, moved: string[], stated: boolean) =>
      `deadline '${id}': ${what.en}: ${months(moved.length).en} ${hasHave(moved.length)} no such day, so the report is due on the month's last day there: ${listSome(moved)}` +
      (stated ? '' : ' (short_month: last_day, the default; write short_month: last_day to confirm it, or short_month: skip for no report in those months)'),
    zh: (id: string, what: Words, moved: string[], stated: boolean) =>
      `截止事项 '${id}'：${what.zh}：有 ${months(moved.length).zh}没有这一天，改在该月最后一天截止：${listSomeZh(moved)}` +
      (stated ? '' : '（short_month: last_day，默认做法；写上 short_month: last_day 表示确认，或写 short_month: skip 表示这些月份不报送）'),
  },
  shortMonthSkipped: {
    en: (id: string, what: Words, list: string[]) => `deadline '${id}': ${what.en}: no report in ${listSome(list)}, which ${hasHave(list.length)} no such day (short_month: skip)`,
    zh: (id: string, what: Words, list: string[]) => `截止事项 '${id}'：${what.zh}：${listSomeZh(list)} 没有这一天，不报送（short_month: skip）`,
  },
  workingDayMissing: {
    en: (id: string, what: Words, list: string[]) =>
      `deadline '${id}': ${what.en}: ${listSome(list)} ${hasHave(list.length)} fewer working days than that, so there is no report there; check the number`,
    zh: (id: string, what: Words, list: string[]) => `截止事项 '${id}'：${what.zh}：${listSomeZh(list)} 的工作日没有这么多，该月不报送；请核对数字`,
  },
  dateOutsidePeriod: {
    en: (id: string, date: string, side: 'before' | 'after', bound: string) =>
      `deadline '${id}': ${date} is ${side} the period ${side === 'before' ? 'starts' : 'ends'} (${bound}); correct the date or widen campaign.period`,
    zh: (id: string, date: string, side: 'before' | 'after', bound: string) =>
      `截止事项 '${id}'：${date} ${side === 'before' ? '早于活动期间开始日' : '晚于活动期间结束日'}（${bound}）；请改正日期，或放宽 campaign.period`,
  },
  dateListedTwice: {
    en: (id: string, date: string) => `deadline '${id}': ${date} is listed twice in dates:; remove one`,
    zh: (id: string, date: string) => `截止事项 '${id}'：dates: 中 ${date} 写了两次；请删去一个`,
  },

  // ---- dues, the period, days off, the notice --------------------------------------------------------------
  dueOutsidePeriod: {
    en: (id: string, due: string, side: 'before' | 'after', bound: string) =>
      `deadline '${id}' is due on ${due}, ${side === 'before' ? `before the period starts (${bound})` : `after the period ends (${bound})`}; correct the date or widen campaign.period`,
    zh: (id: string, due: string, side: 'before' | 'after', bound: string) =>
      `截止事项 '${id}' 的截止时间 ${due} ${side === 'before' ? `早于活动期间开始日（${bound}）` : `晚于活动期间结束日（${bound}）`}；请改正日期，或放宽 campaign.period`,
  },
  movedOutOfPeriod: {
    en: (id: string, date: string, day: Words, rule: string, to: string, side: 'before' | 'after') =>
      `deadline '${id}' is due on ${date} (${day.en}), a non-working day; ${rule} moves it to ${to}, ${side === 'before' ? 'before the period starts' : 'after the period ends'} — use another on_non_working_day rule or widen campaign.period`,
    zh: (id: string, date: string, day: Words, rule: string, to: string, side: 'before' | 'after') =>
      `截止事项 '${id}' 在 ${date}（${day.zh}）截止，这天不是工作日；按 ${rule} 挪到 ${to}，${side === 'before' ? '早于活动期间开始日' : '晚于活动期间结束日'}——请换一种 on_non_working_day 规则，或放宽 campaign.period`,
  },
  dueBeforeIssued: {
    en: (id: string, due: string, issued: string) =>
      `deadline '${id}' is due on ${due}, before the notice is issued (campaign.issued: ${issued}); nobody can meet a deadline set by a notice they have not received — check the date, the schedule's starting:, or campaign.issued`,
    zh: (id: string, due: string, issued: string) =>
      `截止事项 '${id}' 在 ${due} 截止，早于通知印发日期（campaign.issued: ${issued}）；通知还没下发，谁也无法按时报送——请核对日期、报送周期的 starting: 或 campaign.issued`,
  },
  keptOnDayOff: {
    en: (id: string, date: string, day: Words) =>
      `deadline '${id}' is due on ${date} (${day.en}), a non-working day; it is kept there (set on_non_working_day: previous_working_day or next_working_day to move it)`,
    zh: (id: string, date: string, day: Words) =>
      `截止事项 '${id}' 在 ${date}（${day.zh}）截止，这天不是工作日；保持不动（如要挪动，请写 on_non_working_day: previous_working_day 或 next_working_day）`,
  },
  keptOnDaysOff: {
    en: (id: string, count: number, total: number, list: Words[]) =>
      `deadline '${id}': ${count} of ${total} occurrences fall on non-working days and are kept there: ${listSome(list.map((w) => w.en))} (set on_non_working_day: previous_working_day or next_working_day to move them)`,
    zh: (id: string, count: number, total: number, list: Words[]) =>
      `截止事项 '${id}'：${total} 次截止中有 ${count} 次落在非工作日，保持不动：${listSomeZh(list.map((w) => w.zh))}（如要挪动，请写 on_non_working_day: previous_working_day 或 next_working_day）`,
  },
  occurrencesLeftOut: {
    en: (id: string, ruleWhere: Words, rule: string, list: Words[]) =>
      `deadline '${id}': ${plural(list.length, 'occurrence')} left out after ${ruleWhere.en} (${rule}) moved ${list.length === 1 ? 'it' : 'them'} out of the period or onto another occurrence: ${listSome(list.map((w) => w.en))}`,
    zh: (id: string, ruleWhere: Words, rule: string, list: Words[]) =>
      `截止事项 '${id}'：按 ${ruleWhere.zh}（${rule}）挪动后，有 ${list.length} 次截止挪出了活动期间或与另一次截止重合，已略去：${listSomeZh(list.map((w) => w.zh))}`,
  },

  // ---- deadlines relative to other deadlines -----------------------------------------------------------
  relativeToItself: {
    en: (id: string) =>
      `deadline '${id}' is due relative to itself; count from another deadline, from an anchor (period_start, period_end, issued, spring_festival) or give a date`,
    zh: (id: string) => `截止事项 '${id}' 相对于自己截止；请从另一项截止事项、起算点（period_start、period_end、issued、spring_festival）起算，或直接写日期`,
  },
  relativeCycle: {
    en: (cycle: string[]) =>
      `deadlines due relative to each other in a circle: ${cycle.map((d) => `'${d}'`).join(' → ')}; none of them can be computed — count one of them from a date or an anchor instead`,
    zh: (cycle: string[]) => `几项截止事项互相依赖，形成循环：${cycle.map((d) => `'${d}'`).join(' → ')}；都无法计算——请把其中一项改为从日期或起算点起算`,
  },
  relativeToOpen: {
    en: (id: string, target: string) =>
      `deadline '${id}' counts from '${target}', which is open (accepted any time) and has no due time; count from period_end or a date instead`,
    zh: (id: string, target: string) => `截止事项 '${id}' 从 '${target}' 起算，但它是随时报送（open）的，没有截止时刻；请改为从 period_end 或日期起算`,
  },
  relativeOccurrenceMissing: {
    en: (id: string, target: string, n: number, count: number) => `deadline '${id}' counts from occurrence ${n} of '${target}', which has only ${plural(count, 'occurrence')}`,
    zh: (id: string, target: string, n: number, count: number) => `截止事项 '${id}' 从 '${target}' 的第 ${n} 次截止起算，但它只有 ${count} 次截止`,
  },
});
