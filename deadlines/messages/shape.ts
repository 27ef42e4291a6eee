/**
 * What is said about the shape of a plan (schema/plan.ts, schema/schedule.ts): the schedule kinds
 * and the keys that go with each, monthly and quarterly rules, deadlines relative to others, the
 * reading of "X月Y日前", reminders, escalation rungs and how their chasing ends, form columns, and
 * the lists every plan needs. Keys are named as the plan writes them, in both languages.
 */
import { catalogue, quotedAnd, show } from './core';

const UNTIL_EN =
  'expected how the chasing ends: submitted, next (the next occurrence), period_end, a date like 2024-03-01, or { next_of: deadline-id } (the next occurrence of another deadline, e.g. the next phase)';
const UNTIL_ZH =
  '应写明催办何时停止：submitted（报送为止）、next（本任务下一次截止）、period_end（活动期间结束）、日期（如 2024-03-01），或 { next_of: 任务id }（另一项任务的下一次截止，如下一阶段）';
const nearEn = (near: string | undefined) => (near ? ` — did you mean '${near}'?` : '');
const nearZh = (near: string | undefined) => (near ? `——是不是要写 '${near}'？` : '');

export const SHAPE_MESSAGES = catalogue('schema', {
  // ---- monthly and quarterly --------------------------------------------------------------------
  monthlyValue: {
    en: () => 'expected a day of the month like 5, last (月底), or { working_day: 3 }, { working_day: last }, { working_days_after: 5 }, { days_after: 10 }',
    zh: () => '应为每月的某一天，如 5、last（月底），或 { working_day: 3 }、{ working_day: last }、{ working_days_after: 5 }、{ days_after: 10 }',
  },
  quarterlyValue: {
    en: () =>
      'expected a rule like { working_days_after: 5 } (季后5个工作日), { days_after: 10 }, or { month: 3, day: 25 } / { month: 1, working_day: 1 } (the month of the quarter, 1 to 3)',
    zh: () => '应为如下写法：{ working_days_after: 5 }（季后5个工作日）、{ days_after: 10 }，或 { month: 3, day: 25 } / { month: 1, working_day: 1 }（month 为季度中的第几个月，1 至 3）',
  },
  monthRuleNeedsOne: {
    en: (written: string[]) =>
      written.length === 0
        ? 'say which day: one of day, working_day, days_after, working_days_after'
        : `give one of day, working_day, days_after, working_days_after, not ${quotedAnd(written).en}`,
    zh: (written: string[]) =>
      written.length === 0
        ? '请写明哪一天：day、working_day、days_after、working_days_after 四者之一'
        : `day、working_day、days_after、working_days_after 只能写一个，不能同时写 ${quotedAnd(written).zh}`,
  },
  monthRuleDay: {
    en: () => "day is a day of the month, 1 to 31, or last (the month's last day, 月底)",
    zh: () => 'day 是每月的第几天，1 至 31，或 last（该月最后一天，月底）',
  },
  monthRuleWorkingDay: {
    en: () => 'working_day counts the working days of the month: 1 is the first, last (or -1) the last, -2 the one before it; at most 23 either way',
    zh: () => 'working_day 是该月的第几个工作日：1 为第一个，last（或 -1）为最后一个，-2 为倒数第二个；正负都最多 23',
  },
  monthRuleAfter: {
    en: (key: string, max: number) => `${key} counts from the end of the month or quarter: a whole number from 0 to ${max}`,
    zh: (key: string, max: number) => `${key} 从月末或季末起算：0 至 ${max} 的整数`,
  },
  monthOfQuarterMissing: {
    en: () => 'say which month of the quarter: month: 1 (its first month: Jan, Apr, Jul, Oct), 2 or 3 (its last month: Mar, Jun, Sep, Dec)',
    zh: () => '请写明季度中的第几个月：month: 1（季度第一个月：1、4、7、10月）、2 或 3（季度最后一个月：3、6、9、12月）',
  },
  monthOfQuarterValue: { en: () => 'month of the quarter is 1, 2 or 3', zh: () => '季度中的月份为 1、2 或 3' },
  monthOfQuarterNotHere: {
    en: (key: string) => `month: does not go with ${key} (it counts from the end of each quarter); remove month:`,
    zh: (key: string) => `month: 不能与 ${key} 同时写（${key} 从每季度末起算）；请删去 month:`,
  },
  monthOfQuarterInMonthly: {
    en: () => 'month: belongs to a quarterly schedule (the month of the quarter); a monthly schedule is due every month',
    zh: () => 'month: 只用于按季度（季度中的第几个月）；按月的任务每个月都截止',
  },
  everyWeeks: {
    en: () => 'every_weeks is a whole number of weeks from 1 to 52 (every_weeks: 2 = 每两周)',
    zh: () => 'every_weeks 是 1 至 52 的整数周数（every_weeks: 2 即每两周）',
  },
  datesList: { en: () => 'expected a list of dates like [2024-03-05, 2024-06-05]', zh: () => '应为日期列表，如 [2024-03-05, 2024-06-05]' },
  shortMonthValue: {
    en: () => "short_month says what to do in a month that lacks the day: last_day (due on the month's last day, the default) or skip (no report that month)",
    zh: () => 'short_month 规定某月没有这一天时怎么办：last_day（改在该月最后一天截止，默认）或 skip（该月不报送）',
  },

  // ---- relative deadlines --------------------------------------------------------------------------
  relativeToValue: {
    en: () =>
      'expected an anchor (spring_festival, spring_festival_holiday_end, period_start, period_end, issued) or another deadline: { deadline: weekly-stats, occurrence: last }',
    zh: () => '应为起算点（spring_festival、spring_festival_holiday_end、period_start、period_end、issued）或另一项截止事项：{ deadline: weekly-stats, occurrence: last }',
  },
  relativeOccurrence: {
    en: () => "occurrence is same (one due for each of that deadline's occurrences), first, last, or a number (1 = the first)",
    zh: () => 'occurrence 可写 same（对方每截止一次，本项也截止一次）、first、last，或数字（1 为第一次）',
  },
  relativeOneOffset: {
    en: (keys: string[]) => `give one of days, working_days or hours, not ${quotedAnd(keys).en}`,
    zh: (keys: string[]) => `days、working_days、hours 只能写一个，不能同时写 ${quotedAnd(keys).zh}`,
  },
  daysOrWorkingDays: {
    en: () => 'give either days (calendar days) or working_days, not both',
    zh: () => 'days（自然日）和 working_days（工作日）只能写一个',
  },
  hoursWithTime: {
    en: () => 'hours: counts from an instant and sets the time of day itself; remove time: (or use days / working_days with time:)',
    zh: () => 'hours: 从某一时刻起算，已经决定了截止时刻；请删去 time:（或改用 days / working_days 配 time:）',
  },
  dateOrRelative: {
    en: () => 'expected a date like 2024-02-02 or { relative_to: spring_festival, days: 1 }',
    zh: () => '应为日期，如 2024-02-02，或 { relative_to: spring_festival, days: 1 }',
  },
  anchorNotOne: {
    en: (s: string, anchors: string[], near: string | undefined) => `${show(s)} is not one of: ${anchors.join(', ')}${nearEn(near)}`,
    zh: (s: string, anchors: string[], near: string | undefined) => `${show(s)} 不是以下之一：${anchors.join('、')}${nearZh(near)}`,
  },

  // ---- lunar dates ---------------------------------------------------------------------------------
  lunarMonth: { en: () => 'lunar month goes from 1 (正月) to 12 (腊月)', zh: () => '农历月份为 1（正月）至 12（腊月）' },
  lunarDay: {
    en: () => "lunar day is 1 to 30, or 'last' for the month's last day (月底)",
    zh: () => "农历日期为 1 至 30，或 'last'（该月最后一天，月底）",
  },
  notLunar: {
    en: (s: string) => `${show(s)} is not a lunar date: write e.g. 腊月十五, 农历正月初八, 二月底, or { month: 12, day: 15 }`,
    zh: (s: string) => `${show(s)} 不是农历日期：可写 腊月十五、农历正月初八、二月底，或 { month: 12, day: 15 }`,
  },
  lunarValue: {
    en: () => 'expected a lunar date like 腊月十五 or { month: 12, day: 15 }',
    zh: () => '应为农历日期，如 腊月十五 或 { month: 12, day: 15 }',
  },

  // ---- the schedule as a whole --------------------------------------------------------------------
  scheduleNeedsOne: {
    en: (kinds: string[]) => `schedule needs exactly one of: ${kinds.join(', ')}`,
    zh: (kinds: string[]) => `schedule 必须写且只能写以下一种：${kinds.join('、')}`,
  },
  scheduleTwoKinds: {
    en: (first: string, other: string, kinds: string[]) =>
      `schedule has both '${first}' and '${other}': a schedule takes exactly one of ${kinds.join(', ')}; split it into two deadlines if both are meant`,
    zh: (first: string, other: string, kinds: string[]) =>
      `schedule 同时写了 '${first}' 和 '${other}'：只能写 ${kinds.join('、')} 中的一种；两种都要的，请拆成两项截止事项`,
  },
  keyOnOpen: {
    en: (key: string) => `'${key}' does not apply to open: true (accepted any time in the period); remove it`,
    zh: (key: string) => `'${key}' 不适用于 open: true（活动期间随时报送）；请删去`,
  },
  keyNotForKind: {
    en: (key: string, kind: string, users: string[]) => `'${key}' does not apply to a '${kind}' schedule (it goes with ${users.join(', ')})`,
    zh: (key: string, kind: string, users: string[]) => `'${key}' 不适用于 '${kind}' 写法（它用于 ${users.join('、')}）`,
  },
  everyWorkingDays: {
    en: () => 'every_working_days must be a whole number of at least 1',
    zh: () => 'every_working_days 必须是不小于 1 的整数',
  },
  halfMonthlyTrue: { en: () => 'write half_monthly: true', zh: () => '请写 half_monthly: true' },
  openTrue: { en: () => 'write open: true', zh: () => '请写 open: true' },
  dateMeansValue: {
    en: () => 'date_means says how "X月Y日前" is read: end_of_workday (by the end of that working day, the default) or start_of_day (before that day begins)',
    zh: () => 'date_means 规定“X月Y日前”的理解：end_of_workday（当天下班前，默认）或 start_of_day（当天零时前）',
  },
  dateMeansWithTime: {
    en: () => 'date_means reads a day without a time, but the schedule gives time:, which already says when it is due; remove one of them',
    zh: () => 'date_means 用于只写了日期的截止，但这里已经写了 time:，截止时刻已经明确；请删去其中一个',
  },
  dateMeansWithHours: {
    en: () => 'date_means reads a day, but the schedule counts hours from an instant; remove date_means',
    zh: () => 'date_means 用于按日截止，但这里按小时从某一时刻起算；请删去 date_means',
  },

  // ---- reminders and escalation rungs -------------------------------------------------------------
  reminderValue: {
    en: () => 'expected a duration before due like 3d, 1d, 2h, 1wd, or { date: 2024-02-01, time: "09:00" }',
    zh: () => '应为截止前的时长，如 3d、1d、2h、1wd，或 { date: 2024-02-01, time: "09:00" }',
  },
  rungUntilValue: { en: () => UNTIL_EN, zh: () => UNTIL_ZH },
  rungUntilWord: {
    en: (s: string, near: string | undefined) => `${show(s)}: ${UNTIL_EN}${nearEn(near)}`,
    zh: (s: string, near: string | undefined) => `${show(s)}：${UNTIL_ZH}${nearZh(near)}`,
  },
  rungEndOnlyOnEvery: {
    en: (key: string) => `only a repeating rung (every: …) has an end; an after: rung happens once — remove ${key}:`,
    zh: (key: string) => `只有重复催办（every: …）才有终止条件；after: 只催一次——请删去 ${key}:`,
  },
  rungTimes: {
    en: () => 'times is how many chasers the repeating rung sends at most: a whole number from 1 to 1000',
    zh: () => 'times 是这一级重复催办最多发送的次数：1 至 1000 的整数',
  },
  toList: { en: () => 'expected a list like [department, leaders]', zh: () => '应为列表，如 [department, leaders]' },
  toEmpty: {
    en: () => 'to: name at least one of department, leaders, coordinator',
    zh: () => 'to: 至少写 department（责任单位）、leaders（分管领导）、coordinator（牵头处室）中的一个',
  },
  rungNeedsOne: {
    en: () => 'an escalation rung needs after: (once, e.g. after: 1wd) or every: (repeating, e.g. every: 1d)',
    zh: () => '每一级催办要写 after:（催一次，如 after: 1wd）或 every:（重复催办，如 every: 1d）',
  },
  rungBoth: {
    en: () => 'an escalation rung takes after: or every:, not both; split it into two rungs',
    zh: () => '一级催办只能写 after: 或 every: 之一；请拆成两级',
  },
  listedTwiceInTo: { en: (a: string) => `'${a}' is listed twice in to:`, zh: (a: string) => `to: 中 '${a}' 写了两次` },

  // ---- form columns ----------------------------------------------------------------------------------
  ofWhichNeedsNumber: {
    en: (column: string, type: string) =>
      `of_which ("其中" sub-columns) needs a count or amount column to add up under; column '${column}' is of type ${type}`,
    zh: (column: string, type: string) => `of_which（“其中”子栏目）只能用于 count（人数、次数）或 amount（金额）栏目；栏目 '${column}' 的类型是 ${type}`,
  },
  cumulativeNeedsNumber: {
    en: (column: string, type: string) =>
      `cumulative applies to count and amount columns (a running total that may not decrease); column '${column}' is of type ${type}`,
    zh: (column: string, type: string) => `cumulative（累计数，不能减少）只能用于 count 或 amount 栏目；栏目 '${column}' 的类型是 ${type}`,
  },
  unitNeedsNumber: {
    en: (column: string, type: string) => `unit applies to count and amount columns; column '${column}' is of type ${type}`,
    zh: (column: string, type: string) => `unit（单位）只能用于 count 或 amount 栏目；栏目 '${column}' 的类型是 ${type}`,
  },

  // ---- the lists every plan needs ----------------------------------------------------------------
  departmentNeedsContact: {
    en: () => 'a department needs at least one contact with an email address',
    zh: () => '每个单位至少要有一个带电子邮件地址的联系人',
  },
  listOneDepartment: { en: () => 'list at least one department', zh: () => '至少列出一个单位' },
  formNeedsColumn: { en: () => 'a form needs at least one column', zh: () => '统计表至少要有一个栏目' },
  fromList: {
    en: () => 'expected a list of department and group ids, e.g. [cities] or [taiyuan, datong]',
    zh: () => '应为单位或分组 id 的列表，如 [cities] 或 [taiyuan, datong]',
  },
  fromEmpty: { en: () => 'from: name at least one department or group', zh: () => 'from: 至少写一个单位或分组' },
  listOneDeadline: { en: () => 'list at least one deadline', zh: () => '至少列出一项截止事项' },
});
