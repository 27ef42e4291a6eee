/**
 * A national-scale plan in the real plan format (docs/plan-format.md), generated for the scale test
 * (test/scale/large-plan.test.ts) and the benchmarks (tools/bench/).
 *
 * Shanxi-like (definitions/shanxi-2024.yaml): the period 2024-01-25..2024-04-10, one-off report
 * deadlines (contacts on the first day, progress reports on 2月2日 and 2月22日, the summary on the
 * last day) and a weekly statistics table due every Thursday 18:00 up to the end of the period —
 * but for `departments` departments (`d0001`…, reserved addresses `d0001@bench.example`, each with
 * a leader), grouped by province (31 groups), every deadline asked of every department. With the
 * defaults, 1,000 departments × (4 one-off + 8 weekly occurrences) = 12,000 obligations.
 *
 * Pure: options in, text out; compileGenerated also compiles it (deadlines/load.ts loadPlanText).
 */
import { loadPlanText } from '../../deadlines/load';
import type { CompiledPlan } from '../../deadlines/timeline';

export type LadderName = 'full' | 'lean';

export interface GeneratePlanOptions {
  departments: number;
  /** One-off deadlines (default 4: 1月25日, 2月2日, 2月22日, 4月10日; more are spread in March). */
  oneOff?: number;
  /** Weekly Thursday 18:00 occurrences of the statistics table, the last ones of the period (default 8). */
  weekly?: number;
  /** Campaign id (default national-bench). The delivery ledger is keyed by it. */
  id?: string;
  title?: string;
  /** Inclusive local dates (default 2024-01-25..2024-04-10). */
  period?: { start: string; end: string };
  /**
   * `full` (default): reminders 3d/1d/2h; at due the department with its leaders in copy, one
   * working day late the coordinator, then every working day the department and leaders again.
   * `lean`: reminder 1d; at due the department and leaders; one working day late the coordinator.
   */
  ladder?: LadderName;
  /** Overrides the ladder's reminders (e.g. ['2h']). */
  reminders?: string[];
  /** Overrides the ladder's escalation rungs, as YAML flow mappings (e.g. [] for none). */
  escalation?: string[];
  /** Provinces (groups) the departments are spread over (default 31). */
  groups?: number;
}

export const BENCH_DOMAIN = 'bench.example';
export const DEFAULT_PERIOD = { start: '2024-01-25', end: '2024-04-10' };
export const COORDINATOR_EMAIL = `coordinator@${BENCH_DOMAIN}`;

const PROVINCES = [
  '北京市', '天津市', '河北省', '山西省', '内蒙古自治区', '辽宁省', '吉林省', '黑龙江省', '上海市', '江苏省', '浙江省',
  '安徽省', '福建省', '江西省', '山东省', '河南省', '湖北省', '湖南省', '广东省', '广西壮族自治区', '海南省', '重庆市',
  '四川省', '贵州省', '云南省', '西藏自治区', '陕西省', '甘肃省', '青海省', '宁夏回族自治区', '新疆维吾尔自治区',
];

/** One-off due dates in order of use: Shanxi's four, then extra ones in March. */
const ONE_OFF_DATES = ['2024-01-25', '2024-02-02', '2024-02-22', '2024-04-10', '2024-03-01', '2024-03-08', '2024-03-15', '2024-03-22', '2024-03-29', '2024-02-29', '2024-03-05', '2024-03-12'];

const FULL_LADDER = {
  reminders: ['3d', '1d', '2h'],
  escalation: ['{ after: 0h, to: [department, leaders] }', '{ after: 1wd, to: [coordinator] }', '{ every: 1wd, to: [department, leaders] }'],
};
const LEAN_LADDER = {
  reminders: ['1d'],
  escalation: ['{ after: 0h, to: [department, leaders] }', '{ after: 1wd, to: [coordinator] }'],
};

export function departmentId(i: number): string {
  return `d${String(i + 1).padStart(4, '0')}`;
}

export function departmentEmail(i: number): string {
  return `${departmentId(i)}@${BENCH_DOMAIN}`;
}

/** The columns of the generated statistics table (ids), for building submissions. */
export const STATS_COLUMNS = {
  counts: ['online_fairs', 'online_fair_jobs', 'offline_fairs', 'offline_fair_jobs', 'agreements', 'transported', 'projects', 'mentoring'],
  women: 'transported_women',
  amounts: ['fair_funds', 'subsidies'],
  names: 'counties_done',
} as const;

/** Values of the statistics table for a department's n-th weekly submission (cumulative: never decreasing in n). */
export function statsValues(dept: number, n: number): Record<string, unknown> {
  const v: Record<string, unknown> = {};
  STATS_COLUMNS.counts.forEach((c, k) => (v[c] = (n + 1) * (10 + ((dept + k) % 17))));
  v[STATS_COLUMNS.women] = Math.floor((v.transported as number) / 2);
  STATS_COLUMNS.amounts.forEach((c, k) => (v[c] = (n + 1) * (1.5 + ((dept + k) % 7))));
  v[STATS_COLUMNS.names] = [`第${(dept % 9) + 1}县`, `第${(dept % 5) + 10}区`];
  return v;
}

const DAY = 86_400_000;
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const dateMs = (d: string) => Date.parse(`${d}T00:00:00Z`);

/** The local dates of the last `n` Thursdays up to `end` (inclusive), not before `start`. */
export function lastThursdays(n: number, start: string, end: string): string[] {
  let t = dateMs(end);
  while (new Date(t).getUTCDay() !== 4) t -= DAY;
  const out: string[] = [];
  for (let k = 0; k < n; k++, t -= 7 * DAY) {
    if (t < dateMs(start)) throw new Error(`the period ${start}..${end} has fewer than ${n} Thursdays`);
    out.unshift(isoDate(t));
  }
  return out;
}

const list = (items: readonly string[]) => `[${items.join(', ')}]`;

export function generatePlanYaml(opts: GeneratePlanOptions): string {
  const n = opts.departments;
  if (!Number.isInteger(n) || n < 1 || n > 5000) throw new Error(`departments must be 1..5000 (got ${n})`);
  const oneOff = opts.oneOff ?? 4;
  const weekly = opts.weekly ?? 8;
  if (oneOff > ONE_OFF_DATES.length) throw new Error(`at most ${ONE_OFF_DATES.length} one-off deadlines`);
  const period = opts.period ?? DEFAULT_PERIOD;
  const base = opts.ladder === 'lean' ? LEAN_LADDER : FULL_LADDER;
  const reminders = opts.reminders ?? base.reminders;
  const escalation = opts.escalation ?? base.escalation;
  const groups = Math.min(opts.groups ?? PROVINCES.length, PROVINCES.length, n);
  const id = opts.id ?? 'national-bench';
  const title = opts.title ?? `2024年全国春风行动（${n}个单位，规模测试）`;
  const inPeriod = (d: string) => d >= period.start && d <= period.end;
  const oneOffDates = ONE_OFF_DATES.slice(0, oneOff).map((d, i) => {
    if (i === 0 && !inPeriod(d)) return period.start;
    if (i === 3 && !inPeriod(d)) return period.end;
    if (!inPeriod(d)) throw new Error(`one-off date ${d} is outside the period ${period.start}..${period.end}`);
    return d;
  });
  const thursdays = weekly > 0 ? lastThursdays(weekly, period.start, period.end) : [];

  const out: string[] = [];
  const w = (line = '') => out.push(line);
  w(`# Generated by tools/bench/generate-plan.ts: ${n} departments x ${oneOff + weekly} deadline occurrences = ${n * (oneOff + weekly)} obligations.`);
  w('# Every address is a reserved example address (bench.example).');
  w('campaign:');
  w(`  id: ${id}`);
  w(`  title: ${title}`);
  w('  timezone: Asia/Shanghai');
  w('  language: zh-CN');
  w(`  period: { start: ${period.start}, end: ${period.end} }`);
  w('  end_of_workday: "18:00"');
  w('  office:');
  w('    name: 人力资源和社会保障部就业促进司');
  w('    contacts:');
  w(`      - { name: 就业促进司, email: ${COORDINATOR_EMAIL} }`);
  w(`      - { name: 全国总工会, email: acftu@${BENCH_DOMAIN} }`);
  w('');
  w('defaults:');
  w('  on_non_working_day: keep');
  w(`  reminders: ${list(reminders)}`);
  if (escalation.length === 0) w('  escalation: []');
  else {
    w('  escalation:');
    for (const rung of escalation) w(`    - ${rung}`);
  }
  w('');
  w('groups:');
  for (let g = 0; g < groups; g++) w(`  p${String(g + 1).padStart(2, '0')}: { name: ${PROVINCES[g]}各级人社部门 }`);
  w('');
  w('departments:');
  for (let i = 0; i < n; i++) {
    const g = i % groups;
    const d = departmentId(i);
    w(`  - id: ${d}`);
    w(`    name: ${PROVINCES[g]}第${Math.floor(i / groups) + 1}人力资源和社会保障局`);
    w(`    groups: [p${String(g + 1).padStart(2, '0')}]`);
    w(`    contacts: [{ name: 联络员, email: ${d}@${BENCH_DOMAIN} }]`);
    w(`    leaders: [{ name: 分管领导, email: ${d}-leader@${BENCH_DOMAIN} }]`);
  }
  w('');
  w('forms:');
  w('  - id: stats');
  w('    title: 春风行动开展情况统计表');
  w('    columns:');
  w('      - { id: online_fairs, label: 线上招聘会场次, type: count, cumulative: true }');
  w('      - { id: online_fair_jobs, label: 线上招聘会提供就业岗位数量, type: count, cumulative: true }');
  w('      - { id: offline_fairs, label: 线下招聘会场次, type: count, cumulative: true }');
  w('      - { id: offline_fair_jobs, label: 线下招聘会提供就业岗位数量, type: count, cumulative: true }');
  w('      - { id: agreements, label: 签订就业协议（意向）人次, type: count, cumulative: true }');
  w('      - id: transported');
  w('        label: 合计运送人次');
  w('        type: count');
  w('        cumulative: true');
  w('        of_which:');
  w('          - { id: transported_women, label: 女性人数, type: count, cumulative: true }');
  w('      - { id: projects, label: 推介项目个数, type: count, cumulative: true }');
  w('      - { id: mentoring, label: 组织创业导师指导人次, type: count, cumulative: true }');
  w('      - { id: fair_funds, label: 用于开展各类招聘活动使用资金数量, type: amount, unit: 万元, cumulative: true }');
  w('      - { id: subsidies, label: 发放各类就业补贴数量, type: amount, unit: 万元, cumulative: true }');
  w('      - { id: counties_done, label: 已开展的县（市、区）, type: names }');
  w('');
  w('deadlines:');
  const from = list(Array.from({ length: groups }, (_, g) => `p${String(g + 1).padStart(2, '0')}`));
  const oneOffTitles = ['报送联系人及联系方式', '春节前阶段性活动进展情况', '第二次阶段性活动进展情况', '春风行动整体总结'];
  oneOffDates.forEach((date, i) => {
    w(`  - id: report-${i + 1}`);
    w(`    title: ${oneOffTitles[i] ?? `专项工作进展情况（第${i + 1}次）`}`);
    w(`    from: ${from}`);
    w(`    submit: { report: true, attachments: ${i === 0 ? 'false' : 'true'} }`);
    w(`    schedule: { date: ${date} }`);
    // Due on the period's last day: later rungs would fall after the period, so the coordinator
    // is copied at due (as shanxi-2024.yaml does for its summary).
    if (date === period.end && escalation.length > 0) w('    escalation: [{ after: 0h, to: [department, leaders, coordinator] }]');
  });
  if (thursdays.length > 0) {
    w('  - id: weekly-stats');
    w('    title: 春风行动开展情况统计表（每周更新）');
    w('    quote: 每周四18时前更新报送一次');
    w(`    from: ${from}`);
    w('    submit: { report: false, attachments: false, form: stats }');
    w(`    schedule: { weekly: thursday, time: "18:00", starting: ${thursdays[0]}, until: ${period.end} }`);
  }
  return `${out.join('\n')}\n`;
}

/** The generated plan, compiled; throws when it does not compile. */
export function compileGenerated(opts: GeneratePlanOptions): { plan: CompiledPlan; yaml: string } {
  const yaml = generatePlanYaml(opts);
  const r = loadPlanText(yaml, 'generated.yaml');
  if (!r.ok) throw new Error(`the generated plan does not compile:\n${r.errors.slice(0, 10).map((e) => `${e.line}:${e.col} ${e.message}`).join('\n')}`);
  return { plan: r.plan, yaml };
}
