/**
 * The shipped campaign plans (definitions/*.yaml) against the notices they come from.
 *
 * Every expected instant below was worked out by hand from the notice's own words (quoted in each
 * row) and the real calendars of 2014/2022/2023/2024 — never copied from the compiler's output:
 *
 *   Spring Festival (正月初一)   statutory block        adjusted working days (调休)
 *   2014-01-31 (Fri)            2014-01-31..02-06      2014-01-26 (Sun), 2014-02-08 (Sat); 除夕 01-30 is a working day
 *   2022-02-01 (Tue)            2022-01-31..02-06      2022-01-29 (Sat), 2022-01-30 (Sun)
 *   2023-01-22 (Sun)            2023-01-21..01-27      2023-01-28 (Sat), 2023-01-29 (Sun)
 *   2024-02-10 (Sat)            2024-02-10..02-17      2024-02-04 (Sun), 2024-02-18 (Sun)
 *   Qingming: 2014-04-05..07 (Sat–Mon); 2024-04-04..06 (Thu–Sat), 2024-04-07 (Sun) worked.
 *
 * Conventions from docs/plan-format.md: "X月Y日前" / "下班前" = end_of_workday (18:00) on day X;
 * an open deadline ("随时报送", "贯穿活动全程") has one occurrence at the period end and no
 * reminders or escalations. The readings of ambiguous wording are explained in each plan's
 * campaign.notes.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadPlanFile } from '../../deadlines/load';
import type { CompiledDeadline, CompiledOccurrence, CompiledPlan, FormColumn } from '../../deadlines/timeline';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEFINITIONS = path.join(ROOT, 'definitions');
/** The source notices live outside the repository; the quote-in-notice checks skip without them. */
const SEEDS = process.env.CAMPAIGN_SEEDS_DIR ?? path.resolve(ROOT, '../shared/seeds');

interface SeedPlan {
  file: string;
  /** The notice the plan is derived from (a file in SEEDS); none for the demo. */
  notice?: string;
  id: string;
  period: { start: string; end: string };
  /** Every department id, in plan order. */
  departments: string[];
}

const SHANXI_CITIES = ['taiyuan', 'datong', 'shuozhou', 'xinzhou', 'yangquan', 'lvliang', 'jinzhong', 'changzhi', 'jincheng', 'linfen', 'yuncheng'];
const SHANXI_CITY_NAMES = ['太原市', '大同市', '朔州市', '忻州市', '阳泉市', '吕梁市', '晋中市', '长治市', '晋城市', '临汾市', '运城市'];
const TIANJIN_DISTRICTS = ['heping', 'hedong', 'hexi', 'nankai', 'hebei', 'hongqiao', 'dongli', 'xiqing', 'jinnan', 'beichen', 'wuqing', 'baodi', 'ninghe', 'jinghai', 'jizhou', 'binhai'];
const TIANJIN_DISTRICT_NAMES = ['和平区', '河东区', '河西区', '南开区', '河北区', '红桥区', '东丽区', '西青区', '津南区', '北辰区', '武清区', '宝坻区', '宁河区', '静海区', '蓟州区', '滨海新区'];
/** 市农民工工作领导小组成员单位 other than 市人社局 (the office): "各相关部门". */
const TIANJIN_RELATED = ['shi-jiaotong', 'shi-nongye', 'shi-weijian', 'shi-zonggonghui', 'tuanshiwei', 'shi-fulian', 'minhang-kongguan'];
const TIANJIN_MEMBERS = ['shi-renshe', ...TIANJIN_RELATED];
const WUHAN_DISTRICTS = ['jiangan', 'jianghan', 'qiaokou', 'hanyang', 'wuchang', 'qingshan', 'hongshan', 'dongxihu', 'hannan', 'caidian', 'jiangxia', 'huangpi', 'xinzhou'];
const WUHAN_HR = WUHAN_DISTRICTS.map((d) => `${d}-hr`);
const WUHAN_UNIONS = [...WUHAN_DISTRICTS.map((d) => `${d}-union`), 'city-union'];
const WUHAN_WOMEN = [...WUHAN_DISTRICTS.map((d) => `${d}-women`), 'city-women'];
const YUZHONG_SUBDISTRICTS = ['qixinggang', 'jiefangbei', 'lianglukou', 'shangqingsi', 'caiyuanba', 'nanjimen', 'chaotianmen', 'daxigou', 'daping', 'hualongqiao', 'shiyoulu'];
const YUZHONG_NAMES = ['七星岗', '解放碑', '两路口', '上清寺', '菜园坝', '南纪门', '朝天门', '大溪沟', '大坪', '化龙桥', '石油路'];
const DEMO_DISTRICTS = ['east', 'west', 'north'];

const PLANS: Record<string, SeedPlan> = {
  'tianjin-2024': {
    file: 'tianjin-2024.yaml',
    notice: '000_095ee0090af4990d.txt',
    id: 'tianjin-2024',
    // 2024年1月25日（农历腊月十五）至4月8日（农历二月底）
    period: { start: '2024-01-25', end: '2024-04-08' },
    departments: [...TIANJIN_MEMBERS, ...TIANJIN_DISTRICTS],
  },
  'shanxi-2024': {
    file: 'shanxi-2024.yaml',
    notice: '001_2e076d0e18b5a07d.txt',
    id: 'shanxi-2024',
    // Activity period 01-25..04-08; extended to 04-10 so the overall summary falls inside it.
    period: { start: '2024-01-25', end: '2024-04-10' },
    departments: SHANXI_CITIES,
  },
  'tianjin-2023': {
    file: 'tianjin-2023.yaml',
    notice: '002_5878c819fc177144.txt',
    id: 'tianjin-2023',
    // 成文日期 2023-01-04 to the end of the 2023 春风行动暨就业援助月 (January–March).
    period: { start: '2023-01-04', end: '2023-03-31' },
    departments: TIANJIN_DISTRICTS,
  },
  'wuhan-2014': {
    file: 'wuhan-2014.yaml',
    notice: '003_4e7ab822e1b0de5b.txt',
    id: 'wuhan-2014',
    // 1月下旬至3月底, extended to the summary's 4月5日.
    period: { start: '2014-01-21', end: '2014-04-05' },
    departments: [...WUHAN_HR, ...WUHAN_UNIONS, ...WUHAN_WOMEN],
  },
  'chongqing-yuzhong-2022': {
    file: 'chongqing-yuzhong-2022.yaml',
    notice: '004_b93e47d803a55cac.txt',
    id: 'chongqing-yuzhong-2022',
    period: { start: '2022-01-21', end: '2022-03-31' },
    departments: YUZHONG_SUBDISTRICTS,
  },
  demo: {
    file: 'demo.yaml',
    id: 'demo',
    period: { start: '2024-03-04', end: '2024-03-24' },
    departments: DEMO_DISTRICTS,
  },
};

type PlanKey = keyof typeof PLANS;

interface Row {
  plan: PlanKey;
  deadline: string;
  /** The notice's own words (also the plan's `quote:`). */
  quote: string;
  kind: CompiledDeadline['kind'];
  /** Expected due instants (local time, +08:00), one per occurrence, in order; omitted for open deadlines. */
  due?: string[];
  /** Expected departments (any order). */
  departments: string[];
  /** Occurrences (by expected due date) the plan moved off a non-working day: the original date and rule. */
  moved?: Record<string, { from: string; rule: 'previous_working_day' | 'next_working_day' }>;
  /** Occurrences (by due date) that stay on a non-working day (on_non_working_day: keep). */
  nonWorkingDay?: string[];
  /** Form submitted with the deadline. */
  form?: string;
}

const at18 = (d: string) => `${d}T18:00+08:00`;

// Tianjin 2024 appendix: tasks 6–21 are 贯穿活动全程 (throughout) = open.
const TIANJIN_2024_THROUGHOUT: Array<[string, string, string[]]> = [
  ['task-06', '深入乡镇（街道）、村（社区）开展“就业访民情”，深入重点企业开展“访企问需”等活动，了解劳动者就业意愿和企业用工需求，并发放政策服务清单。', ['shi-renshe']],
  ['task-07', '综合运用“面对面”走访、线上问卷调查、大数据分析等多种方式，对春节前后全市农民工返乡返岗情况进行动态监测并形成报告。', ['shi-renshe', 'shi-jiaotong']],
  ['task-08', '做好节后就业形势分析研判，为缺工企业提供用工支持，开展企业间用工余缺调剂，优先保障重点产业链供应链企业及其他重点缺工企业。', ['shi-renshe']],
  ['task-09', '组织推动各区采取群众喜闻乐见和灵活多样的方式，集中宣传支持重点群体就业创业政策，营造“春风行动就在身边”火热氛围，进一步打响“春风行动”服务品牌。', ['shi-renshe']],
  ['task-10', '统一使用“春风行动”标识，在各类招聘活动现场或首页，以及公共就业服务机构、就业驿站、零工市场等场所显著位置悬挂。', ['shi-renshe']],
  ['task-11', '举办市级分行业分领域分人群专项招聘会20场以上（至少组织1场乡村振兴专场招聘活动）。各区举办分行业分领域分人群专项招聘会15场以上（至少组织1场乡村振兴专场招聘活动）。', ['shi-renshe', 'shi-nongye', ...TIANJIN_DISTRICTS]],
  ['task-12', '在天津市公共就业服务网，设置农民工招聘专区、直播带岗专区。各区开展直播带岗、云招聘等线上服务。', ['shi-renshe', ...TIANJIN_DISTRICTS]],
  ['task-13', '与结对地区开展劳务对接，适时组织联合招聘、驻点招聘、组团招工等服务活动，组织劳务品牌专项对接，根据需要适时组织“点对点”输转，促进农村劳动者高质量转移就业。', ['shi-renshe']],
  ['task-14', '做好农村高校毕业生等青年职业指导，用好乡村创业载体，根据其意愿分类提供外出就业、入乡就业创业等服务。', ['shi-renshe']],
  ['task-15', '会同相关部门持续深化“源来好创业”活动成效，充分挖掘创业孵化基地、返乡创业园等空余场地资源，向创业者精准推送。', ['shi-renshe', 'shi-nongye']],
  ['task-16', '鼓励农村劳动力参加创业培训，宣传兑现本地创业政策、服务、金融等“全链条”支持举措。', ['shi-renshe', 'shi-nongye']],
  ['task-17', '指导各区做好职业技能培训宣传引导，鼓励农村劳动力根据实际需要，通过线上线下等方式参加技能培训。', ['shi-renshe']],
  ['task-18', '指导各区加强零工市场建设，着重做好大龄农民工就业信息推送等服务。', ['shi-renshe']],
  ['task-19', '指导依法合规用工，畅通农民工维权渠道，加大违法惩戒力度，维护好农民工工资报酬等合法权益。', ['shi-renshe']],
  ['task-20', '收集整理各区专项服务活动主要做法、活动安排、活动现场图片、工作信息、特色举措等，做好向人力资源社会保障部定期报送工作信息及工作总结等工作。', ['shi-renshe']],
  ['task-21', '利用各类媒体平台，多形式、多角度宣传全市专项服务活动进展情况和典型做法。指导各区同步做好活动宣传工作。', ['shi-renshe']],
];

const TIANJIN_2024_REPORTERS = [...TIANJIN_RELATED, ...TIANJIN_DISTRICTS];
const WUHAN_SUMMARY_QUOTE = '市总工会、市妇联及各区的工作总结和《武汉市2014年“春风行动”工作情况统计表》，于2014年4月5日前报“春风行动”领导小组办公室';
// 每半个月: the 15th and the month's last day, 2014-01-31..03-31, moved to the next working day.
const WUHAN_HALF_MONTHLY_DUE = ['2014-02-07', '2014-02-17', '2014-02-28', '2014-03-17', '2014-03-31'].map(at18);
const WUHAN_HALF_MONTHLY_MOVED = {
  '2014-02-07': { from: '2014-01-31', rule: 'next_working_day' }, // 正月初一, holiday until 02-06
  '2014-02-17': { from: '2014-02-15', rule: 'next_working_day' }, // Saturday
  '2014-03-17': { from: '2014-03-15', rule: 'next_working_day' }, // Saturday
} as const;

const ROWS: Row[] = [
  // ---- 000 天津市2024年春风行动实施方案 -------------------------------------------------
  {
    plan: 'tianjin-2024',
    deadline: 'stage-progress',
    quote: '请各相关部门、各区于2月3日前向市人社局就业处报送本区阶段性活动进展情况',
    kind: 'one-off',
    due: [at18('2024-02-03')], // Saturday; the notice's date is kept
    nonWorkingDay: ['2024-02-03'],
    departments: TIANJIN_2024_REPORTERS,
  },
  {
    plan: 'tianjin-2024',
    deadline: 'second-stage-progress',
    quote: '于2月25日前报送第二阶段活动进展情况',
    kind: 'one-off',
    due: [at18('2024-02-25')], // Sunday (02-18 was the adjusted working Sunday); kept
    nonWorkingDay: ['2024-02-25'],
    departments: TIANJIN_2024_REPORTERS,
  },
  {
    plan: 'tianjin-2024',
    deadline: 'summary',
    quote: '于4月3日前报送活动总结报告',
    kind: 'one-off',
    due: [at18('2024-04-03')], // Wednesday, the last working day before 清明
    departments: TIANJIN_2024_REPORTERS,
  },
  { plan: 'tianjin-2024', deadline: 'important-situations', quote: '重要情况及时报送', kind: 'open', departments: TIANJIN_2024_REPORTERS },
  {
    plan: 'tianjin-2024',
    deadline: 'publicity',
    quote: '请各区分阶段、分类型、有侧重地将工作信息、图文影像（附简要文字说明）、新闻线索等报送至指定邮箱',
    kind: 'open',
    departments: TIANJIN_DISTRICTS,
  },
  {
    plan: 'tianjin-2024',
    deadline: 'task-02', // 完成时限 1月25日前 (Thursday, the first day of the period)
    quote: '建立市级服务活动工作机制，指导各区建立本级工作机制。',
    kind: 'one-off',
    due: [at18('2024-01-25')],
    departments: TIANJIN_MEMBERS,
  },
  {
    plan: 'tianjin-2024',
    deadline: 'task-03', // 2月5日前 (Monday)
    quote: '举办市级专项服务活动启动仪式，各区举办区级启动仪式。',
    kind: 'one-off',
    due: [at18('2024-02-05')],
    departments: [...TIANJIN_MEMBERS, ...TIANJIN_DISTRICTS],
  },
  {
    plan: 'tianjin-2024',
    deadline: 'task-04', // 1月31日前 (Wednesday)
    quote: '向春节留岗务工人员发布慰问信或倡议书。',
    kind: 'one-off',
    due: [at18('2024-01-31')],
    departments: ['shi-renshe', 'shi-zonggonghui'],
  },
  {
    plan: 'tianjin-2024',
    deadline: 'task-05', // 春节前: 除夕 2024-02-09 (Friday, a working day)
    quote: '面向春节留岗务工人员组织开展多种形式的送温暖和慰问活动。',
    kind: 'one-off',
    due: [at18('2024-02-09')],
    departments: ['shi-renshe', 'shi-zonggonghui'],
  },
  ...TIANJIN_2024_THROUGHOUT.map(([deadline, quote, departments]): Row => ({ plan: 'tianjin-2024', deadline, quote, kind: 'open', departments })),

  // ---- 001 山西省 关于开展2024年春风行动的通知 ---------------------------------------------
  {
    plan: 'shanxi-2024',
    deadline: 'contacts',
    quote: '各市人社局请于2024年1月25日前报送联系人及联系方式',
    kind: 'one-off',
    due: [at18('2024-01-25')], // Thursday
    departments: SHANXI_CITIES,
  },
  {
    plan: 'shanxi-2024',
    deadline: 'pre-festival-progress',
    quote: '请于2月2日前报送春节前阶段性活动进展情况',
    kind: 'one-off',
    due: [at18('2024-02-02')], // Friday
    departments: SHANXI_CITIES,
  },
  {
    plan: 'shanxi-2024',
    deadline: 'second-stage-progress',
    quote: '于2月22日前报送第二次阶段性活动进展情况',
    kind: 'one-off',
    due: [at18('2024-02-22')], // Thursday
    departments: SHANXI_CITIES,
  },
  {
    plan: 'shanxi-2024',
    deadline: 'weekly-stats',
    quote: '春节后每周四18时前更新报送一次',
    kind: 'recurring',
    // 春节后 = after the statutory holiday (02-10..02-17): the first Thursday is 02-22; every
    // Thursday to the activity's end 04-08; 04-04 is 清明 → previous working day 04-03 (Wednesday).
    due: ['2024-02-22', '2024-02-29', '2024-03-07', '2024-03-14', '2024-03-21', '2024-03-28', '2024-04-03'].map(at18),
    moved: { '2024-04-03': { from: '2024-04-04', rule: 'previous_working_day' } },
    departments: SHANXI_CITIES,
    form: 'stats',
  },
  {
    plan: 'shanxi-2024',
    deadline: 'summary',
    quote: '于4月10日前按要求报送整体总结',
    kind: 'one-off',
    due: [at18('2024-04-10')], // Wednesday, two days after the activity period
    departments: SHANXI_CITIES,
  },
  { plan: 'shanxi-2024', deadline: 'major-situations', quote: '各地工作推进过程中遇到的问题及重大情况，请及时上报', kind: 'open', departments: SHANXI_CITIES },
  { plan: 'shanxi-2024', deadline: 'publicity', quote: '活动期间请即时将活动图文影像、新闻线索等发至指定邮箱', kind: 'open', departments: SHANXI_CITIES },

  // ---- 002 天津市人社局 春节期间企业用工服务保障 2023 --------------------------------------
  {
    plan: 'tianjin-2023',
    deadline: 'task-force-list',
    quote: '1月6日（星期五）下班前，报送本区工作专班人员名单',
    kind: 'one-off',
    due: [at18('2023-01-06')],
    departments: TIANJIN_DISTRICTS,
  },
  {
    plan: 'tianjin-2023',
    deadline: 'weekly-report',
    quote: '各区企业用工需求情况、用工服务保障情况、存在问题和典型做法，每周报送市局就业促进处',
    kind: 'recurring',
    // Every Friday from the week after the list (01-13) to 03-31; 01-27 falls in the 春节 block
    // (01-21..01-27) → next working day, Saturday 01-28 (调休上班).
    due: ['2023-01-13', '2023-01-20', '2023-01-28', '2023-02-03', '2023-02-10', '2023-02-17', '2023-02-24', '2023-03-03', '2023-03-10', '2023-03-17', '2023-03-24', '2023-03-31'].map(at18),
    moved: { '2023-01-28': { from: '2023-01-27', rule: 'next_working_day' } },
    departments: TIANJIN_DISTRICTS,
  },

  // ---- 003 武汉市2014年“春风行动”工作方案 ------------------------------------------------
  {
    plan: 'wuhan-2014',
    deadline: 'pre-festival-survey',
    quote: '2014年春节前组织人员深入本地用工企业，进一步摸清企业拟招工人数',
    kind: 'one-off',
    due: [at18('2014-01-30')], // 除夕, a working day in 2014
    departments: WUHAN_HR,
  },
  { plan: 'wuhan-2014', deadline: 'half-monthly-hr', quote: '每半个月上报一次活动开展情况及相关数据', kind: 'recurring', due: WUHAN_HALF_MONTHLY_DUE, moved: WUHAN_HALF_MONTHLY_MOVED, departments: WUHAN_HR, form: 'hr-stats' },
  { plan: 'wuhan-2014', deadline: 'half-monthly-unions', quote: '每半个月上报一次活动开展情况及相关数据', kind: 'recurring', due: WUHAN_HALF_MONTHLY_DUE, moved: WUHAN_HALF_MONTHLY_MOVED, departments: WUHAN_UNIONS, form: 'union-stats' },
  { plan: 'wuhan-2014', deadline: 'half-monthly-women', quote: '每半个月上报一次活动开展情况及相关数据', kind: 'recurring', due: WUHAN_HALF_MONTHLY_DUE, moved: WUHAN_HALF_MONTHLY_MOVED, departments: WUHAN_WOMEN, form: 'women-stats' },
  // 4月5日 is a Saturday and the first day of 清明 (04-05..04-07): kept as written.
  { plan: 'wuhan-2014', deadline: 'summary-hr', quote: WUHAN_SUMMARY_QUOTE, kind: 'one-off', due: [at18('2014-04-05')], nonWorkingDay: ['2014-04-05'], departments: WUHAN_HR, form: 'hr-stats' },
  { plan: 'wuhan-2014', deadline: 'summary-unions', quote: WUHAN_SUMMARY_QUOTE, kind: 'one-off', due: [at18('2014-04-05')], nonWorkingDay: ['2014-04-05'], departments: WUHAN_UNIONS, form: 'union-stats' },
  { plan: 'wuhan-2014', deadline: 'summary-women', quote: WUHAN_SUMMARY_QUOTE, kind: 'one-off', due: [at18('2014-04-05')], nonWorkingDay: ['2014-04-05'], departments: WUHAN_WOMEN, form: 'women-stats' },

  // ---- 004 渝中区 关于开展2022年春风行动的通知 ---------------------------------------------
  {
    plan: 'chongqing-yuzhong-2022',
    deadline: 'summary',
    quote: '各街道请于2022年3月31日前将开展活动情况的总结、活动图片和统计表（见附件，盖章纸质件和电子档各一份）报区人力社保局',
    kind: 'one-off',
    due: [at18('2022-03-31')], // Thursday
    departments: YUZHONG_SUBDISTRICTS,
    form: 'stats',
  },
  { plan: 'chongqing-yuzhong-2022', deadline: 'progress', quote: '工作进度情况，随时报送', kind: 'open', departments: YUZHONG_SUBDISTRICTS },
  {
    plan: 'chongqing-yuzhong-2022',
    deadline: 'publicity',
    quote: '活动期间现场图片（附简要文字说明）以及有关新闻和信息线索可以电子邮件形式及时报送',
    kind: 'open',
    departments: YUZHONG_SUBDISTRICTS,
  },

  // ---- demo (no notice) ------------------------------------------------------------------
  { plan: 'demo', deadline: 'contacts', quote: '请于3月8日前报送联系人及联系方式', kind: 'one-off', due: [at18('2024-03-08')], departments: DEMO_DISTRICTS },
  {
    plan: 'demo',
    deadline: 'weekly-stats',
    quote: '每周三12时前报送一次',
    kind: 'recurring',
    due: ['2024-03-06T12:00+08:00', '2024-03-13T12:00+08:00', '2024-03-20T12:00+08:00'],
    departments: DEMO_DISTRICTS,
    form: 'weekly',
  },
];

// ---------------------------------------------------------------------------------------------
// Helpers

const loaded = new Map<PlanKey, CompiledPlan>();
const rawPlans = new Map<PlanKey, any>(); // eslint-disable-line @typescript-eslint/no-explicit-any

function compiled(key: PlanKey): CompiledPlan {
  const plan = loaded.get(key);
  if (!plan) throw new Error(`${PLANS[key].file} did not load (see the "loads without errors" test)`);
  return plan;
}

function deadlineOf(key: PlanKey, id: string): CompiledDeadline {
  const d = compiled(key).deadlines.find((x) => x.id === id);
  if (!d) throw new Error(`${PLANS[key].file}: no deadline '${id}'`);
  return d;
}

/** The instant of an ISO string, asserting it carries the +08:00 offset. */
function instant(iso: string): number {
  expect(iso, `${iso} should carry the +08:00 offset`).toMatch(/\+08:00$/);
  const ms = Date.parse(iso);
  expect(Number.isNaN(ms), `${iso} is not an ISO instant`).toBe(false);
  return ms;
}

const localDate = (iso: string) => iso.slice(0, 10);
const sorted = (xs: string[]) => [...xs].sort();
const plusOneDay = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/** Text as compared with quotes: no whitespace, no Markdown emphasis. */
const squash = (s: string) => s.replace(/\*\*/g, '').replace(/\s+/g, '');

function noticeText(key: PlanKey): string | undefined {
  const notice = PLANS[key].notice;
  if (!notice) return undefined;
  const file = path.join(SEEDS, notice);
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

/** Flattened column shape: label, type, unit and the "其中" sub-columns. */
interface ColumnShape {
  label: string;
  type: string;
  unit?: string;
  ofWhich?: string[];
}

function shape(columns: FormColumn[]): ColumnShape[] {
  return columns.map((c) => {
    const s: ColumnShape = { label: c.label, type: c.type };
    if (c.unit !== undefined) s.unit = c.unit;
    if (c.ofWhich && c.ofWhich.length > 0) s.ofWhich = c.ofWhich.map((w) => w.label);
    return s;
  });
}

/** Number of value columns (a parent and each of its sub-columns count one each). */
const valueColumns = (columns: FormColumn[]): number => columns.reduce((n, c) => n + 1 + (c.ofWhich ? valueColumns(c.ofWhich) : 0), 0);

const count = (label: string, ofWhich?: string[]): ColumnShape => (ofWhich ? { label, type: 'count', ofWhich } : { label, type: 'count' });
const amount = (label: string, unit: string): ColumnShape => ({ label, type: 'amount', unit });

function formOf(key: PlanKey, id: string) {
  const form = compiled(key).forms.find((f) => f.id === id);
  if (!form) throw new Error(`${PLANS[key].file}: no form '${id}'`);
  return form;
}

// ---------------------------------------------------------------------------------------------

beforeAll(async () => {
  for (const key of Object.keys(PLANS) as PlanKey[]) {
    const file = path.join(DEFINITIONS, PLANS[key].file);
    rawPlans.set(key, parseYaml(readFileSync(file, 'utf8')));
    const result = await loadPlanFile(file);
    if (result.ok) loaded.set(key, result.plan);
  }
});

describe.each(Object.keys(PLANS) as PlanKey[])('seed plan %s', (key) => {
  const seed = PLANS[key];

  it('loads without errors', async () => {
    const result = await loadPlanFile(path.join(DEFINITIONS, seed.file));
    const problems = result.ok ? [] : result.errors.map((d) => `${d.file}:${d.line}:${d.col}: ${d.message}`);
    expect(problems).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it('has the campaign id, zone, period and departments of its notice', () => {
    const plan = compiled(key);
    expect(plan.format).toBe(1);
    expect(plan.campaign.id).toBe(seed.id);
    expect(plan.campaign.timezone).toBe('Asia/Shanghai');
    expect(plan.campaign.language).toBe('zh-CN');
    expect(plan.campaign.endOfWorkday).toBe('18:00');
    expect(instant(plan.campaign.periodStart)).toBe(Date.parse(`${seed.period.start}T00:00:00+08:00`));
    // "The end of the last day": 23:59:59(.999) of it, or midnight at its end.
    const end = instant(plan.campaign.periodEnd);
    expect(end).toBeGreaterThanOrEqual(Date.parse(`${seed.period.end}T23:59:59+08:00`));
    expect(end).toBeLessThanOrEqual(Date.parse(`${plusOneDay(seed.period.end)}T00:00:00+08:00`));
    expect(plan.departments.map((d) => d.id)).toEqual(seed.departments);
  });

  it('has a table row for every deadline, and a quote on every deadline', () => {
    const plan = compiled(key);
    const rows = ROWS.filter((r) => r.plan === key).map((r) => r.deadline);
    expect(sorted(plan.deadlines.map((d) => d.id))).toEqual(sorted(rows));
    for (const d of rawPlans.get(key).deadlines) expect(d.quote, `deadline ${d.id} has no quote`).toBeTruthy();
  });

  it('uses reserved example e-mail addresses only', () => {
    const emails: string[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          if (k === 'email' && typeof x === 'string') emails.push(x);
          else walk(x);
        }
      }
    };
    walk(rawPlans.get(key));
    expect(emails.length).toBeGreaterThan(0);
    for (const e of emails) {
      const domain = e.split('@')[1]?.toLowerCase() ?? '';
      // RFC 2606 / RFC 6761: the .example TLD and example.org/.com/.net.
      expect(/(^|\.)example$/.test(domain) || /(^|\.)example\.(org|com|net)$/.test(domain), `${e} is not a reserved example address`).toBe(true);
    }
  });

  it('keeps every reminder before its due and every escalation between its due and the next one', () => {
    const plan = compiled(key);
    const periodEnd = Date.parse(plan.campaign.periodEnd);
    for (const d of plan.deadlines) {
      d.occurrences.forEach((occ: CompiledOccurrence, i: number) => {
        const due = instant(occ.due);
        for (const r of occ.reminders) expect(instant(r.at), `${occ.key} reminder ${r.before}`).toBeLessThan(due);
        const next = d.occurrences[i + 1];
        const limit = next ? Date.parse(next.due) : periodEnd;
        for (const e of occ.escalations) {
          const t = instant(e.at);
          expect(t, `${occ.key} escalation ${e.label}`).toBeGreaterThanOrEqual(due);
          expect(t, `${occ.key} escalation ${e.label}`).toBeLessThanOrEqual(limit);
        }
      });
    }
  });
});

describe.each(ROWS.map((r) => [`${r.plan} ${r.deadline}: ${r.quote}`, r] as const))('%s', (_name, row) => {
  it('quotes the notice word for word', () => {
    const raw = rawPlans.get(row.plan).deadlines.find((d: { id: string }) => d.id === row.deadline);
    expect(raw, `no deadline '${row.deadline}' in ${PLANS[row.plan].file}`).toBeDefined();
    expect(raw.quote).toBe(row.quote);
    const text = noticeText(row.plan);
    if (text !== undefined) expect(squash(text)).toContain(squash(row.quote));
  });

  it('compiles to the occurrences the notice sets', () => {
    const d = deadlineOf(row.plan, row.deadline);
    const plan = compiled(row.plan);
    expect(d.kind).toBe(row.kind);
    expect(sorted(d.departments)).toEqual(sorted(row.departments));
    expect(d.departments.length).toBe(row.departments.length);
    if (row.form !== undefined) expect(d.submit.form).toBe(row.form);

    if (row.kind === 'open') {
      expect(d.occurrences).toHaveLength(1);
      const [occ] = d.occurrences;
      expect(instant(occ.due)).toBe(Date.parse(plan.campaign.periodEnd));
      expect(occ.reminders).toEqual([]);
      expect(occ.escalations).toEqual([]);
      return;
    }

    const expected = row.due ?? [];
    expect(d.occurrences.map((o) => localDate(o.due))).toEqual(expected.map(localDate));
    d.occurrences.forEach((occ, i) => {
      expect(instant(occ.due), `occurrence ${i + 1} of ${row.deadline}`).toBe(Date.parse(expected[i]));
      const date = localDate(expected[i]);
      const moved = row.moved?.[date];
      if (moved) {
        expect(occ.moved?.rule, `${date} should be moved`).toBe(moved.rule);
        expect(occ.moved?.from).toContain(moved.from);
      } else {
        expect(occ.moved, `${date} should not be moved`).toBeUndefined();
      }
      expect(Boolean(occ.nonWorkingDay), `${date} nonWorkingDay`).toBe(row.nonWorkingDay?.includes(date) ?? false);
    });
  });
});

describe('reminder and escalation instants on the real calendar', () => {
  it('Shanxi 2月2日前: reminders 3d/1d/2h before 18:00; one working day late is Sunday 2月4日 (调休上班)', () => {
    const [occ] = deadlineOf('shanxi-2024', 'pre-festival-progress').occurrences;
    expect(occ.reminders.map((r) => [r.before, instant(r.at)])).toEqual([
      ['3d', Date.parse('2024-01-30T18:00:00+08:00')],
      ['1d', Date.parse('2024-02-01T18:00:00+08:00')],
      ['2h', Date.parse('2024-02-02T16:00:00+08:00')],
    ]);
    const [atDue, oneWorkingDayLate] = occ.escalations;
    expect(instant(atDue.at)).toBe(Date.parse('2024-02-02T18:00:00+08:00'));
    expect(atDue.to).toEqual(['department', 'leaders']);
    expect(instant(oneWorkingDayLate.at)).toBe(Date.parse('2024-02-04T18:00:00+08:00'));
    expect(oneWorkingDayLate.to).toEqual(['coordinator']);
  });

  it('Shanxi: chasers go out on working days only (none at weekends, during 春节 02-10..17 or 清明 04-04..06)', () => {
    const holidays = new Set(['2024-02-10', '2024-02-11', '2024-02-12', '2024-02-13', '2024-02-14', '2024-02-15', '2024-02-16', '2024-02-17', '2024-04-04', '2024-04-05', '2024-04-06']);
    const adjustedWorkdays = new Set(['2024-02-04', '2024-02-18', '2024-04-07']);
    const isWorkingDay = (date: string) => {
      if (adjustedWorkdays.has(date)) return true;
      const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
      return weekday !== 0 && weekday !== 6 && !holidays.has(date);
    };
    let checked = 0;
    for (const d of compiled('shanxi-2024').deadlines) {
      for (const occ of d.occurrences) {
        for (const e of occ.escalations) {
          expect(isWorkingDay(localDate(e.at)), `${occ.key}: escalation on ${e.at}`).toBe(true);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(0);
    // The contacts deadline (Thu 01-25): at due, then Fri 01-26 (1 working day late, coordinator),
    // then every working day: Mon 01-29, Tue 01-30, …
    const [contacts] = deadlineOf('shanxi-2024', 'contacts').occurrences;
    expect(contacts.escalations.slice(0, 4).map((e) => [localDate(e.at), e.step])).toEqual([
      ['2024-01-25', 1],
      ['2024-01-26', 2],
      ['2024-01-29', 3],
      ['2024-01-30', 3],
    ]);
  });

  it('Shanxi 1月25日前 (the first day of the period): only the 2h reminder', () => {
    const [occ] = deadlineOf('shanxi-2024', 'contacts').occurrences;
    expect(occ.reminders.map((r) => [r.before, instant(r.at)])).toEqual([['2h', Date.parse('2024-01-25T16:00:00+08:00')]]);
  });

  it.each([
    ['shanxi-2024', 'summary', '2024-04-10T18:00:00+08:00'],
    ['chongqing-yuzhong-2022', 'summary', '2022-03-31T18:00:00+08:00'],
    ['wuhan-2014', 'summary-hr', '2014-04-05T18:00:00+08:00'],
    ['wuhan-2014', 'summary-unions', '2014-04-05T18:00:00+08:00'],
    ['wuhan-2014', 'summary-women', '2014-04-05T18:00:00+08:00'],
  ] as const)('%s %s, due on the last day of the period: the coordinator is copied at due', (plan, id, due) => {
    const [occ] = deadlineOf(plan, id).occurrences;
    expect(occ.escalations.map((e) => [instant(e.at), e.to])).toEqual([[Date.parse(due), ['department', 'leaders', 'coordinator']]]);
  });

  it('Shanxi weekly table: reminders 1d and 2h before each Thursday 18:00; escalations stop at the next Thursday', () => {
    const d = deadlineOf('shanxi-2024', 'weekly-stats');
    const first = d.occurrences[0];
    expect(first.reminders.map((r) => [r.before, instant(r.at)])).toEqual([
      ['1d', Date.parse('2024-02-21T18:00:00+08:00')],
      ['2h', Date.parse('2024-02-22T16:00:00+08:00')],
    ]);
    for (const e of first.escalations) expect(instant(e.at)).toBeLessThanOrEqual(Date.parse('2024-02-29T18:00:00+08:00'));
  });
});

describe('statistics tables', () => {
  it('Shanxi 春风行动开展情况统计表: the attachment’s 19 columns in order, funds in 万元, county names lists', () => {
    const form = formOf('shanxi-2024', 'stats');
    expect(form.title).toBe('春风行动开展情况统计表');
    expect(shape(form.columns)).toEqual([
      // 招聘活动情况
      count('线上招聘会场次'),
      count('线上招聘会提供就业岗位数量'),
      count('线下招聘会场次'),
      count('线下招聘会提供就业岗位数量'),
      count('签订就业协议（意向）人次'),
      // 包车、专列（包车厢）、包机运送情况
      count('合计运送人次'),
      count('专车数量'),
      count('专车运送人次'),
      count('专列（含包车厢）数量'),
      count('专列（含包车厢）运送人次'),
      count('包机架次'),
      count('包机运送人次'),
      // 支持返乡创业情况
      count('推介项目个数'),
      count('组织创业导师指导人次'),
      count('提供创业场地资源个数'),
      amount('用于开展各类招聘活动使用资金数量', '万元'),
      amount('发放各类就业补贴数量（用于稳就业的资金均可计入，不限于就业补助资金支出）', '万元'),
      // 各县（市、区）招聘活动情况
      { label: '已开展的县（市、区）', type: 'names' },
      { label: '未开展的县（市、区）', type: 'names' },
    ]);
    expect(valueColumns(form.columns)).toBe(19);
    // "更新报送": running totals that may not decrease (numeric columns only).
    for (const c of form.columns) expect(Boolean(c.cumulative)).toBe(c.type === 'count' || c.type === 'amount');
  });

  it('Shanxi: the 11 prefecture-level 人力资源和社会保障局 in group cities', () => {
    const plan = compiled('shanxi-2024');
    expect(plan.departments.map((d) => d.name)).toEqual(SHANXI_CITY_NAMES.map((c) => `${c}人力资源和社会保障局`));
    for (const d of plan.departments) expect(d.groups).toEqual(['cities']);
    expect(plan.campaign.office.contacts).toHaveLength(7);
  });

  it('Wuhan 附件1 (人力资源社会保障部门): 18 columns with 其中：女性人数', () => {
    const form = formOf('wuhan-2014', 'hr-stats');
    expect(shape(form.columns)).toEqual([
      count('发放春风卡等宣传资料份数'), // 1
      count('组织专场招聘活动次数'), // 2
      count('提供免费服务人数', ['女性人数']), // 3, 4
      count('本地企业吸纳农村劳动者就业人数', ['女性人数']), // 5, 6
      count('跨地区有组织劳务输出成功人数', ['女性人数']), // 7, 8
      count('接受创业服务人数', ['女性人数']), // 9, 10
      count('组织参加职业技能培训人数', ['女性人数', '参加创业培训人数', '享受培训补贴人数']), // 11–14
      count('提供劳动维权服务和法律援助人数', ['女性人数']), // 15, 16
      count('推荐用工规范诚信企业个数'), // 17
      count('推荐诚信服务机构个数'), // 18
    ]);
    expect(valueColumns(form.columns)).toBe(18);
  });

  it('Wuhan 附件2 (工会组织): 12 columns', () => {
    const form = formOf('wuhan-2014', 'union-stats');
    expect(shape(form.columns)).toEqual([
      count('发放宣传资料份数'),
      count('组织专场招聘会次数'),
      count('提供免费服务人数'),
      count('跨地区有组织劳务输出人数'),
      count('成功介绍农村劳动者就业人数'),
      count('组织参加职业技能培训人数', ['享受培训补贴人数']),
      count('接受创业服务人数'),
      count('组织家政服务培训人数'),
      amount('提供小额担保贷款金额', '万元'),
      count('组织参加创业培训人数'),
      count('提供劳动维权服务和法律援助人数'),
    ]);
    expect(valueColumns(form.columns)).toBe(12);
  });

  it('Wuhan 附件3 (妇联组织): 12 columns with 其中：农村妇女人数', () => {
    const form = formOf('wuhan-2014', 'women-stats');
    expect(shape(form.columns)).toEqual([
      count('发放宣传资料份数'),
      count('组织专场招聘活动次数'),
      count('提供免费服务人数'),
      count('成功介绍女性就业人数', ['农村妇女人数']),
      count('跨地区有组织劳务输出女性人数'),
      count('组织参加职业技能培训女性人数', ['享受培训补贴人数']),
      count('参加创业培训女性人数', ['农村妇女人数']),
      amount('发放小额担保贷款', '万元'),
      count('提供劳动维权服务和法律援助女性人数'),
    ]);
    expect(valueColumns(form.columns)).toBe(12);
  });

  it('Wuhan: 13 districts × (人社, 工会, 妇联) plus 市总工会 and 市妇联', () => {
    const plan = compiled('wuhan-2014');
    expect(plan.departments).toHaveLength(41);
    expect(plan.departments.find((d) => d.id === 'jiangan-hr')?.name).toBe('江岸区人力资源（社会保障）局');
    expect(plan.departments.find((d) => d.id === 'xinzhou-union')?.name).toBe('新洲区总工会');
    expect(plan.departments.find((d) => d.id === 'qiaokou-women')?.name).toBe('硚口区妇女联合会');
  });

  it('Chongqing Yuzhong 2022年春风行动工作情况统计表: 21 columns with 其中 sub-columns', () => {
    const form = formOf('chongqing-yuzhong-2022', 'stats');
    expect(shape(form.columns)).toEqual([
      count('发放春风卡等宣传资料份数'), // 1
      // 专场招聘会 (a header without a value of its own): 2–5
      count('组织招聘活动次数'),
      count('进场招聘企业数量'),
      count('发布岗位信息条数'),
      count('签订就业意向人数'),
      count('提供公共就业创业服务人数', ['脱贫人口数', '女性人数']), // 6–8
      count('组织参加职业技能培训人数', ['参加创业培训人数', '享受培训补贴人数']), // 9–11
      count('劳动维权和法律援助人数'), // 12
      count('实现区县内就地就近人数', ['脱贫人口数', '女性人数']), // 13–15
      count('实现区县外省内转移就业人数', ['脱贫人口数', '女性人数']), // 16–18
      count('实现跨省转移就业人数', ['脱贫人口数', '女性人数']), // 19–21
    ]);
    expect(valueColumns(form.columns)).toBe(21);
  });

  it('Chongqing Yuzhong: the 11 街道办事处 of 渝中区', () => {
    expect(compiled('chongqing-yuzhong-2022').departments.map((d) => d.name)).toEqual(YUZHONG_NAMES.map((n) => `${n}街道办事处`));
  });

  it('Tianjin: the 16 districts as the notices address them', () => {
    const t24 = compiled('tianjin-2024').departments.filter((d) => d.groups.includes('districts'));
    expect(t24.map((d) => d.name)).toEqual(TIANJIN_DISTRICT_NAMES.map((n) => `${n}人民政府`)); // 各区人民政府
    const t23 = compiled('tianjin-2023').departments;
    expect(t23.map((d) => d.name)).toEqual(TIANJIN_DISTRICT_NAMES.map((n) => `${n}人力资源和社会保障局`)); // 各区人力资源和社会保障局
    const members = compiled('tianjin-2024').departments.filter((d) => d.groups.includes('member_units'));
    expect(members.map((d) => d.name)).toEqual(['市人社局', '市交通运输委', '市农业农村委', '市卫生健康委', '市总工会', '团市委', '市妇联', '中国民用航空华北地区空中交通管理局天津分局']);
  });

  it('demo: a short form with one 其中 sub-column', () => {
    const form = formOf('demo', 'weekly');
    expect(shape(form.columns)).toEqual([count('招聘会场次'), count('签订就业协议人数', ['女性人数']), { label: '备注', type: 'text' }]);
  });
});
