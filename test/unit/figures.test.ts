/**
 * The figures at a glance (reports/figures.ts) on the demo plan with a hand-made status matrix:
 * three weeks of the weekly table and the one-off contacts list, seen on Saturday 16 March 2024.
 * Each number below is worked out by hand in the comments.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadPlanFile } from '../../deadlines/load';
import type { CompiledPlan } from '../../deadlines/timeline';
import type { DeliveryEntry } from '../../obligations/obligations';
import { cumulativeTrends, departmentTimeliness } from '../../reports/figures';
import type { ObligationView } from '../../workflows/department-shard.messages';

const PLAN = fileURLToPath(new URL('../../definitions/demo.yaml', import.meta.url));
const NOW = Date.parse('2024-03-16T12:00:00+08:00');

function plan(): CompiledPlan {
  const r = loadPlanFile(PLAN);
  if (!r.ok) throw new Error('demo plan does not compile');
  return r.plan;
}

const DUE: Record<string, string> = {
  contacts: '2024-03-08T18:00:00.000+08:00',
  w06: '2024-03-06T12:00:00.000+08:00',
  w13: '2024-03-13T12:00:00.000+08:00',
  w20: '2024-03-20T12:00:00.000+08:00',
};

const sent = (kind: string, n: number): DeliveryEntry[] => Array.from({ length: n }, (_, i) => ({ step: `${kind}-${i}`, kind, at: '2024-03-05T10:00:00+08:00', sent: ['x@demo.example'], failed: [] }));

function ob(department: string, which: string, o: Partial<ObligationView> & { at?: string; values?: Record<string, number> } = {}): ObligationView {
  const { at, values, ...rest } = o;
  const late = at ? Date.parse(at) > Date.parse(DUE[which]!) : false;
  return {
    deadline: which === 'contacts' ? 'contacts' : 'weekly-stats',
    occurrence: which === 'contacts' ? 'contacts@2024-03-08' : `weekly-stats@2024-03-${which.slice(1)}`,
    department,
    status: at ? (late ? 'late' : 'submitted') : 'pending',
    versions: at ? [{ submissionId: `${department}-${which}`, version: 1, receivedAt: new Date(at).toISOString(), by: 'x', late, values }] : [],
    deliveries: [],
    due: DUE[which]!,
    inPlan: true,
    ...rest,
  };
}

const MATRIX: ObligationView[] = [
  // east: always on time; week 3 answered early (not yet due, so not counted).
  ob('east', 'contacts', { at: '2024-03-07T10:00:00+08:00' }),
  ob('east', 'w06', { at: '2024-03-06T09:00:00+08:00', values: { fairs: 2, hired: 10 } }),
  ob('east', 'w13', { at: '2024-03-13T11:00:00+08:00', values: { fairs: 5, hired: 25 } }),
  ob('east', 'w20', { at: '2024-03-16T09:00:00+08:00', values: { fairs: 7, hired: 40 } }),
  // west: contacts late Friday 18:00 → Monday 09:00 (63 h, 1 working day); week 1 late 3 h the same day; week 2 missing.
  ob('west', 'contacts', { at: '2024-03-11T09:00:00+08:00', deliveries: [...sent('reminder', 2), ...sent('overdue', 1)] }),
  ob('west', 'w06', { at: '2024-03-06T15:00:00+08:00', values: { fairs: 1, hired: 3 } }),
  ob('west', 'w13', { deliveries: [...sent('reminder', 2), ...sent('overdue', 1), ...sent('escalation', 1), ...sent('chase', 1)], chases: [{ chaseId: 'c1', at: '2024-03-14T10:00:00+08:00', by: 'office' }] }),
  ob('west', 'w20'),
  // north: contacts excused; week 1 on time; week 2 late Wednesday 12:00 → Thursday 14:00 (26 h, 1 working day).
  ob('north', 'contacts', { status: 'excused', excused: { reason: '机构调整', at: '2024-03-07T10:00:00+08:00', by: 'office' } }),
  ob('north', 'w06', { at: '2024-03-06T08:00:00+08:00', values: { fairs: 3, hired: 12 } }),
  ob('north', 'w13', { at: '2024-03-14T14:00:00+08:00', values: { fairs: 4, hired: 20 } }),
  ob('north', 'w20'),
];

describe('figures at a glance', () => {
  it('per department: on-time rate among the obligations due so far (excused left out), lateness, and the messages it took', () => {
    const rows = departmentTimeliness(plan(), MATRIX, NOW);
    expect(rows.map((r) => r.name)).toEqual(['东区人社局', '西区人社局', '北区人社局']);
    expect(rows[0]).toMatchObject({ dueSoFar: 3, onTime: 3, late: 0, missing: 0, excused: 0, onTimeRate: 1, reminders: 0, escalations: 0, chases: 0 });
    expect(rows[0]!.meanLateHours).toBeUndefined();
    expect(rows[1]).toMatchObject({ dueSoFar: 3, onTime: 0, late: 2, missing: 1, excused: 0, onTimeRate: 0, meanLateHours: 33, maxLateHours: 63, maxLateWorkingDays: 1, reminders: 4, escalations: 3, chases: 1 });
    expect(rows[2]).toMatchObject({ dueSoFar: 2, onTime: 1, late: 1, missing: 0, excused: 1, onTimeRate: 0.5, meanLateHours: 26, maxLateHours: 26, maxLateWorkingDays: 1 });
  });

  it('nothing due yet: no rate, rather than 0 %', () => {
    const before = MATRIX.map((o) => ({ ...o, status: 'pending' as const, versions: [], excused: undefined }));
    const rows = departmentTimeliness(plan(), before, Date.parse('2024-03-05T00:00:00+08:00'));
    expect(rows.every((r) => r.dueSoFar === 0 && r.onTimeRate === undefined)).toBe(true);
  });

  it('a weekly table: each cumulative column per department and in total, across the occurrences', () => {
    const trends = cumulativeTrends(plan(), MATRIX);
    // 招聘会场次 and 签订就业协议人数 are cumulative; 其中：女性人数 and 备注 are not.
    expect(trends.map((t) => t.label)).toEqual(['招聘会场次', '签订就业协议人数']);
    const [fairs, hired] = trends;
    expect(fairs!.occurrences.map((o) => o.key)).toEqual(['weekly-stats@2024-03-06', 'weekly-stats@2024-03-13', 'weekly-stats@2024-03-20']);
    expect(fairs!.departments.map((d) => d.values)).toEqual([[2, 5, 7], [1, undefined, undefined], [3, 4, undefined]]);
    expect(fairs!.total).toEqual([6, 9, 7]);
    expect(hired!.total).toEqual([25, 45, 40]);
  });
});
