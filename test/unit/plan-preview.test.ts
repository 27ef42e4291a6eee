import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createWorkCalendar } from '../../deadlines/calendar';
import { dateHeader, departmentCalendars, previewJson, previewText } from '../../deadlines/preview';
import { compileOk, planYaml } from './plan-fixtures';

const ROOT = resolve(import.meta.dirname, '../..');
const tmp = mkdtempSync(join(tmpdir(), 'plan-preview-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const DEADLINES = `  - id: pre-festival
    title: 春节前阶段性活动进展情况
    description: 活动开展情况；农民工返乡情况
    quote: 请于2月2日前报送
    from: [cities]
    schedule: { date: 2024-02-02 }
    reminders: [1d]
    escalation:
      - { after: 0h, to: [department, leaders] }
      - { after: 1wd, to: [coordinator] }
  - id: weekly
    title: 统计表
    from: [north]
    submit: { form: stats }
    schedule: { weekly: thursday, starting: 2024-02-12, until: 2024-02-23 }
    on_non_working_day: next_working_day
    reminders: [2h]
    escalation:
      - { after: 0h, to: [department] }
  - id: news
    title: 重要情况
    from: [taiyuan]
    schedule: { open: true }`;

describe('previewText', () => {
  const { plan } = compileOk({ deadlines: DEADLINES });
  const text = previewText(plan);

  it('groups steps by local date with the Chinese weekday, 休 and 班', () => {
    expect(text).toContain('2024-02-01 星期四\n  18:00  提醒（提前1天）  春节前阶段性活动进展情况 — 各市人社局（3个单位）\n');
    expect(text).toContain(
      '2024-02-02 星期五\n  18:00  截止  春节前阶段性活动进展情况 — 各市人社局（3个单位）\n  18:00  催办 1（到期）  春节前阶段性活动进展情况 — 各市人社局（3个单位） → 责任单位，抄送分管领导\n',
    );
    // The coordinator rung, one working day late: Sunday 2024-02-04 is an adjusted working day (班).
    expect(text).toContain('2024-02-04 星期日 班\n  18:00  催办 2（逾期1个工作日）  春节前阶段性活动进展情况 — 各市人社局（3个单位） → 牵头处室\n');
    // 2024-02-15 (Thursday, 春节) moved to Sunday 2024-02-18 (班).
    expect(text).toContain('2024-02-18 星期日 班\n  16:00  提醒（提前2小时）  统计表 — 北部城市（2个单位）\n  18:00  截止  统计表 — 北部城市（2个单位）（原定2024-02-15，顺延至下一工作日）\n');
    expect(text).toContain('随时报送:\n  重要情况 — 太原市人社局\n');
    expect(text.startsWith('测试行动 (test-2024)\n活动期间: 2024-01-25 至 2024-04-08 · Asia/Shanghai · 3项任务 · 3个单位 · 8项报送\n')).toBe(true);
  });

  it('marks days off with the holiday name', () => {
    const cal = createWorkCalendar();
    expect(dateHeader('2024-02-10', cal)).toBe('2024-02-10 星期六 休 春节');
    expect(dateHeader('2024-02-24', cal)).toBe('2024-02-24 星期六 休');
    expect(dateHeader('2024-02-04', cal)).toBe('2024-02-04 星期日 班');
    expect(dateHeader('2024-02-01', cal)).toBe('2024-02-01 星期四');
    expect(dateHeader('2024-02-01', cal, true)).toBe('2024-02-01 Thursday');
  });

  it('speaks English for English campaigns', () => {
    const en = previewText(compileOk({ language: 'en', deadlines: DEADLINES }).plan);
    expect(en).toContain('2024-02-02 Friday\n  18:00  due  春节前阶段性活动进展情况 — 各市人社局 (3 departments)\n');
    expect(en).toContain('escalation 1 (at due)');
    expect(en).toContain('→ department, cc leaders');
    expect(en).toContain('reminder (1 day before)');
  });
});

describe('previewJson', () => {
  it('lists one obligation per occurrence and department', () => {
    const { plan } = compileOk({ deadlines: DEADLINES });
    const json = previewJson(plan);
    expect(json.campaign.id).toBe('test-2024');
    expect(json.obligations).toHaveLength(3 + 2 * 2 + 1);
    expect(json.obligations[0]).toEqual({
      deadline: 'pre-festival',
      department: 'taiyuan',
      due: '2024-02-02T18:00:00.000+08:00',
      reminders: ['2024-02-01T18:00:00.000+08:00'],
      escalations: ['2024-02-02T18:00:00.000+08:00', '2024-02-04T18:00:00.000+08:00'],
    });
    expect(Object.keys(json)).toEqual(['campaign', 'obligations']);
  });
});

describe('departmentCalendars', () => {
  it('writes one reproducible calendar per department with its deadlines', () => {
    const { plan } = compileOk({ deadlines: DEADLINES });
    const cals = departmentCalendars(plan);
    expect(cals.map((c) => c.department)).toEqual(['taiyuan', 'datong', 'shuozhou']);
    const taiyuan = cals[0].ics.replace(/\r\n /g, '');
    expect(taiyuan.match(/BEGIN:VEVENT/g)).toHaveLength(1); // the open deadline has no due time
    expect(taiyuan).toContain('UID:pre-festival@2024-02-02.taiyuan@test-2024');
    expect(taiyuan).toContain('SUMMARY:截止：春节前阶段性活动进展情况');
    expect(taiyuan).toContain('DESCRIPTION:活动开展情况；农民工返乡情况\\n通知原文：请于2月2日前报送\\n报送内容：报告\\n测试行动 · 牵头处室');
    expect(taiyuan).toContain('DTSTAMP:20240124T160000Z');
    const datong = cals[1].ics.replace(/\r\n /g, '');
    expect(datong.match(/BEGIN:VEVENT/g)).toHaveLength(3);
    expect(datong).toContain('DTSTART:20240218T100000Z');
    expect(datong).toContain('报送内容：报告、春风行动开展情况统计表');
    expect(departmentCalendars(plan)).toEqual(cals);
  });
});

describe('campaign preview (CLI)', () => {
  const run = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
      execFile(process.execPath, [join(ROOT, 'cli/campaign.mjs'), ...args], { cwd: ROOT, timeout: 60_000 }, (err, stdout, stderr) =>
        done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout: String(stdout), stderr: String(stderr) }),
      );
    });

  it('prints JSON and writes <dir>/<department>.ics', async () => {
    const file = join(tmp, 'plan.yaml');
    writeFileSync(file, planYaml({ deadlines: DEADLINES }));
    const icsDir = join(tmp, 'ics');
    const r = await run(['preview', file, '--json', '--ics', icsDir]);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout) as { obligations: unknown[] };
    expect(json.obligations).toHaveLength(8);
    expect(readdirSync(icsDir).sort()).toEqual(['datong.ics', 'shuozhou.ics', 'taiyuan.ics']);
    expect(readFileSync(join(icsDir, 'taiyuan.ics'), 'utf8')).toMatch(/^BEGIN:VCALENDAR\r\n/);
    expect(r.stderr).toContain('wrote 3 calendar files');
  });

  it('prints the diagnostics of an invalid plan and exits 1', async () => {
    const file = join(tmp, 'bad.yaml');
    writeFileSync(file, planYaml({ deadlines: DEADLINES.replace('from: [north]', 'from: [nroth]') }));
    const r = await run(['preview', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/bad\.yaml:\d+:\d+: error: unknown department or group 'nroth' — did you mean 'north'\?/);
    expect(r.stderr).not.toMatch(/^ {4}at /m);
  });
});
