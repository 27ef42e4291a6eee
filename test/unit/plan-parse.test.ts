import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closest, editDistance, formatDiagnostic, sortDiagnostics } from '../../deadlines/diagnostics';
import { parseDuration } from '../../deadlines/durations';
import { loadPlanFile, loadPlanText } from '../../deadlines/load';
import { decodePlanBytes, describePath, parseYaml } from '../../deadlines/parse';
import { compileErrors, lineOf, planYaml, QUIET_DEFAULTS } from './plan-fixtures';

const tmp = mkdtempSync(join(tmpdir(), 'plan-parse-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('diagnostics', () => {
  it('formats as file:line:col: severity: message', () => {
    expect(formatDiagnostic({ file: 'a.yaml', line: 3, col: 7, severity: 'error', message: 'boom' })).toBe('a.yaml:3:7: error: boom');
    expect(formatDiagnostic({ file: 'a.yaml', line: 1, col: 1, severity: 'warning', message: 'hm' })).toBe('a.yaml:1:1: warning: hm');
  });

  it('sorts by position, errors first', () => {
    const d = (line: number, col: number, severity: 'error' | 'warning') => ({ file: 'f', line, col, severity, message: '' });
    expect(sortDiagnostics([d(3, 1, 'error'), d(1, 5, 'warning'), d(1, 5, 'error'), d(1, 2, 'warning')])).toEqual([
      d(1, 2, 'warning'),
      d(1, 5, 'error'),
      d(1, 5, 'warning'),
      d(3, 1, 'error'),
    ]);
  });

  it('suggests close keys only', () => {
    expect(editDistance('deadlnes', 'deadlines')).toBe(1);
    expect(editDistance('tiel', 'tile')).toBe(1);
    expect(closest('deadlnes', ['campaign', 'deadlines', 'departments'])).toBe('deadlines');
    expect(closest('schedual', ['schedule', 'submit'])).toBe('schedule');
    expect(closest('xyz', ['campaign', 'deadlines'])).toBeUndefined();
  });
});

describe('durations', () => {
  it('parses d, h, m and wd', () => {
    expect(parseDuration('3d')).toEqual({ amount: 3, unit: 'd', text: '3d' });
    expect(parseDuration('1wd')).toEqual({ amount: 1, unit: 'wd', text: '1wd' });
    expect(parseDuration('30m')).toEqual({ amount: 30, unit: 'm', text: '30m' });
    expect(parseDuration('2h')).toEqual({ amount: 2, unit: 'h', text: '2h' });
    for (const bad of ['3x', '-1d', '1.5d', 'd', '', '3 d days']) expect(parseDuration(bad)).toBeUndefined();
  });
});

describe('positions', () => {
  const text = [
    'campaign:',
    '  id: x-1',
    '  period: { start: 2024-01-25, end: 2024-04-08 }',
    'deadlines:',
    '  - id: a',
    '    title: 春节前阶段性活动进展情况',
    '    schedule: { date: 2024-02-02 }',
    '  - id: b',
    '    from: []',
    '',
  ].join('\n');
  const { locate, errors } = parseYaml(text, 'p.yaml');

  it('finds values, keys, sequence items and flow mappings', () => {
    expect(errors).toEqual([]);
    expect(locate(['campaign', 'id'])).toEqual({ line: 2, col: 7 });
    expect(locate(['campaign', 'id'], 'key')).toEqual({ line: 2, col: 3 });
    expect(locate(['campaign', 'period', 'end'])).toEqual({ line: 3, col: 37 });
    expect(locate(['deadlines', 0])).toEqual({ line: 5, col: 5 });
    expect(locate(['deadlines', 0, 'schedule', 'date'])).toEqual({ line: 7, col: 23 });
    expect(locate(['deadlines', 1, 'from'])).toEqual({ line: 9, col: 11 });
  });

  it('falls back to the nearest existing ancestor', () => {
    expect(locate(['deadlines', 1, 'schedule', 'date'])).toEqual({ line: 8, col: 5 });
    expect(locate(['deadlines', 7])).toEqual({ line: 5, col: 3 });
  });

  it('counts columns in characters after Chinese text', () => {
    const t = 'campaign: { title: 春风行动, id: Bad_Id }\n';
    expect(parseYaml(t, 'p.yaml').locate(['campaign', 'id'])).toEqual({ line: 1, col: 30 });
  });

  it('names places in the coordinator\'s terms', () => {
    const data = { deadlines: [{ id: 'weekly-stats', schedule: {} }, { title: 'x' }], forms: [{ id: 'stats', columns: [{ id: 'transported', of_which: [{ id: 'women' }] }] }] };
    expect(describePath(['deadlines', 0, 'schedule', 'weekly'], data)).toBe("deadline 'weekly-stats' schedule.weekly");
    expect(describePath(['deadlines', 1, 'title'], data)).toBe('deadline #2 title');
    expect(describePath(['forms', 0, 'columns', 0, 'of_which', 0, 'type'], data)).toBe("form 'stats' column 'transported' sub-column 'women' type");
    expect(describePath(['campaign', 'period', 'end'], data)).toBe('campaign.period.end');
    expect(describePath(['deadlines', 0, 'from', 2], data)).toBe("deadline 'weekly-stats' from (item 3)");
  });
});

describe('structure errors point at the offending node', () => {
  it('unknown keys at the key, with the closest known key', () => {
    const text = planYaml({ defaults: QUIET_DEFAULTS, deadlines: '  - { id: d1, titel: 报告, from: [cities], schedule: { date: 2024-02-02 } }' });
    const line = lineOf(text, 'titel');
    expect(compileErrors(text)).toEqual([`plan.yaml:${line}:15: error: deadline 'd1': unknown key 'titel' — did you mean 'title'?`]);
  });

  it('lists the known keys when nothing is close', () => {
    const text = planYaml({ defaults: QUIET_DEFAULTS, deadlines: '  - { id: d1, title: 报告, from: [cities], schedule: { date: 2024-02-02 }, xyzzy: 1 }' });
    expect(compileErrors(text)[0]).toMatch(/unknown key 'xyzzy'; the keys here are: id, title, description, quote, from, submit, schedule, reminders, escalation, on_non_working_day$/);
  });

  it('missing keys at the parent key', () => {
    const text = planYaml({ defaults: QUIET_DEFAULTS, deadlines: '  - id: d1\n    title: 报告\n    schedule: { date: 2024-02-02 }' });
    expect(compileErrors(text)).toEqual([
      `plan.yaml:${lineOf(text, 'id: d1')}:5: error: deadline 'd1': missing required key 'from': add from: [department or group ids]`,
    ]);
  });

  it('keeps going after the first problem in unions (dates or anchors)', () => {
    const text = planYaml({
      defaults: QUIET_DEFAULTS,
      deadlines: '  - { id: d1, title: 报告, from: [cities], schedule: { weekly: monday, starting: { relative_to: spring_festival, dayz: 1 } } }',
    });
    expect(compileErrors(text)[0]).toContain("deadline 'd1' schedule.starting: unknown key 'dayz' — did you mean 'days'?");
  });

  it('duplicate YAML keys name the key and the first line', () => {
    const text = 'campaign:\n  id: a\n  id: b\n';
    const r = loadPlanText(text, 'p.yaml');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors.map(formatDiagnostic)).toContain(
        "p.yaml:3:3: error: duplicate key 'id': it already appears at line 2 in the same mapping; YAML would keep only one of them — remove or merge the duplicate",
      );
    }
  });
});

describe('never throws, whatever the input', () => {
  const inputs: Array<[string, string]> = [
    ['empty', ''],
    ['whitespace', '   \n\n\t\n'],
    ['scalar', 'hello'],
    ['number', '42'],
    ['list', '- 1\n- 2\n'],
    ['null', '~'],
    ['nul character', 'campaign:\u0000\n'],
    ['lone surrogate', 'campaign: "\uD800"\n'],
    ['alias bomb', `a: &a [${Array(20).fill('x').join(',')}]\n${'bcdefghij'.split('').map((c, i) => `${c}: &${c} [${Array(10).fill(`*${i === 0 ? 'a' : 'bcdefghij'[i - 1]}`).join(',')}]`).join('\n')}\n`],
    ['self alias', 'a: &a [*a]\n'],
    ['deep flow', `x: ${'['.repeat(50_000)}${']'.repeat(50_000)}`],
    ['deep block', Array.from({ length: 400 }, (_, i) => `${'  '.repeat(i)}k:`).join('\n')],
    ['many keys', Array.from({ length: 20_000 }, (_, i) => `k${i}: ${i}`).join('\n')],
    ['many duplicate keys', Array.from({ length: 50_000 }, (_, i) => `k: ${i}`).join('\n')],
    ['long lists', `deadlines:\n${'  - {}\n'.repeat(60_000)}`],
    ['garbage', '}{][:::,,,&&**!!%%@@``'],
    ['tags', 'campaign: !!binary aGVsbG8=\ndeadlines: !custom x\n'],
    ['merge key', 'base: &b { id: x }\ncampaign:\n  <<: *b\n'],
    ['over 1 MB', 'x'.repeat(1024 * 1024 + 1)],
    ['10 MB', `# ${'春'.repeat(3_500_000)}`],
  ];
  for (const [name, text] of inputs) {
    it(name, () => {
      const r = loadPlanText(text, 'p.yaml');
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.errors.length).toBeGreaterThan(0);
        for (const e of r.errors) {
          expect(e.line).toBeGreaterThanOrEqual(1);
          expect(e.col).toBeGreaterThanOrEqual(1);
          expect(e.message).not.toMatch(/internal error/);
        }
      }
    });
  }

  it('caps the number of diagnostics for absurd files, saying how many more there are', () => {
    const r = loadPlanText(Array.from({ length: 5000 }, (_, i) => `k${i}: ${i}`).join('\n'), 'p.yaml');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors).toHaveLength(201);
      expect(r.errors[200].message).toMatch(/^… and \d+ more errors after this line, not shown/);
    }
  });

  it('explains the size limit, binary data and encodings', () => {
    const big = loadPlanText('x'.repeat(2 * 1024 * 1024), 'p.yaml');
    expect(!big.ok && big.errors[0].message).toMatch(/2\.0 MB; a plan may be at most 1 MB/);
    const bin = decodePlanBytes(Uint8Array.from([0x61, 0x0a, 0x62, 0x00]), 'b.yaml');
    expect('error' in bin && formatDiagnostic(bin.error)).toBe('b.yaml:2:2: error: this is not a text file (it contains NUL bytes); a plan is a YAML text file saved as UTF-8');
    const gbk = decodePlanBytes(Uint8Array.from([0x61, 0x3a, 0x20, 0xb4, 0xba]), 'g.yaml');
    expect('error' in gbk && gbk.error.message).toMatch(/not UTF-8 text .*GBK/);
    const bom = decodePlanBytes(Uint8Array.from([0xef, 0xbb, 0xbf, 0x61]), 'bom.yaml');
    expect(bom).toEqual({ text: 'a' });
  });

  it('loadPlanFile reports unreadable paths', () => {
    const missing = loadPlanFile(join(tmp, 'nope.yaml'));
    expect(!missing.ok && formatDiagnostic(missing.errors[0])).toBe(`${join(tmp, 'nope.yaml')}:1:1: error: no such file; check the path (plans usually live under definitions/)`);
    const dir = loadPlanFile(tmp);
    expect(!dir.ok && dir.errors[0].message).toContain('this is a directory');
    const file = join(tmp, 'ok.yaml');
    writeFileSync(file, `\uFEFF${planYaml({ defaults: QUIET_DEFAULTS, deadlines: '  - { id: d1, title: 报告, from: [cities], schedule: { date: 2024-02-02 } }' })}`);
    const ok = loadPlanFile(file);
    expect(ok.ok).toBe(true);
  });
});
