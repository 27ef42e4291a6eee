import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { diffPlans, formatPlanDiff, isEmptyDiff } from '../../obligations/plan-diff';
import { loadPlanText } from '../../deadlines/load';
import type { CompiledPlan } from '../../deadlines/timeline';

const DEMO = readFileSync(fileURLToPath(new URL('../../definitions/demo.yaml', import.meta.url)), 'utf8');
const ZONE = 'Asia/Shanghai';

function compile(text: string): CompiledPlan {
  const r = loadPlanText(text, 'demo.yaml');
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.line}:${e.col} ${e.message}`).join('\n'));
  return r.plan;
}

function edit(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`demo.yaml no longer contains ${JSON.stringify(from)}`);
  return text.replace(from, to);
}

const SOUTH = `  - id: south
    name: 南区人社局
    groups: [districts]
    contacts: [{ name: 联络员, email: south@demo.example }]
    leaders: [{ name: 分管领导, email: south-leader@demo.example }]

forms:`;

describe('diffPlans', () => {
  const base = compile(DEMO);

  it('finds nothing between a plan and itself', () => {
    const diff = diffPlans(base, compile(DEMO));
    expect(isEmptyDiff(diff)).toBe(true);
    expect(diff.obligations).toEqual({ before: 12, after: 12, added: 0, removed: 0 });
    expect(formatPlanDiff(diff, ZONE)).toMatch(/no changes/);
  });

  it('reports a department added to a group: the department and its obligations', () => {
    const next = compile(edit(DEMO, '\nforms:', `\n${SOUTH.replace(/\nforms:$/, '')}\n\nforms:`));
    const diff = diffPlans(base, next);
    expect(diff.departments.added).toEqual([{ id: 'south', name: '南区人社局' }]);
    expect(diff.departments.removed).toEqual([]);
    expect(diff.membership).toEqual([]);
    expect(diff.obligations).toEqual({ before: 12, after: 16, added: 4, removed: 0 });
    const text = formatPlanDiff(diff, ZONE);
    expect(text).toContain('+ department south (南区人社局)');
    expect(text).toContain('obligations: 12 -> 16 (+4 added, -0 removed)');
  });

  it('reports a removed department and the obligations it takes away', () => {
    const removed = edit(
      DEMO,
      `  - id: north
    name: 北区人社局
    groups: [districts]
    contacts: [{ name: 联络员, email: north@demo.example }]
    leaders: [{ name: 分管领导, email: north-leader@demo.example }]
`,
      '',
    );
    const diff = diffPlans(base, compile(removed));
    expect(diff.departments.removed).toEqual([{ id: 'north', name: '北区人社局' }]);
    expect(diff.obligations).toEqual({ before: 12, after: 8, added: 0, removed: 4 });
    expect(formatPlanDiff(diff, ZONE)).toContain('- department north (北区人社局)');
  });

  it('reports moved occurrences with their old and new due times, matched by position', () => {
    const next = compile(edit(DEMO, 'schedule: { weekly: wednesday, time: "12:00" }', 'schedule: { weekly: thursday, time: "17:00" }'));
    const diff = diffPlans(base, next);
    expect(diff.moved.map((m) => [m.fromKey, m.toKey])).toEqual([
      ['weekly-stats@2024-03-06', 'weekly-stats@2024-03-07'],
      ['weekly-stats@2024-03-13', 'weekly-stats@2024-03-14'],
      ['weekly-stats@2024-03-20', 'weekly-stats@2024-03-21'],
    ]);
    expect(Date.parse(diff.moved[0]!.from)).toBe(Date.parse('2024-03-06T12:00:00+08:00'));
    expect(Date.parse(diff.moved[0]!.to)).toBe(Date.parse('2024-03-07T17:00:00+08:00'));
    // Moving keeps the obligations (the shards carry them over by position).
    expect(diff.obligations).toEqual({ before: 12, after: 12, added: 0, removed: 0 });
    const text = formatPlanDiff(diff, ZONE);
    expect(text).toContain('~ weekly-stats@2024-03-06 (now weekly-stats@2024-03-07): due 2024-03-06 Wed 12:00 -> 2024-03-07 Thu 17:00');
  });

  it('reports a time change on the same day as a move with an unchanged key', () => {
    const next = compile(edit(DEMO, 'time: "12:00"', 'time: "15:30"'));
    const diff = diffPlans(base, next);
    expect(diff.moved).toHaveLength(3);
    expect(diff.moved[0]!.toKey).toBe(diff.moved[0]!.fromKey);
    expect(formatPlanDiff(diff, ZONE)).toContain('~ weekly-stats@2024-03-06: due 2024-03-06 Wed 12:00 -> 2024-03-06 Wed 15:30');
  });

  it('reports added and removed deadlines', () => {
    const withoutContacts = edit(
      DEMO,
      `  - id: contacts
    title: 报送联系人及联系方式
    quote: 请于3月8日前报送联系人及联系方式
    from: [districts]
    submit: { report: true, attachments: false }
    schedule: { date: 2024-03-08 }
`,
      `  - id: summary
    title: 活动总结
    from: [districts]
    submit: { report: true, attachments: true }
    schedule: { date: 2024-03-22 }
`,
    );
    const diff = diffPlans(base, compile(withoutContacts));
    expect(diff.deadlines.added).toEqual([{ id: 'summary', name: '活动总结' }]);
    expect(diff.deadlines.removed).toEqual([{ id: 'contacts', name: '报送联系人及联系方式' }]);
    expect(diff.obligations).toEqual({ before: 12, after: 12, added: 3, removed: 3 });
    const text = formatPlanDiff(diff, ZONE);
    expect(text).toContain('+ deadline summary (活动总结)');
    expect(text).toContain('- deadline contacts (报送联系人及联系方式)');
  });

  it('reports changed contacts and leaders per department', () => {
    const next = compile(
      edit(
        edit(DEMO, '{ name: 联络员, email: east@demo.example }', '{ name: 新联络员, email: east-2@demo.example }'),
        '{ name: 分管领导, email: west-leader@demo.example }',
        '{ name: 分管领导, email: west-leader@demo.example }, { name: 局长, email: west-chief@demo.example }',
      ),
    );
    const diff = diffPlans(base, next);
    expect(diff.contacts).toEqual([
      { department: 'east', name: '东区人社局', role: 'contacts', before: ['联络员 <east@demo.example>'], after: ['新联络员 <east-2@demo.example>'] },
      { department: 'west', name: '西区人社局', role: 'leaders', before: ['分管领导 <west-leader@demo.example>'], after: ['分管领导 <west-leader@demo.example>', '局长 <west-chief@demo.example>'] },
    ]);
    expect(diff.obligations.added + diff.obligations.removed).toBe(0);
    expect(formatPlanDiff(diff, ZONE)).toContain('~ east (东区人社局) contacts: 联络员 <east@demo.example> -> 新联络员 <east-2@demo.example>');
  });

  it('reports a longer period: occurrences added to a recurring deadline, and the period end', () => {
    const next = compile(edit(DEMO, 'period: { start: 2024-03-04, end: 2024-03-24 }', 'period: { start: 2024-03-04, end: 2024-03-31 }'));
    const diff = diffPlans(base, next);
    expect(diff.campaign.map((c) => c.field)).toEqual(['periodEnd']);
    expect(diff.occurrences.added.map((o) => o.key)).toEqual(['weekly-stats@2024-03-27']);
    expect(diff.obligations).toEqual({ before: 12, after: 15, added: 3, removed: 0 });
    const text = formatPlanDiff(diff, ZONE);
    expect(text).toMatch(/~ campaign periodEnd: 2024-03-24 Sun 23:59 -> 2024-03-31 Sun 23:59/);
    expect(text).toContain('+ occurrence weekly-stats@2024-03-27: due 2024-03-27 Wed 12:00');
  });

  it('reports a department taken off one deadline but kept in the plan', () => {
    const next = compile(
      edit(
        DEMO,
        `    from: [districts]
    submit: { report: false, attachments: true, form: weekly }`,
        `    from: [east, west]
    submit: { report: false, attachments: true, form: weekly }`,
      ),
    );
    const diff = diffPlans(base, next);
    expect(diff.membership).toEqual([{ deadline: 'weekly-stats', title: '每周招聘活动情况', added: [], removed: ['north'] }]);
    expect(diff.departments.removed).toEqual([]);
    expect(diff.obligations).toEqual({ before: 12, after: 9, added: 0, removed: 3 });
    expect(formatPlanDiff(diff, ZONE)).toContain('~ deadline weekly-stats (每周招聘活动情况) departments: -north');
  });
});
