import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { composeMessage, messageKeyFor } from '../../mail/compose';
import { formatDue, formatInstant, latePhrase, reminderPhrase } from '../../mail/format';
import { messageIdFor } from '../../mail/delivery/ledger';
import { MESSAGE_KINDS } from '../../mail/messages';
import { escalationKind } from '../../mail/messages/escalation-rung';
import { ComposeError } from '../../mail/messages/plan-index';
import { clearTemplateCache, DEFAULT_TEMPLATES_DIR, renderMessage, templateFiles } from '../../mail/render';
import { SAMPLE_FROM, samplePlan, sampleRequests } from '../../mail/sample';
import { compileTemplate, renderTemplate, TemplateError } from '../../mail/template';
import type { ComposeRequest } from '../../obligations/message-requests';

const OCC = 'pre-festival-report@2024-02-02';
const LINK = 'https://portal.shanxi.example/s/taiyuan-7f3a';

const compose = (req: ComposeRequest, language: 'zh-CN' | 'en' = 'zh-CN') => composeMessage(samplePlan(language), req, { from: SAMPLE_FROM });
const icsOf = (m: ReturnType<typeof compose>) => {
  const a = (m.message.attachments ?? []).find((x) => x.filename.endsWith('.ics'));
  return a ? String(a.content) : undefined;
};

describe('date wording', () => {
  it('writes the deadline in the campaign zone with the weekday', () => {
    expect(formatDue('2024-02-02T10:00:00Z', 'Asia/Shanghai', 'zh-CN')).toBe('2024年2月2日（星期五）18:00前');
    expect(formatDue('2024-02-02T18:00:00.000+08:00', 'Asia/Shanghai', 'en')).toBe('by 18:00 on Friday, 2 February 2024 (Asia/Shanghai)');
    expect(formatInstant('2024-02-02T10:00:00Z', 'Asia/Urumqi', 'zh-CN')).toBe('2024年2月2日（星期五）16:00（Asia/Urumqi时间）');
  });

  it('words the reminder distance for 3 days, 1 day and 2 hours', () => {
    const due = '2024-02-02T18:00:00.000+08:00';
    expect(reminderPhrase('3d', due, '2024-01-30T18:00:00.000+08:00', 'Asia/Shanghai', 'zh-CN')).toBe('还有3天截止');
    expect(reminderPhrase('1d', due, '2024-02-01T18:00:00.000+08:00', 'Asia/Shanghai', 'zh-CN')).toBe('明天截止');
    expect(reminderPhrase('2h', due, '2024-02-02T16:00:00.000+08:00', 'Asia/Shanghai', 'zh-CN')).toBe('2小时后截止');
    expect(reminderPhrase('3d', due, undefined, 'Asia/Shanghai', 'en')).toBe('due in 3 days');
    expect(reminderPhrase('1d', due, undefined, 'Asia/Shanghai', 'en')).toBe('due tomorrow');
    expect(reminderPhrase('2h', due, undefined, 'Asia/Shanghai', 'en')).toBe('due in 2 hours');
    expect(reminderPhrase('2wd', due, undefined, 'Asia/Shanghai', 'zh-CN')).toBe('还有2个工作日截止');
  });

  it('words lateness', () => {
    const due = '2024-02-02T18:00:00.000+08:00';
    expect(latePhrase(due, due, 'Asia/Shanghai', 'zh-CN').text).toBe('截止时间已到');
    expect(latePhrase(due, '2024-02-05T18:00:00.000+08:00', 'Asia/Shanghai', 'zh-CN')).toEqual({ text: '已逾期3天', days: 3 });
    expect(latePhrase(due, '2024-02-02T23:00:00.000+08:00', 'Asia/Shanghai', 'en').text).toBe('5 hours overdue');
  });
});

describe('every kind renders in both languages from the template files', () => {
  for (const language of ['zh-CN', 'en'] as const) {
    for (const kind of MESSAGE_KINDS) {
      it(`${kind} (${language})`, () => {
        const m = compose(sampleRequests(language)[kind], language);
        expect(m.kind).toBe(kind);
        expect(m.message.subject.length).toBeGreaterThan(5);
        expect(m.message.subject).not.toMatch(/[\r\n]|\{\{/);
        expect(m.message.text).not.toContain('{{');
        expect(m.message.html).toMatch(/^<!DOCTYPE html>/);
        expect(m.message.html).toContain(`<title>${m.message.subject.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}</title>`);
        // the coordinator is named in every message
        expect(m.message.text).toContain(language === 'zh-CN' ? '山西省人力资源和社会保障厅' : 'Shanxi Human Resources and Social Security Department');
        expect(m.message.replyTo?.[0]?.address).toBe('coordinator@shanxi.example');
        expect(m.message.messageId).toBe(messageIdFor(m.key, 'shanxi.example'));
        expect(m.message.headers?.['X-Campaign-Key']).toBe(`shanxi-2024/${m.key.key}/${m.key.step}`);
        expect(m.message.headers?.['Auto-Submitted']).toBe('auto-generated');
        for (const f of Object.values(templateFiles(kind, language))) expect(readFileSync(f, 'utf8').length).toBeGreaterThan(0);
      });
    }
  }
});

describe('message contents', () => {
  it('reminder (zh-CN): local deadline with weekday, what to submit, link, coordinator, .ics at 10:00Z', () => {
    const m = compose({ kind: 'reminder', occurrenceKey: OCC, departmentId: 'taiyuan', before: '3d', link: LINK });
    expect(m.message.to).toEqual([{ name: '联络员', address: 'taiyuan@shanxi.example' }]);
    expect(m.message.cc).toBeUndefined();
    expect(m.message.subject).toBe('【提醒】春节前阶段性活动进展情况还有3天截止（2月2日18:00前）');
    const text = m.message.text;
    expect(text).toContain('太原市人力资源和社会保障局：');
    expect(text).toContain('截止时间为2024年2月2日（星期五）18:00前');
    expect(text).toContain('报送内容：书面报告、《春风行动开展情况统计表》、相关附件材料');
    expect(text).toContain('具体要求：活动开展情况（启动仪式、活动计划安排）');
    expect(text).toContain(`报送链接：${LINK}`);
    expect(text).toContain('就业促进处 coordinator@shanxi.example');
    expect(m.message.html).toContain(`href="${LINK}"`);
    expect(m.message.html).toContain('2024年2月2日（星期五）18:00前');
    const ics = icsOf(m)!;
    expect(ics).toContain('BEGIN:VCALENDAR');
    expect(ics).toContain('DTSTART:20240202T100000Z');
    expect(ics.replace(/\r\n /g, '')).toContain(`UID:${OCC}/taiyuan@shanxi-2024`);
    expect(ics).toContain('X-WR-TIMEZONE:Asia/Shanghai');
    expect(ics.replace(/\r\n /g, '')).toContain(`URL:${LINK}`);
    expect(m.key).toEqual({ campaignId: 'shanxi-2024', key: `${OCC}/taiyuan`, step: 'reminder-3d' });
    const att = m.message.attachments![0];
    expect(att.contentType).toMatch(/^text\/calendar/);
  });

  it('reminder wording follows the rung: 明天 / 2小时后, and in English', () => {
    expect(compose({ kind: 'reminder', occurrenceKey: OCC, departmentId: 'taiyuan', before: '1d', link: LINK }).message.subject).toContain('明天截止');
    expect(compose({ kind: 'reminder', occurrenceKey: OCC, departmentId: 'taiyuan', before: '2h', link: LINK }).message.subject).toContain('2小时后截止');
    const en = compose({ kind: 'reminder', occurrenceKey: OCC, departmentId: 'taiyuan', before: '1d', link: LINK }, 'en');
    expect(en.message.subject).toBe('Reminder: Pre-festival progress report due tomorrow (by 18:00, Fri 2 Feb)');
    expect(en.message.text).toContain('by 18:00 on Friday, 2 February 2024 (Asia/Shanghai)');
    expect(en.message.text).toContain(`Submission link: ${LINK}`);
    expect(en.message.text).toContain('Employment Promotion Division coordinator@shanxi.example');
    expect(icsOf(en)).toContain('DTSTART:20240202T100000Z');
    expect(icsOf(en)).toContain('SUMMARY:Due: Pre-festival progress report');
  });

  it("launch lists the department's own deadlines, with an .ics holding all of them", () => {
    const m = compose({ kind: 'launch', departmentId: 'taiyuan', link: LINK });
    expect(m.message.subject).toContain('共2项');
    expect(m.message.text).toMatch(/1\. 联系人及联系方式\n {3}截止时间：2024年1月25日（星期四）18:00前/);
    expect(m.message.text).toMatch(/2\. 春节前阶段性活动进展情况\n {3}截止时间：2024年2月2日（星期五）18:00前/);
    expect(m.message.text).toContain(LINK);
    const ics = icsOf(m)!;
    expect(ics.match(/BEGIN:VEVENT/g)).toHaveLength(2);
    expect(ics).toContain('DTSTART:20240125T100000Z');
    expect(ics).toContain('DTSTART:20240202T100000Z');
    expect(m.message.attachments![0].filename).toBe('shanxi-2024-taiyuan.ics');
    const en = compose({ kind: 'launch', departmentId: 'taiyuan', link: LINK }, 'en');
    expect(en.message.text).toContain('Due: by 18:00 on Thursday, 25 January 2024 (Asia/Shanghai)');
  });

  it('overdue goes to the department with leaders in Cc; escalation to the coordinator with the department contact', () => {
    const o = compose(sampleRequests().overdue);
    expect(o.message.to.map((a) => a.address)).toEqual(['taiyuan@shanxi.example']);
    expect(o.message.cc?.map((a) => a.address)).toEqual(['taiyuan-leader@shanxi.example']);
    expect(o.message.subject).toMatch(/^【逾期】/);
    expect(o.message.text).toContain('本邮件同时抄送：分管领导');
    expect(o.key.step).toBe('escalation-1@20240202T100000Z');
    expect(icsOf(o)).toBeUndefined();

    const e = compose(sampleRequests().escalation);
    expect(e.message.to.map((a) => a.address)).toEqual(['coordinator@shanxi.example']);
    expect(e.message.text).toContain('已逾期3天');
    expect(e.message.text).toContain('该单位联系人：联络员 datong@shanxi.example');
    expect(e.message.text).toContain('督办环节：逾期1个工作日');
    expect(escalationKind({ to: ['department', 'leaders'] })).toBe('overdue');
    expect(escalationKind({ to: ['coordinator'] })).toBe('escalation');
  });

  it('a department without leaders: the overdue notice goes without Cc', () => {
    const o = compose({ kind: 'overdue', occurrenceKey: OCC, departmentId: 'yangquan', step: 3, at: '2024-02-06T18:00:00.000+08:00', link: LINK });
    expect(o.message.cc).toBeUndefined();
    expect(o.message.text).not.toContain('抄送');
  });

  it('coordinator digest lists every late department in one message', () => {
    const m = compose(sampleRequests()['coordinator-digest']);
    expect(m.message.to.map((a) => a.address)).toEqual(['coordinator@shanxi.example']);
    expect(m.message.subject).toBe('【逾期汇总】2024年2月5日（星期一）：2个单位共2项逾期未报');
    expect(m.message.text).toContain('1. 大同市人力资源和社会保障局');
    expect(m.message.text).toContain('2. 阳泉市人力资源和社会保障局');
    expect(m.message.html!.match(/<tr style="border-top/g)).toHaveLength(2);
  });

  it('receipt echoes the submission; rollup has who submitted, who is late and the 总计', () => {
    const r = compose(sampleRequests().receipt);
    expect(r.message.text).toContain('回执编号：R-20240201-0042');
    expect(r.message.text).toContain('按时报送');
    expect(r.message.text).toContain('合计运送人次：1200人次');
    const late = compose({ ...(sampleRequests().receipt as Extract<ComposeRequest, { kind: 'receipt' }>), submittedAt: '2024-02-03T10:00:00.000+08:00', revision: 2 });
    expect(late.message.text).toContain('本次报送晚于截止时间（已超过截止时间16小时）');
    expect(late.message.subject).toContain('（第2版）');

    const u = compose(sampleRequests().rollup);
    expect(u.message.subject).toBe('【汇总】“春节前阶段性活动进展情况”已报1个、未报2个（共3个单位）');
    expect(u.message.text).toMatch(/已报送：\n1\. 太原市人力资源和社会保障局（2024年2月1日（星期四）10:30）/);
    expect(u.message.text).toMatch(/未报送：\n1\. 大同市人力资源和社会保障局（联系人：联络员 datong@shanxi.example）\n2\. 阳泉市/);
    expect(u.message.text).toContain('《春风行动开展情况统计表》总计');
    expect(u.message.text).toContain('合计运送人次：1200人次');
    expect(u.key).toEqual({ campaignId: 'shanxi-2024', key: OCC, step: 'rollup' });
  });

  it('final summary carries the XLSX; weekly digest has the week', () => {
    const f = compose(sampleRequests()['final-summary']);
    const att = f.message.attachments!;
    expect(att).toHaveLength(1);
    expect(att[0].filename).toBe('shanxi-2024-summary.xlsx');
    expect(att[0].contentType).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(f.message.text).toContain('按时报送：4项（66.7%）');
    const byPath = compose({ kind: 'final-summary', totals: { obligations: 1, onTime: 1, late: 0, missing: 0 }, attachment: { filename: 'x.xlsx', path: '/tmp/x.xlsx' } });
    expect(byPath.message.attachments![0]).toMatchObject({ filename: 'x.xlsx', path: '/tmp/x.xlsx' });
    const w = compose(sampleRequests()['weekly-digest']);
    expect(w.message.subject).toBe('【周报】2024年山西省春风行动（2024年1月29日（星期一）至2024年2月4日（星期日））');
    expect(w.key).toEqual({ campaignId: 'shanxi-2024', key: 'weekly-digest', step: '2024-01-29' });
  });

  it('escapes HTML in values but not in the text body', () => {
    const plan = samplePlan();
    plan.departments[0].name = '太原<script>&"局"';
    const m = composeMessage(plan, { kind: 'reminder', occurrenceKey: OCC, departmentId: 'taiyuan', before: '3d', link: LINK }, { from: SAMPLE_FROM });
    expect(m.message.html).toContain('太原&lt;script&gt;&amp;&quot;局&quot;');
    expect(m.message.html).not.toContain('<script>');
    expect(m.message.text).toContain('太原<script>&"局"：');
  });

  it('refuses non-http links and unknown ids', () => {
    expect(() => compose({ kind: 'reminder', occurrenceKey: OCC, departmentId: 'taiyuan', before: '3d', link: 'javascript:alert(1)' })).toThrow(TemplateError);
    expect(() => compose({ kind: 'reminder', occurrenceKey: OCC, departmentId: 'nowhere', before: '3d', link: LINK })).toThrow(ComposeError);
    expect(() => compose({ kind: 'reminder', occurrenceKey: 'x@2024-01-01', departmentId: 'taiyuan', before: '3d', link: LINK })).toThrow(/no deadline occurrence/);
  });

  it('business keys do not depend on the offset an instant is written with', () => {
    const a = messageKeyFor(samplePlan(), { kind: 'overdue', occurrenceKey: OCC, departmentId: 'taiyuan', step: 1, at: '2024-02-02T18:00:00.000+08:00' });
    const b = messageKeyFor(samplePlan(), { kind: 'overdue', occurrenceKey: OCC, departmentId: 'taiyuan', step: 1, at: '2024-02-02T10:00:00Z' });
    expect(a).toEqual(b);
  });
});

describe('template language', () => {
  const t = (src: string, view: Record<string, unknown>, html = false) => renderTemplate(compileTemplate(src, { source: 'x.txt', html }), view);

  it('values, if/else, each, comments; block tags alone on a line leave no blank line', () => {
    const src = 'Hi {{name}}\n{{! note }}\n{{#each items}}\n- {{title}} ({{name}})\n{{/each}}\n{{#if empty}}\nnever\n{{else}}\nelse-branch\n{{/if}}\nend {{a.b}}\n';
    expect(t(src, { name: 'N', items: [{ title: 'one' }, { title: 'two', name: 'inner' }], empty: [], a: { b: 'B' } })).toBe(
      'Hi N\n- one (N)\n- two (inner)\nelse-branch\nend B\n',
    );
    expect(t('{{#each xs}}[{{.}}]{{/each}}', { xs: ['a', 'b'] })).toBe('[a][b]');
    expect(t('<p>{{v}}</p>', { v: '<b>&\'' }, true)).toBe('<p>&lt;b&gt;&amp;&#39;</p>');
  });

  it('reports mistakes with file and line', () => {
    expect(() => t('a\n{{missing}}', {})).toThrow(/x\.txt:2: this message has no value "missing"/);
    expect(() => t('{{#if a}}x', { a: 1 })).toThrow(/not closed/);
    expect(() => t('{{/each}}', {})).toThrow(TemplateError);
    expect(() => t('{{a b}}', {})).toThrow(/not a value name/);
    expect(() => t('{{#each a}}{{else}}{{/each}}', { a: [] })).toThrow(/else/);
    expect(() => t('x }} y', {})).toThrow(/unbalanced/);
  });
});

describe('template files are edited live', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mail-tpl-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('an edited subject is used on the next render, a broken one names the file', () => {
    cpSync(DEFAULT_TEMPLATES_DIR, dir, { recursive: true });
    const ctxReq = sampleRequests().reminder;
    const render = () => composeMessage(samplePlan(), ctxReq, { from: SAMPLE_FROM, templatesDir: dir }).message.subject;
    expect(render()).toContain('【提醒】');
    const file = path.join(dir, 'zh-CN', 'reminder.subject.txt');
    writeFileSync(file, '【温馨提示】{{deadlineTitle}}{{phrase}}——{{departmentName}}\n');
    expect(render()).toBe('【温馨提示】春节前阶段性活动进展情况还有3天截止——太原市人力资源和社会保障局');
    writeFileSync(file, '{{deadlineTitel}}');
    expect(render).toThrow(/reminder\.subject\.txt:1: this message has no value "deadlineTitel"/);
    clearTemplateCache();
    expect(() => renderMessage('reminder', { language: 'en', timezone: 'Asia/Shanghai', campaign: { id: 'c', title: 'T' }, office: { name: 'O', contacts: [] }, department: { id: 'd', name: 'D' }, deadline: { id: 'x', occurrenceKey: 'x@2024-02-02', title: 'X', due: '2024-02-02T10:00:00Z', submit: { report: true, attachments: false } }, before: '3d', link: LINK }, { templatesDir: path.join(dir, 'nowhere') })).toThrow(/template file missing/);
  });
});
