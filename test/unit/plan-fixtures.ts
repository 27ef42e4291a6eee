/** Small plans for the plan-* unit tests, written as YAML text the way coordinators write them. */
import { expect } from 'vitest';
import { formatDiagnostic } from '../../deadlines/diagnostics';
import { type LoadResult, loadPlanText } from '../../deadlines/load';
import type { CompiledPlan } from '../../deadlines/timeline';

export interface PlanOptions {
  timezone?: string;
  start?: string;
  end?: string;
  endOfWorkday?: string;
  language?: 'zh-CN' | 'en';
  /** Raw YAML for the `defaults:` section body (indented two spaces), or undefined for none. */
  defaults?: string;
  /** Raw YAML for the `calendar:` section body. */
  calendar?: string;
  /** Raw YAML list items for `deadlines:` (each starting with "  - id: …"). */
  deadlines: string;
}

/** Default ladder used by most tests: no reminders, one escalation at due. */
export const QUIET_DEFAULTS = `  reminders: []
  escalation:
    - { after: 0h, to: [department] }`;

export function planYaml(o: PlanOptions): string {
  const lines = [
    'campaign:',
    '  id: test-2024',
    '  title: 测试行动',
    ...(o.timezone ? [`  timezone: ${o.timezone}`] : []),
    ...(o.language ? [`  language: ${o.language}`] : []),
    `  period: { start: ${o.start ?? '2024-01-25'}, end: ${o.end ?? '2024-04-08'} }`,
    ...(o.endOfWorkday ? [`  end_of_workday: "${o.endOfWorkday}"`] : []),
    '  office:',
    '    name: 牵头处室',
    '    contacts: [{ name: 就业促进处, email: office@example.org }]',
  ];
  if (o.calendar) lines.push('calendar:', o.calendar);
  if (o.defaults !== undefined) lines.push('defaults:', o.defaults);
  lines.push(
    'groups:',
    '  cities: { name: 各市人社局 }',
    '  north: { name: 北部城市 }',
    'departments:',
    '  - id: taiyuan',
    '    name: 太原市人社局',
    '    groups: [cities]',
    '    contacts: [{ email: taiyuan@example.org }]',
    '    leaders: [{ email: taiyuan-leader@example.org }]',
    '  - id: datong',
    '    name: 大同市人社局',
    '    groups: [cities, north]',
    '    contacts: [{ email: datong@example.org }]',
    '    leaders: [{ email: datong-leader@example.org }]',
    '  - id: shuozhou',
    '    name: 朔州市人社局',
    '    groups: [north, cities]',
    '    contacts: [{ email: shuozhou@example.org }]',
    '    leaders: [{ email: shuozhou-leader@example.org }]',
    'forms:',
    '  - id: stats',
    '    title: 春风行动开展情况统计表',
    '    columns:',
    '      - { id: fairs, label: 招聘会场次, type: count, cumulative: true }',
    '      - id: transported',
    '        label: 合计运送人次',
    '        type: count',
    '        of_which:',
    '          - { id: women, label: 女性人数, type: count }',
    'deadlines:',
    o.deadlines,
  );
  return `${lines.join('\n')}\n`;
}

export function describeFailure(r: LoadResult): string {
  return r.ok ? '' : r.errors.map(formatDiagnostic).join('\n');
}

/** Loads a plan that must be valid and returns it (fails the test with the diagnostics otherwise). */
export function compileOk(o: PlanOptions | string): { plan: CompiledPlan; warnings: string[] } {
  const text = typeof o === 'string' ? o : planYaml(o);
  const r = loadPlanText(text, 'plan.yaml');
  expect(r.ok, describeFailure(r)).toBe(true);
  if (!r.ok) throw new Error('unreachable');
  return { plan: r.plan, warnings: r.warnings.map(formatDiagnostic) };
}

/** Loads a plan that must be invalid and returns its formatted errors. */
export function compileErrors(o: PlanOptions | string): string[] {
  const text = typeof o === 'string' ? o : planYaml(o);
  const r = loadPlanText(text, 'plan.yaml');
  expect(r.ok, 'expected the plan to be rejected').toBe(false);
  return r.ok ? [] : r.errors.map(formatDiagnostic);
}

/** Line number (1-based) of the first line of `text` containing `needle`. */
export function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`${needle} not found`);
  return i + 1;
}
