/**
 * Plans written from real notices the project had never seen (definitions/notices/<name>/plan.yaml,
 * each beside its notice.md), against every instant their notice states — as seeds.test.ts does
 * for the five seed campaigns. These are the rhythms the seeds lack: a year-long monthly plan in two
 * tiers (Hubei 2011), quarterly "季后5日前" with "遇节假日顺延" (MOLSS, plan year 2004), quarterly
 * with a different lag per quarter, a skipped quarter, 12:00 and "24时" (Wangyi 2019), phases
 * (a province's 2005 环保专项行动), a deadline relative to another (Xixian 2018: materials the day
 * after the open day), bi-monthly and half-yearly with a notice published after the system started
 * (Yunnan 2018), fixed days of the month at 10:00 (Zhoukou 2021), a monthly rule whose first
 * occurrence is moved (a county's 2017 林区公路 report) and a weekly rule whose holiday Tuesdays go to
 * "节假日结束后的第二个工作日" (住建部 2016).
 *
 * Every expected instant was worked out by hand from the notice's own words (quoted in each row;
 * each notice.md has a 时间要求 section reading them) and the real calendar of its year — never
 * copied from the compiler's output. Holidays used (statutory block; adjusted working days):
 *   2004 国庆 10-01..07; 10-09 (Sat), 10-10 (Sun) worked.    2005 国庆 10-01..07; 10-08, 10-09 worked.
 *   2011 春节 02-02..08; 端午 06-04..06; 中秋 09-10..12; 国庆 10-01..07, 10-08 (Sat), 10-09 (Sun) worked.
 *   2012 春节 01-22..28; 01-21 (Sat), 01-29 (Sun) worked.
 *   2016 国庆 10-01..07, 10-08 (Sat), 10-09 (Sun) worked.   2017 春节 01-27..02-02, 01-22 (Sun), 02-04 (Sat)
 *   worked; 清明 04-02..04, 04-01 (Sat) worked; 端午 05-28..30, 05-27 (Sat) worked.
 *   2018 中秋 09-24; 国庆 10-01..07, 09-29 (Sat), 09-30 (Sun) worked.
 *   2019 春节 02-04..10, 02-02 (Sat), 02-03 (Sun) worked; 清明 04-05; 国庆 10-01..07, 10-12 (Sat) worked.
 *   2021 端午 06-12..14; 中秋 09-19..21, 09-18 (Sat) worked.
 * "X月Y日前" = end_of_workday (18:00) on day Y, as in the seeds; where a notice flags another
 * reading, the row's comment says which reading the plan chose and why (the plans' campaign.notes
 * say it in the coordinator's words). What the format cannot say is listed in
 * definitions/notices/GAPS.md.
 *
 * Longer than the usual ~400 lines because it is one idea — the table of every instant nine notices
 * state, and the same checks run over it; split per notice, the checks would be repeated nine times.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { MESSAGES_PER_OBLIGATION_WARNING } from '../../deadlines/compile';
import type { Diagnostic } from '../../deadlines/diagnostics';
import { loadPlanFile } from '../../deadlines/load';
import { previewText } from '../../deadlines/preview';
import { type CompiledDeadline, type CompiledPlan, messagesToDepartment } from '../../deadlines/timeline';

const NOTICES = fileURLToPath(new URL('../../definitions/notices/', import.meta.url));

interface ExpectedWarning {
  /** Text at the warning's position in the plan (its line and column are those of this text), or the whole line. */
  at: string | RegExp;
  /** The deadline it names and the dates it lists (the message names at most five). */
  deadline: string;
  dates: string[];
}

interface NoticePlan {
  id: string;
  period: { start: string; end: string };
  issued?: string;
  departments: string[];
  /** Every warning validate gives, and why it is expected (the comments). */
  warnings: ExpectedWarning[];
}

const HUBEI_CITIES = ['wuhan', 'huangshi', 'shiyan', 'yichang', 'xiangyang', 'ezhou', 'jingmen', 'xiaogan', 'jingzhou', 'huanggang', 'xianning', 'suizhou', 'enshi', 'xiantao', 'qianjiang', 'tianmen', 'shennongjia', 'wuhan-water'];
const YICHANG_COUNTIES = ['yidu', 'dangyang', 'zhijiang', 'yuanan', 'xingshan', 'zigui', 'changyang', 'wufeng'];
const PROVINCES = ['beijing', 'tianjin', 'hebei', 'shanxi', 'neimenggu', 'liaoning', 'jilin', 'heilongjiang', 'shanghai', 'jiangsu', 'zhejiang', 'anhui', 'fujian', 'jiangxi', 'shandong', 'henan', 'hubei', 'hunan', 'guangdong', 'guangxi', 'hainan', 'chongqing', 'sichuan', 'guizhou', 'yunnan', 'xizang', 'shaanxi', 'gansu', 'qinghai', 'ningxia', 'xinjiang'];
const DEVELOPERS = ['developer-a', 'developer-b', 'developer-c'];
const PREFECTURES_2005 = ['city-a', 'city-b', 'city-c', 'prefecture-d'];
const TOWNSHIPS = ['township-a', 'township-b', 'township-c'];
const MOHURD_REPORTERS = ['city-a', 'city-b', 'county-c', 'county-d'];
const NEW_CITIES = ['fengdong', 'fengxi', 'qinhan', 'konggang', 'jinghe'];
const YUNNAN = ['kunming', 'qujing', 'yuxi', 'baoshan', 'zhaotong', 'lijiang', 'puer', 'lincang', 'chuxiong', 'honghe', 'wenshan', 'xishuangbanna', 'dali', 'dehong', 'nujiang', 'diqing'];
const ZHOUKOU = ['chuanhui', 'huaiyang', 'xiangcheng', 'fugou', 'xihua', 'shangshui', 'shenqiu', 'dancheng', 'taikang', 'luyi'];

const PLANS = {
  'hubei-citybuild-monthly-2011': {
    id: 'hubei-citybuild-monthly-2011',
    // The data year 2011: January's 快报 is due in February, December's in January 2012.
    period: { start: '2011-02-01', end: '2012-01-31' },
    departments: [...HUBEI_CITIES, ...YICHANG_COUNTIES],
    // No weekend/holiday rule in the notice; statistics dates are kept (on_non_working_day: keep).
    warnings: [
      { at: 'schedule: { monthly: 10 }', deadline: 'city-monthly', dates: ['2011-04-10', '2011-07-10', '2011-09-10', '2011-12-10'] },
      { at: 'schedule: { monthly: 6 }', deadline: 'county-monthly', dates: ['2011-02-06', '2011-03-06', '2011-06-06', '2011-08-06', '2011-10-06'] }, // and 11-06
    ],
  },
  'molss-laidoff-stats-2003': {
    id: 'molss-laidoff-stats-2004',
    // Open-ended system (2003-02-25); the plan is its first year the holiday tables cover.
    period: { start: '2004-01-01', end: '2005-01-31' },
    issued: '2003-02-25',
    departments: PROVINCES,
    warnings: [], // "遇节假日顺延" = next_working_day: nothing is kept on a day off
  },
  'wangyi-stats-quarterly-2019': {
    id: 'wangyi-stats-2019',
    period: { start: '2019-01-01', end: '2020-01-31' },
    departments: [...DEVELOPERS, 'district-bureau'],
    warnings: [{ at: 'schedule: { dates: [2019-04-14', deadline: 'q-205-5-check', dates: ['2019-04-14'] }], // 一季度季后14日 is a Sunday
  },
  'province-env-phases-2005': {
    id: 'province-env-2005',
    period: { start: '2005-07-03', end: '2005-11-10' },
    departments: PREFECTURES_2005,
    warnings: [{ at: 'date: 2005-09-25', deadline: 'rectification', dates: ['2005-09-25'] }], // 9月25日 is a Sunday
  },
  'xixian-open-day-2018': {
    id: 'xixian-open-day-2018',
    period: { start: '2018-09-12', end: '2018-09-30' },
    issued: '2018-09-12',
    departments: NEW_CITIES,
    warnings: [],
  },
  'yunnan-grassland-bimonthly-2018': {
    id: 'yunnan-grassland-2018',
    // From the notice's publication (the system began 2017-08, before it) for a year and a quarter.
    period: { start: '2018-01-15', end: '2019-03-31' },
    issued: '2018-01-15',
    departments: YUNNAN,
    warnings: [
      { at: 'schedule: { dates: [2018-03-05', deadline: 'bimonthly', dates: ['2018-05-05', '2019-01-05'] }, // Saturdays
      { at: 'schedule: { dates: [2018-02-05', deadline: 'half-yearly', dates: ['2018-08-05', '2019-02-05'] }, // Sunday; 正月初一
    ],
  },
  'zhoukou-wheat-fiveday-2021': {
    id: 'zhoukou-wheat-2021',
    period: { start: '2021-06-01', end: '2021-09-30' },
    departments: ZHOUKOU,
    // Nine of the 24 fixed days are off (06-05 … 09-25, with 中秋 09-20); the first five are named.
    warnings: [{ at: /^ {4}schedule:$/, deadline: 'five-day', dates: ['2021-06-05', '2021-06-20', '2021-07-10', '2021-07-25', '2021-07-31'] }],
  },
  'county-forest-road-monthly-2017': {
    id: 'county-forest-road-2017',
    // Notice date unknown (before the first report, 5月29日); the period ends at the 8月底 completion date.
    period: { start: '2017-05-22', end: '2017-08-31' },
    departments: TOWNSHIPS,
    // 5月29日, the overridden first report, is in 端午 (05-28..05-30), for both copies.
    warnings: [
      { at: 'schedule: { dates: [2017-05-29, 2017-06-28, 2017-07-28, 2017-08-28] }', deadline: 'progress', dates: ['2017-05-29'] },
      { at: 'schedule: { dates: [2017-05-29, 2017-06-28, 2017-07-28, 2017-08-28], time', deadline: 'progress-paper', dates: ['2017-05-29'] },
    ],
  },
  'mohurd-pipegallery-weekly-2016': {
    id: 'mohurd-pipegallery-2016',
    // The weekly system's first year, from its first day.
    period: { start: '2016-04-19', end: '2017-04-18' },
    departments: MOHURD_REPORTERS,
    // The first report is due on the period's first day: its 1d reminder has no room.
    warnings: [{ at: 'time: "12:00"', deadline: 'weekly', dates: ['2016-04-19'] }],
  },
} satisfies Record<string, NoticePlan>;

type PlanKey = keyof typeof PLANS;

interface Row {
  plan: PlanKey;
  deadline: string;
  /** The notice's own words (the plan's `quote:`), found in its notice.md. */
  quote: string;
  kind: CompiledDeadline['kind'];
  /** Every due instant, in order (local time, +08:00). */
  due: string[];
  departments: string[];
  moved?: Record<string, { from: string; rule: 'previous_working_day' | 'next_working_day' }>;
  nonWorkingDay?: string[];
  /** The most messages one department can receive for one obligation (reminders + steps to it or its leaders). */
  most: number;
}

const at = (time: string) => (d: string) => `${d}T${time}+08:00`;
const at18 = at('18:00');
const at12 = at('12:00');
const at10 = at('10:00');
const at00 = at('00:00');

const FIVE_DAY = ['06-05', '06-10', '06-15', '06-20', '06-25', '06-30', '07-05', '07-10', '07-15', '07-20', '07-25', '07-31', '08-05', '08-10', '08-15', '08-20', '08-25', '08-31', '09-05', '09-10', '09-15', '09-20', '09-25', '09-30'].map((d) => `2021-${d}`);

/** Every Tuesday from 2016-04-19 to 2017-04-18, with the three holiday Tuesdays moved as the notice.md section works out. */
const MOHURD_TUESDAYS = Array.from({ length: 53 }, (_, i) => new Date(Date.UTC(2016, 3, 19 + 7 * i)).toISOString().slice(0, 10)).map(
  (d) => ({ '2016-10-04': '2016-10-09', '2017-01-31': '2017-02-04', '2017-04-04': '2017-04-06' })[d] ?? d,
);

const ROWS: Row[] = [
  // ---- 湖北 鄂建办[2011]47号: monthly, two tiers ---------------------------------------------------
  {
    plan: 'hubei-citybuild-monthly-2011',
    deadline: 'city-monthly',
    quote: '月度快报每月报送一次,当月的快报数据请在次月10日前报送省厅',
    kind: 'recurring',
    // The 10th of every month, kept where it is a day off: 04-10 Sun, 07-10 Sun, 09-10 Sat (中秋), 12-10 Sat.
    due: ['2011-02-10', '2011-03-10', '2011-04-10', '2011-05-10', '2011-06-10', '2011-07-10', '2011-08-10', '2011-09-10', '2011-10-10', '2011-11-10', '2011-12-10', '2012-01-10'].map(at18),
    nonWorkingDay: ['2011-04-10', '2011-07-10', '2011-09-10', '2011-12-10'],
    departments: HUBEI_CITIES,
    // Busiest: 08-10 (Wed) → 3 reminders, at due, coordinator 08-11, then every working day 08-12 … 09-09
    // (21) until the next 10th: 3 + 1 + 21.
    most: 25,
  },
  {
    plan: 'hubei-citybuild-monthly-2011',
    deadline: 'county-monthly',
    quote: '每月6日前,将上月快报数据报市州住建部门',
    kind: 'recurring',
    // Ambiguity (b): the counties report to their city, not the province — no coordinator rung (GAPS.md).
    due: ['2011-02-06', '2011-03-06', '2011-04-06', '2011-05-06', '2011-06-06', '2011-07-06', '2011-08-06', '2011-09-06', '2011-10-06', '2011-11-06', '2011-12-06', '2012-01-06'].map(at18),
    // 02-06 in 春节, 06-06 端午, 10-06 国庆; 03-06, 11-06 Sundays; 08-06 Saturday.
    nonWorkingDay: ['2011-02-06', '2011-03-06', '2011-06-06', '2011-08-06', '2011-10-06', '2011-11-06'],
    departments: YICHANG_COUNTIES,
    // Busiest: 07-06 (Wed) → 3 reminders, at due, every working day 07-07 … 08-05 (22): 3 + 1 + 22.
    most: 26,
  },

  // ---- 劳社厅发[2003]4号: quarterly "季后5日前", yearly "1月5日前", "遇节假日顺延" -----------------
  {
    plan: 'molss-laidoff-stats-2003',
    deadline: 'quarterly',
    quote: '季报:季后5日前;年报:1月5日前;遇节假日顺延',
    kind: 'recurring',
    // Ambiguity (a) of "5日前": by the end of the 5th. 2004-10-05 is in 国庆 → 顺延 to Friday 10-08.
    due: ['2004-01-05', '2004-04-05', '2004-07-05', '2004-10-08', '2005-01-05'].map(at18),
    moved: { '2004-10-08': { from: '2004-10-05', rule: 'next_working_day' } },
    departments: PROVINCES,
    most: 14, // 3 reminders, at due, 10 chasers (times: 10); the coordinator's step is not counted
  },
  {
    plan: 'molss-laidoff-stats-2003',
    deadline: 'annual',
    quote: '季报:季后5日前;年报:1月5日前;遇节假日顺延',
    kind: 'recurring',
    // The 年报 falls on the same day as the Q4 季报: two obligations, read as two submissions.
    due: ['2004-01-05', '2005-01-05'].map(at18),
    departments: PROVINCES,
    most: 14,
  },

  // ---- 王益区统计局 2019: 24时, per-quarter lags at 12:00, 四季度免报, two tiers ---------------------
  // "24时前" on day X is 00:00 on day X+1 (times are 00:00–23:59): the same instant.
  { plan: 'wangyi-stats-quarterly-2019', deadline: 'annual', quote: '2019年3月5日24时前网上填报', kind: 'one-off', due: [at00('2019-03-06')], departments: DEVELOPERS, most: 8 },
  { plan: 'wangyi-stats-quarterly-2019', deadline: 'annual-609', quote: '2019年3月10日24时前网上填报', kind: 'one-off', due: [at00('2019-03-11')], departments: DEVELOPERS, most: 8 },
  // 3月10日 is a Sunday, but its 24时 is Monday 00:00, a working day: no warning.
  { plan: 'wangyi-stats-quarterly-2019', deadline: 'annual-check', quote: '2019年3月10日24时前', kind: 'one-off', due: [at00('2019-03-11')], departments: ['district-bureau'], most: 8 },
  {
    plan: 'wangyi-stats-quarterly-2019',
    deadline: 'q-202-1',
    quote: '一季度后8日、二季度后5日、三季度后10日12:00前网上填报,四季度免报',
    kind: 'recurring',
    // "季后N日" = the Nth of the month after the quarter; Q4 免报 = no occurrence (the 年报 replaces it).
    due: ['2019-04-08', '2019-07-05', '2019-10-10'].map(at12),
    departments: DEVELOPERS,
    most: 9, // 3 reminders, at due, 5 chasers
  },
  {
    plan: 'wangyi-stats-quarterly-2019',
    deadline: 'q-202-1-check',
    quote: '一季度后10日、二季度后8日、三季度后12日12:00前完成数据审核、验收、上报,四季度免报',
    kind: 'recurring',
    due: ['2019-04-10', '2019-07-08', '2019-10-12'].map(at12), // 10-12 is a Saturday worked after 国庆
    departments: ['district-bureau'],
    most: 9,
  },
  {
    plan: 'wangyi-stats-quarterly-2019',
    deadline: 'q-205-5',
    quote: '一季度季后10日、二季度季后9日、三季度季后14日,四季度季后10日12:00前网上填报',
    kind: 'recurring',
    // "12:00" is written once after the list: it applies to all four quarters.
    due: ['2019-04-10', '2019-07-09', '2019-10-14', '2020-01-10'].map(at12),
    departments: DEVELOPERS,
    most: 9,
  },
  {
    plan: 'wangyi-stats-quarterly-2019',
    deadline: 'q-205-5-check',
    quote: '一季度季后14日,二季度季后10日,三季度季后15日,四季度季后13日,12:00',
    kind: 'recurring',
    due: ['2019-04-14', '2019-07-10', '2019-10-15', '2020-01-13'].map(at12),
    nonWorkingDay: ['2019-04-14'],
    departments: ['district-bureau'],
    most: 9,
  },

  // ---- 2005 环保专项行动: phases --------------------------------------------------------------------
  {
    plan: 'province-env-phases-2005',
    deadline: 'self-check',
    quote: '各地市环保专项行动领导小组要于7月15日前将检查情况和挂牌督办名单报省环保专项行动领导小组办公室',
    kind: 'one-off',
    due: [at18('2005-07-15')], // the last day of 自查摸底阶段 (7月3日至7月15日), a Friday
    departments: PREFECTURES_2005,
    most: 14,
  },
  {
    plan: 'province-env-phases-2005',
    deadline: 'rectification',
    quote: '各地市环保专项行动领导小组要将典型环境违法案件和挂牌督办问题整改情况于9月25日前报省环保专项行动领导小组办公室',
    kind: 'one-off',
    // Due 25 days after 全面整治阶段 ended, inside the next phase; a Sunday, kept as written.
    due: [at18('2005-09-25')],
    nonWorkingDay: ['2005-09-25'],
    departments: PREFECTURES_2005,
    most: 14,
  },
  {
    plan: 'province-env-phases-2005',
    deadline: 'summary',
    quote: '并于11月10日前将《2005年环保专项行动工作总结》和《环保专项行动三年工作总结》报省环保专项行动领导小组办公室',
    kind: 'one-off',
    due: [at18('2005-11-10')], // the last day of 总结考核阶段 and of the period; two documents, one submission
    departments: PREFECTURES_2005,
    most: 4, // 3 reminders and the step at due (nothing after the period)
  },

  // ---- 西咸新区 统计开放日 2018: a deadline relative to another ---------------------------------------
  { plan: 'xixian-open-day-2018', deadline: 'open-day', quote: '其余新城在9月20日举办本地开放日活动', kind: 'one-off', due: [at18('2018-09-20')], departments: NEW_CITIES, most: 3 },
  {
    plan: 'xixian-open-day-2018',
    deadline: 'materials',
    quote: '请各新城于9月21日前向新区报送统计开放日相关材料(含工作总结、照片、视频和宣传资料等)',
    kind: 'one-off',
    // Ambiguity (a): "21日前" includes the 21st — excluding it would leave only the evening of the
    // open day itself. (b): written as "the open day + 1 day", so it moves with the open day.
    due: [at18('2018-09-21')],
    departments: NEW_CITIES,
    most: 9, // 3 reminders, at due, chasers 09-26 … 09-30 (09-29, 09-30 worked before 国庆)
  },

  // ---- 云南 草原补奖 2018: bi-monthly, half-yearly, notice after the system start -----------------------
  {
    plan: 'yunnan-grassland-bimonthly-2018',
    deadline: 'bimonthly',
    quote: '表1—8(基本信息、资金拨付、资金兑现、信息录入情况、转方式项目任务进度、转方式项目资金情况、草牧业项目任务进度、草牧业项目资金使用情况)实行双月报,统计截止时间为每双月底,于下月5日前报送',
    kind: 'recurring',
    // 双月 = the even months; the three dues before the notice (2017-09-05, 11-05, 2018-01-05) are not in the plan.
    due: ['2018-03-05', '2018-05-05', '2018-07-05', '2018-09-05', '2018-11-05', '2019-01-05', '2019-03-05'].map(at18),
    nonWorkingDay: ['2018-05-05', '2019-01-05'],
    departments: YUNNAN,
    most: 14,
  },
  {
    plan: 'yunnan-grassland-bimonthly-2018',
    deadline: 'half-yearly',
    quote: '表9—12(草原承包、超载减畜、草原畜牧业基础设施建设和牧民收入、宣传培训)实行半年报,统计截止时间为7月底和次年1月底,于下月5日前上报',
    kind: 'recurring',
    // Ambiguity: 2019-02-05 is 正月初一. No rule in the notice, which stresses 时效性: kept (not 02-11).
    due: ['2018-02-05', '2018-08-05', '2019-02-05'].map(at18),
    nonWorkingDay: ['2018-08-05', '2019-02-05'],
    departments: YUNNAN,
    most: 14,
  },

  // ---- 周口 夏粮收购进度五日报 2021: fixed days at 10:00 -----------------------------------------------
  {
    plan: 'zhoukou-wheat-fiveday-2021',
    deadline: 'first-report',
    quote: '6月1日上报第一期进度,反映自2021年新产小麦上市以来至5月31日已入库的粮油总量',
    kind: 'one-off',
    due: [at10('2021-06-01')], // ambiguity: the 10时 of the regular reports is read as applying to the first too
    departments: ZHOUKOU,
    most: 3, // no reminder (first day of the period); at due, chasers 06-03 and 06-04 until the 5th's report
  },
  {
    plan: 'zhoukou-wheat-fiveday-2021',
    deadline: 'five-day',
    quote: '每月5日、10日、15日、20日、25日和月末最后一日上午10时之前报送',
    kind: 'recurring',
    // Fixed days, not every 5 days; "月末最后一日" = 30 or 31; kept on days off (statistics cut-off dates).
    due: FIVE_DAY.map(at10),
    nonWorkingDay: ['2021-06-05', '2021-06-20', '2021-07-10', '2021-07-25', '2021-07-31', '2021-08-15', '2021-09-05', '2021-09-20', '2021-09-25'],
    departments: ZHOUKOU,
    most: 6, // e.g. 07-25 (Sun): 1 reminder, at due, chasers 07-27 … 07-30
  },
  {
    plan: 'zhoukou-wheat-fiveday-2021',
    deadline: 'analysis',
    quote: '每月上报两篇统计分析材料',
    kind: 'recurring',
    // No dates in the notice ("两篇" a month): the plan's reading is one per half month, 15th and month
    // end, moved back onto a working day so as not to cross into the next half.
    due: ['2021-06-15', '2021-06-30', '2021-07-15', '2021-07-30', '2021-08-13', '2021-08-31', '2021-09-15', '2021-09-30'].map(at18),
    moved: {
      '2021-07-30': { from: '2021-07-31', rule: 'previous_working_day' },
      '2021-08-13': { from: '2021-08-15', rule: 'previous_working_day' },
    },
    departments: ZHOUKOU,
    most: 13, // 08-13: 2 reminders, at due, coordinator 08-16, chasers 08-17 … 08-30 (10)
  },

  // ---- 县林业局 林区公路建设进度 2017: monthly 28th, the first one moved -------------------------------
  {
    plan: 'county-forest-road-monthly-2017',
    deadline: 'progress',
    quote: '请各乡镇人民政府于每月28日(本次报送于5月29日)之前将2017年林区公路建设进度表(附件)报送至县林业局',
    kind: 'recurring',
    // "本次报送于5月29日" replaces the first 28th; no September report is asked for (ambiguity (c)).
    due: ['2017-05-29', '2017-06-28', '2017-07-28', '2017-08-28'].map(at18),
    nonWorkingDay: ['2017-05-29'],
    departments: TOWNSHIPS,
    most: 24, // 06-28 (Wed): 3 reminders, at due, coordinator 06-29, chasers 06-30 … 07-27 (20)
  },
  {
    plan: 'county-forest-road-monthly-2017',
    deadline: 'progress-paper',
    quote: '纸质材料需各乡(镇)长签字、加盖政府公章并在每月28日15点前送县林业局413室',
    kind: 'recurring',
    // Ambiguity (b): the "本次" override is read as applying to the paper copy of the same table too.
    due: ['2017-05-29', '2017-06-28', '2017-07-28', '2017-08-28'].map(at('15:00')),
    nonWorkingDay: ['2017-05-29'],
    departments: TOWNSHIPS,
    most: 24,
  },

  // ---- 住建部 综合管廊周报 2016: Tuesday 12:00, "节假日结束后的第二个工作日" -------------------------
  {
    plan: 'mohurd-pipegallery-weekly-2016',
    deadline: 'weekly',
    quote: '各市县信息报送单位要在每周二中午12时前报送上周管廊建设的规划和工程建设情况',
    kind: 'recurring',
    // Ambiguity (1): 04-19 itself is the first due (the previous week 04-11..17). The three holiday
    // Tuesdays go to the 2nd working day after the holiday block: 10-09 (Sun, worked), 02-04 (Sat,
    // worked), 04-06 — not to the next working day (10-08, 02-03, 04-05), which is all the format's
    // next_working_day can say; the plan lists the dates (GAPS.md). No collision with the next
    // Tuesday in this year (that happens in 2017-10 and 2018-10).
    due: MOHURD_TUESDAYS.map(at12),
    departments: MOHURD_REPORTERS,
    most: 7, // 03-28: 2 reminders, at due, coordinator 03-29, chasers 03-30, 03-31, 04-01 (Sat, worked), 04-05
  },
];

// ---------------------------------------------------------------------------------------------

const loaded = new Map<PlanKey, { plan: CompiledPlan; warnings: Diagnostic[]; text: string; raw: any }>(); // eslint-disable-line @typescript-eslint/no-explicit-any
const planFile = (key: PlanKey) => path.join(NOTICES, key, 'plan.yaml');
/** Text as compared with quotes: no whitespace, Markdown quoting or emphasis, nor the editor's 〔…〕 marks. */
const squash = (s: string) => s.replace(/\*\*/g, '').replace(/^> ?/gm, '').replace(/〔[^〕]*〕/g, '').replace(/\s+/g, '');
const localDate = (iso: string) => iso.slice(0, 10);
const sorted = (xs: string[]) => [...xs].sort();

function compiled(key: PlanKey) {
  const entry = loaded.get(key);
  if (!entry) throw new Error(`${key}/plan.yaml did not load (see its "validates" test)`);
  return entry;
}

function deadlineOf(key: PlanKey, id: string): CompiledDeadline {
  const d = compiled(key).plan.deadlines.find((x) => x.id === id);
  if (!d) throw new Error(`${key}/plan.yaml: no deadline '${id}'`);
  return d;
}

/** The instant of an ISO string, asserting it carries the +08:00 offset. */
function instant(iso: string): number {
  expect(iso, `${iso} should carry the +08:00 offset`).toMatch(/\+08:00$/);
  return Date.parse(iso);
}

/** `line:col` (1-based) of the first occurrence of `needle` in the text (a RegExp: of the first line it matches, at its first non-blank). */
function positionOf(text: string, needle: string | RegExp): string {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => (typeof needle === 'string' ? l.includes(needle) : needle.test(l)));
  expect(i, `'${needle}' is not in the plan`).toBeGreaterThanOrEqual(0);
  return `${i + 1}:${(typeof needle === 'string' ? lines[i].indexOf(needle) : lines[i].search(/\S/)) + 1}`;
}

/** A warning's words in every language it carries (English always; Chinese where given). */
const wordsOf = (d: Diagnostic) => [d.message, (d as { zh?: string }).zh].filter(Boolean).join(' | ');

beforeAll(() => {
  for (const key of Object.keys(PLANS) as PlanKey[]) {
    const text = readFileSync(planFile(key), 'utf8');
    const result = loadPlanFile(planFile(key));
    if (result.ok) loaded.set(key, { plan: result.plan, warnings: result.warnings, text, raw: parseYaml(text) });
  }
});

describe.each(Object.keys(PLANS) as PlanKey[])('plan from notice %s', (key) => {
  const expected: NoticePlan = PLANS[key];

  it('validates with no errors, and gives only the warnings its notice explains', () => {
    const result = loadPlanFile(planFile(key));
    expect(result.ok ? [] : result.errors.map((d) => `${d.line}:${d.col}: ${wordsOf(d)}`)).toEqual([]);
    const { warnings, text } = compiled(key);
    expect(warnings.map((w) => `${w.line}:${w.col}`)).toEqual(expected.warnings.map((w) => positionOf(text, w.at)));
    warnings.forEach((w, i) => {
      const want = expected.warnings[i];
      expect(w.severity).toBe('warning');
      expect(wordsOf(w)).toContain(`'${want.deadline}'`);
      for (const date of want.dates) expect(wordsOf(w), `warning on '${want.deadline}'`).toContain(date);
    });
  });

  it('has the campaign id, zone, language, period, notice date and departments chosen from its notice', () => {
    const { plan } = compiled(key);
    expect(plan.campaign.id).toBe(expected.id);
    expect(plan.campaign.timezone).toBe('Asia/Shanghai');
    expect(plan.campaign.language).toBe('zh-CN');
    expect(instant(plan.campaign.periodStart)).toBe(Date.parse(`${expected.period.start}T00:00:00+08:00`));
    // "The end of the last day": 23:59:59(.999) of it, or midnight at its end.
    expect(instant(plan.campaign.periodEnd)).toBeGreaterThanOrEqual(Date.parse(`${expected.period.end}T23:59:59+08:00`));
    expect(instant(plan.campaign.periodEnd)).toBeLessThanOrEqual(Date.parse(`${expected.period.end}T23:59:59+08:00`) + 1000);
    expect(plan.campaign.issued).toBe(expected.issued === undefined ? undefined : `${expected.issued}T00:00:00.000+08:00`);
    expect(plan.departments.map((d) => d.id)).toEqual(expected.departments);
  });

  it('has a row below for every deadline, and quotes the notice word for word', () => {
    const { plan, raw } = compiled(key);
    expect(sorted(plan.deadlines.map((d) => d.id))).toEqual(sorted(ROWS.filter((r) => r.plan === key).map((r) => r.deadline)));
    const notice = squash(readFileSync(path.join(NOTICES, key, 'notice.md'), 'utf8'));
    for (const d of raw.deadlines) {
      expect(d.quote, `deadline ${d.id} has no quote`).toBeTruthy();
      expect(notice, `deadline ${d.id}: quote not in notice.md`).toContain(squash(d.quote));
    }
  });

  it('uses reserved example e-mail addresses only', () => {
    const emails = [...compiled(key).text.matchAll(/email:\s*([^\s,}]+)/g)].map((m) => m[1]);
    expect(emails.length).toBeGreaterThan(0);
    for (const e of emails) expect(e, `${e} is not under .example`).toMatch(/@[a-z0-9.-]+\.example$/);
  });

  it(`keeps every department's messages for one obligation within the bound (${MESSAGES_PER_OBLIGATION_WARNING}), and preview shows the count`, () => {
    const { plan } = compiled(key);
    const preview = previewText(plan);
    for (const d of plan.deadlines) {
      const most = Math.max(...d.occurrences.map(messagesToDepartment));
      expect(most, `${d.id}`).toBeLessThanOrEqual(MESSAGES_PER_OBLIGATION_WARNING);
      expect(most, `${d.id}`).toBe(ROWS.find((r) => r.plan === key && r.deadline === d.id)?.most);
      expect(preview).toContain(`${d.title}：最多${most}条`);
    }
  });
});

describe.each(ROWS.map((r) => [`${r.plan} ${r.deadline}: ${r.quote}`, r] as const))('%s', (_name, row) => {
  it('compiles to every instant the notice states', () => {
    const d = deadlineOf(row.plan, row.deadline);
    expect(compiled(row.plan).raw.deadlines.find((x: { id: string }) => x.id === row.deadline).quote).toBe(row.quote);
    expect(d.kind).toBe(row.kind);
    expect(d.departments).toEqual(row.departments);
    expect(d.occurrences.map((o) => localDate(o.due))).toEqual(row.due.map(localDate));
    d.occurrences.forEach((occ, i) => {
      const date = localDate(row.due[i]);
      expect(instant(occ.due), `occurrence ${i + 1} (${date})`).toBe(Date.parse(row.due[i]));
      const moved = row.moved?.[date];
      if (moved) expect(occ.moved, `${date} should be moved`).toEqual({ from: expect.stringContaining(moved.from), rule: moved.rule });
      else expect(occ.moved, `${date} should not be moved`).toBeUndefined();
      expect(Boolean(occ.nonWorkingDay), `${date} kept on a non-working day`).toBe(row.nonWorkingDay?.includes(date) ?? false);
    });
  });
});

const steps = (xs: Array<{ at: string }>) => xs.map((x) => x.at);

describe('reminders and chasers on the real calendar', () => {
  it('Xixian: the materials are due the day after the open day; 1 working day late is Tuesday 09-25 (中秋 on 09-24), then every working day to the period end', () => {
    const [occ] = deadlineOf('xixian-open-day-2018', 'materials').occurrences;
    expect(steps(occ.reminders)).toEqual(['2018-09-18T18:00:00.000+08:00', '2018-09-20T18:00:00.000+08:00', '2018-09-21T16:00:00.000+08:00']);
    expect(occ.escalations.map((e) => [localDate(e.at), e.to.join('+')])).toEqual([
      ['2018-09-21', 'department+leaders'],
      ['2018-09-25', 'coordinator'],
      ...['2018-09-26', '2018-09-27', '2018-09-28', '2018-09-29', '2018-09-30'].map((day) => [day, 'department+leaders']),
    ]);
  });

  it('Wangyi "3月5日24时前": reminders and chasers at 09:00, not at midnight', () => {
    const [occ] = deadlineOf('wangyi-stats-quarterly-2019', 'annual').occurrences;
    const nine = (d: string) => `${d}T09:00:00.000+08:00`;
    expect(steps(occ.reminders)).toEqual(['2019-03-04', '2019-03-05'].map(nine));
    expect(steps(occ.escalations)).toEqual(['2019-03-06', '2019-03-07', '2019-03-08', '2019-03-11', '2019-03-12', '2019-03-13', '2019-03-14'].map(nine));
    expect(occ.escalations[1].to).toEqual(['coordinator']);
  });

  it('Wangyi 202-1 county check due Saturday 2019-10-12 (worked): one working day late is Monday 10-14', () => {
    const occ = deadlineOf('wangyi-stats-quarterly-2019', 'q-202-1-check').occurrences[2];
    expect(occ.escalations[1]).toMatchObject({ at: '2019-10-14T12:00:00.000+08:00', to: ['coordinator'] });
  });

  it('MOLSS Q3 2004 moved to Friday 10-08: one working day late is Saturday 10-09 (调休上班), then ten chasers', () => {
    const occ = deadlineOf('molss-laidoff-stats-2003', 'quarterly').occurrences[3];
    expect(occ.escalations.map((e) => localDate(e.at))).toEqual(['2004-10-08', '2004-10-09', '2004-10-10', '2004-10-11', '2004-10-12', '2004-10-13', '2004-10-14', '2004-10-15', '2004-10-18', '2004-10-19', '2004-10-20', '2004-10-21']);
  });

  it('Province 2005: the report due Sunday 09-25 is chased on working days only, across 国庆 (10-08 and 10-09 worked)', () => {
    const [occ] = deadlineOf('province-env-phases-2005', 'rectification').occurrences;
    expect(occ.escalations.map((e) => localDate(e.at))).toEqual(['2005-09-25', '2005-09-26', '2005-09-27', '2005-09-28', '2005-09-29', '2005-09-30', '2005-10-08', '2005-10-09', '2005-10-10', '2005-10-11', '2005-10-12', '2005-10-13']);
    const [summary] = deadlineOf('province-env-phases-2005', 'summary').occurrences;
    expect(summary.escalations.map((e) => [e.at, e.to])).toEqual([['2005-11-10T18:00:00.000+08:00', ['department', 'leaders', 'coordinator']]]);
  });

  it('Yunnan: the half-yearly report due on 正月初一 2019-02-05 is one working day late on 02-11, after the holiday', () => {
    const occ = deadlineOf('yunnan-grassland-bimonthly-2018', 'half-yearly').occurrences[2];
    expect(occ.escalations[1]).toMatchObject({ at: '2019-02-11T18:00:00.000+08:00', to: ['coordinator'] });
  });

  it('Zhoukou: the first report (06-01 10:00) is chased until the first five-day report is due (06-05 10:00)', () => {
    const [occ] = deadlineOf('zhoukou-wheat-fiveday-2021', 'first-report').occurrences;
    expect(occ.reminders).toEqual([]);
    expect(steps(occ.escalations)).toEqual(['2021-06-01', '2021-06-02', '2021-06-03', '2021-06-04'].map((d) => `${d}T10:00:00.000+08:00`));
  });

  it('Hubei: the counties are never escalated to the province (their data goes to their city)', () => {
    for (const occ of deadlineOf('hubei-citybuild-monthly-2011', 'county-monthly').occurrences) {
      for (const e of occ.escalations) expect(e.to).not.toContain('coordinator');
    }
  });
});
