import ExcelJS from 'exceljs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadPlanFile } from '../../deadlines/load';
import type { CompiledForm, CompiledPlan } from '../../deadlines/timeline';
import { checkFormValues } from '../../obligations/form-data';
import { summarise } from '../../reports/summary';
import { formTemplateXlsx, parseFilledTemplate, summaryXlsx } from '../../reports/xlsx';
import { checkZip, NOT_XLSX } from '../../reports/zip-guard';
import type { ObligationView } from '../../workflows/department-shard.messages';
import { makeZip } from '../support/xlsx-files';

function load(path: string): CompiledPlan {
  const r = loadPlanFile(path);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.plan;
}

async function open(buf: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer);
  return wb;
}

async function save(wb: ExcelJS.Workbook): Promise<Buffer> {
  return Buffer.from(await wb.xlsx.writeBuffer());
}

function str(v: ExcelJS.CellValue): string {
  return v === null || v === undefined ? '' : typeof v === 'object' && 'richText' in v ? v.richText.map((r) => r.text).join('') : String(v);
}

const XLSX_SKELETON = [
  { name: '[Content_Types].xml', data: Buffer.from('<?xml version="1.0"?><Types/>') },
  { name: 'xl/workbook.xml', data: Buffer.from('<?xml version="1.0"?><workbook/>') },
];

const SHANXI_LABELS = [
  '线上招聘会场次',
  '线上招聘会提供就业岗位数量',
  '线下招聘会场次',
  '线下招聘会提供就业岗位数量',
  '签订就业协议（意向）人次',
  '合计运送人次',
  '专车数量',
  '专车运送人次',
  '专列（含包车厢）数量',
  '专列（含包车厢）运送人次',
  '包机架次',
  '包机运送人次',
  '推介项目个数',
  '组织创业导师指导人次',
  '提供创业场地资源个数',
  '用于开展各类招聘活动使用资金数量（万元）',
  '发放各类就业补贴数量（用于稳就业的资金均可计入，不限于就业补助资金支出）（万元）',
  '已开展的县（市、区）',
  '未开展的县（市、区）',
];

let shanxi: CompiledPlan;
let stats: CompiledForm;
let weekly: CompiledPlan['deadlines'][number];
const taiyuan = { id: 'taiyuan', name: '太原市人力资源和社会保障局' };

beforeAll(() => {
  shanxi = load('definitions/shanxi-2024.yaml');
  stats = shanxi.forms.find((f) => f.id === 'stats')!;
  weekly = shanxi.deadlines.find((d) => d.id === 'weekly-stats')!;
});

afterEach(() => vi.restoreAllMocks());

async function shanxiTemplate(): Promise<Buffer> {
  return formTemplateXlsx(shanxi, 'stats', { department: taiyuan, deadlineId: 'weekly-stats', occurrence: weekly.occurrences[0].key });
}

const FILLED: Record<string, number | string> = {
  online_fairs: 12,
  online_fair_jobs: 3400,
  offline_fairs: 8,
  offline_fair_jobs: 2100,
  agreements: 560,
  transported: 300,
  buses: 5,
  bus_passengers: 200,
  trains: 1,
  train_passengers: 100,
  flights: 0,
  flight_passengers: 0,
  projects: 3,
  mentoring: 40,
  premises: 2,
  fair_funds: 12.5,
  subsidies: 88.1234,
  counties_done: '小店区、迎泽区、杏花岭区',
  counties_not_done: '清徐县',
};

describe('formTemplateXlsx', () => {
  it('lays out the Shanxi statistics table: 19 columns in order, department pre-filled, hidden meta', async () => {
    const wb = await open(await shanxiTemplate());
    const ws = wb.worksheets.find((w) => w.state === 'visible')!;
    expect(str(ws.getCell('A1').value)).toContain('春风行动开展情况统计表');
    expect(str(ws.getCell('A1').value)).toContain(shanxi.campaign.title);
    expect(str(ws.getCell('A3').value)).toBe('单位');
    const labels = SHANXI_LABELS.map((_, i) => str(ws.getCell(3, 2 + i).value));
    expect(labels).toEqual(SHANXI_LABELS);
    expect(str(ws.getCell(3, 21).value)).toBe('');
    // No sub-columns: each header merged over the two header rows.
    expect(ws.getCell(4, 2).isMerged).toBe(true);
    expect(ws.getCell(4, 2).master.address).toBe('B3');
    expect(str(ws.getCell('A5').value)).toBe(taiyuan.name);
    expect(ws.getCell('B5').dataValidation).toMatchObject({ type: 'whole', operator: 'greaterThanOrEqual' });
    expect(ws.getCell('Q5').dataValidation).toMatchObject({ type: 'decimal' });
    expect(ws.getCell('S5').dataValidation?.prompt).toContain('顿号');

    const meta = wb.getWorksheet('meta')!;
    expect(meta.state).toBe('veryHidden');
    const kv = new Map<string, ExcelJS.Row>();
    meta.eachRow((r) => kv.set(str(r.getCell(1).value), r));
    expect(str(kv.get('campaignId')!.getCell(2).value)).toBe(shanxi.campaign.id);
    expect(str(kv.get('formId')!.getCell(2).value)).toBe('stats');
    expect(str(kv.get('departmentId')!.getCell(2).value)).toBe('taiyuan');
    expect(str(kv.get('deadlineId')!.getCell(2).value)).toBe('weekly-stats');
    expect(str(kv.get('occurrence')!.getCell(2).value)).toBe(weekly.occurrences[0].key);
    const ids = (kv.get('columns')!.values as ExcelJS.CellValue[]).slice(2).map(str);
    expect(ids).toEqual(stats.columns.map((c) => c.id));
  });

  it('merges a parent header over its 其中 sub-columns (Wuhan HR form)', async () => {
    const wuhan = load('definitions/wuhan-2014.yaml');
    const dept = wuhan.deadlines.find((d) => d.id === 'half-monthly-hr')!.departments[0];
    const name = wuhan.departments.find((d) => d.id === dept)!.name;
    const wb = await open(await formTemplateXlsx(wuhan, 'hr-stats', { department: { id: dept, name }, deadlineId: 'half-monthly-hr' }));
    const ws = wb.worksheets[0];
    // leaflets B, job_fairs C, free_services D + 其中 E, ... skills_training L + M N O, rights P + Q
    expect(str(ws.getCell('D3').value)).toBe('提供免费服务人数');
    expect(ws.getCell('E3').master.address).toBe('D3');
    expect(str(ws.getCell('D4').value)).toBe('合计');
    expect(str(ws.getCell('E4').value)).toBe('其中：女性人数');
    expect(str(ws.getCell('L3').value)).toBe('组织参加职业技能培训人数');
    for (const a of ['M3', 'N3', 'O3']) expect(ws.getCell(a).master.address).toBe('L3');
    expect(['M4', 'N4', 'O4'].map((a) => str(ws.getCell(a).value))).toEqual(['其中：女性人数', '其中：参加创业培训人数', '其中：享受培训补贴人数']);
    expect(ws.getCell('P3').master.address).toBe('P3');
    expect(ws.getCell('Q3').master.address).toBe('P3');
    expect(str(ws.getCell('B3').value)).toBe('发放春风卡等宣传资料份数');
    expect(ws.getCell('B4').master.address).toBe('B3');
    // 18 columns of the notice: B..S.
    expect(str(ws.getCell('S3').value)).toBe('推荐诚信服务机构个数');
    expect(str(ws.getCell(5, 1).value)).toBe(name);
  });
});

describe('parseFilledTemplate', () => {
  async function fill(values: Record<string, ExcelJS.CellValue>, edit?: (ws: ExcelJS.Worksheet, wb: ExcelJS.Workbook) => void): Promise<Buffer> {
    const wb = await open(await shanxiTemplate());
    const ws = wb.worksheets.find((w) => w.state === 'visible')!;
    stats.columns.forEach((c, i) => {
      if (c.id in values) ws.getCell(5, 2 + i).value = values[c.id];
    });
    edit?.(ws, wb);
    return save(wb);
  }

  it('reads a template filled like a department would, and checkFormValues accepts the values', async () => {
    const r = await parseFilledTemplate(await fill(FILLED), stats);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.values).toEqual(FILLED);
    expect(r.meta).toEqual({ campaignId: shanxi.campaign.id, formId: 'stats', departmentId: 'taiyuan', deadlineId: 'weekly-stats', occurrence: weekly.occurrences[0].key });
    const check = checkFormValues(stats, r.values);
    expect(check.errors).toEqual([]);
    expect(check.values.counties_done).toEqual(['小店区', '迎泽区', '杏花岭区']);
    expect(check.values.subsidies).toBe(88.1234);
  });

  it('matches by the meta sheet even when headers were edited', async () => {
    const buf = await fill({ online_fairs: 7, agreements: 9 }, (ws) => {
      ws.getCell('B3').value = '改过的表头';
      ws.getCell('F3').value = '另一个';
    });
    const r = await parseFilledTemplate(buf, stats);
    expect(r).toMatchObject({ ok: true, values: { online_fairs: 7, agreements: 9 } });
  });

  it('falls back to header labels when the meta sheet is gone', async () => {
    const buf = await fill({ online_fairs: 4, fair_funds: 1.5, counties_done: '小店区' }, (_ws, wb) => wb.removeWorksheet(wb.getWorksheet('meta')!.id));
    const r = await parseFilledTemplate(buf, stats);
    expect(r).toMatchObject({ ok: true, values: { online_fairs: 4, fair_funds: 1.5, counties_done: '小店区' }, meta: {} });
  });

  it('reads a Wuhan template with 其中 columns by labels when meta is gone; checkFormValues then checks 其中 ≤ parent', async () => {
    const wuhan = load('definitions/wuhan-2014.yaml');
    const hr = wuhan.forms.find((f) => f.id === 'hr-stats')!;
    const wb = await open(await formTemplateXlsx(wuhan, 'hr-stats', { department: { id: 'x', name: '某区人社局' }, deadlineId: 'half-monthly-hr' }));
    const ws = wb.worksheets[0];
    ws.getCell('D5').value = 100; // free_services
    ws.getCell('E5').value = 40; // 其中：女性人数
    ws.getCell('M5').value = 9; // skills_training_women (parent L empty)
    ws.getCell('Q5').value = 3; // rights_women
    ws.getCell('P5').value = 2; // rights
    wb.removeWorksheet(wb.getWorksheet('meta')!.id);
    const r = await parseFilledTemplate(await save(wb), hr);
    expect(r).toEqual({ ok: true, values: { free_services: 100, free_services_women: 40, skills_training_women: 9, rights: 2, rights_women: 3 }, meta: {} });
    if (!r.ok) return;
    expect(checkFormValues(hr, r.values).errors.map((e) => e.field)).toEqual(['rights_women']);
  });

  it('refuses a template with a deleted column', async () => {
    const buf = await fill(FILLED, (ws) => ws.spliceColumns(3, 1));
    expect((await parseFilledTemplate(buf, stats)).ok).toBe(false);
  });

  it('refuses a formula, naming the column, without using its cached result', async () => {
    const buf = await fill({ ...FILLED, online_fairs: { formula: 'SUM(1,2)', result: 3 } as ExcelJS.CellFormulaValue });
    const r = await parseFilledTemplate(buf, stats);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual([{ field: 'online_fairs', message: '「线上招聘会场次」含有公式，请直接填写数值' }]);
  });

  it('refuses another form\'s template and another department\'s when expected', async () => {
    const other: CompiledForm = { ...stats, id: 'other', title: '别的表' };
    const r = await parseFilledTemplate(await fill(FILLED), other);
    expect(r).toEqual({ ok: false, problems: [{ message: expect.stringContaining('这是另一张表格的模板') }] });
    const r2 = await parseFilledTemplate(await fill(FILLED), stats, undefined, { campaignId: 'wuhan-2014' });
    expect(r2.ok).toBe(false);
    const r3 = await parseFilledTemplate(await fill(FILLED), stats, undefined, { departmentId: 'datong' });
    expect(r3.ok).toBe(false);
  });

  it('refuses a template with an inserted column', async () => {
    const buf = await fill(FILLED, (ws) => ws.spliceColumns(3, 0, ['x', 'y', 'z', 'w', 99]));
    const r = await parseFilledTemplate(buf, stats);
    expect(r.ok).toBe(false);
  });

  it('refuses a non-zip, a renamed .exe and another zip, before exceljs reads them', async () => {
    const spy = vi.spyOn(ExcelJS.Workbook.prototype, 'xlsx', 'get');
    const exe = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'), Buffer.alloc(4096, 0x41)]);
    for (const buf of [Buffer.from('单位,线上招聘会场次\n太原,3\n'), exe, Buffer.alloc(0), makeZip([{ name: 'a.txt', data: Buffer.from('hello') }])]) {
      const r = await parseFilledTemplate(buf, stats);
      expect(r).toEqual({ ok: false, problems: [{ message: NOT_XLSX }] });
      expect(r.ok ? '' : r.problems[0].message).toContain('文件不是有效的Excel（.xlsx）文件');
    }
    expect(spy).not.toHaveBeenCalled();
  });

  it('refuses zip bombs before exceljs reads them', async () => {
    const spy = vi.spyOn(ExcelJS.Workbook.prototype, 'xlsx', 'get');
    const zeros = Buffer.alloc(50 * 1024 * 1024);
    // A real 50 MB entry compressed to ~50 KB.
    const bomb = makeZip([...XLSX_SKELETON, { name: 'xl/worksheets/sheet1.xml', data: zeros }]);
    expect(bomb.length).toBeLessThan(200 * 1024);
    // The same, with a central directory that claims it holds 1,000 bytes.
    const liar = makeZip([...XLSX_SKELETON, { name: 'xl/worksheets/sheet1.xml', data: zeros, declaredSize: 1000 }]);
    // A tiny entry whose directory declares nearly 4 GB.
    const huge = makeZip([...XLSX_SKELETON, { name: 'xl/worksheets/sheet1.xml', data: Buffer.from('<x/>'), declaredSize: 0xfffffff0 }]);
    // 21 entries of 1 MB of text each, each compressing modestly: over the 20 MB total.
    const many = makeZip([...XLSX_SKELETON, ...Array.from({ length: 21 }, (_, i) => ({ name: `xl/media/${i}.bin`, data: Buffer.alloc(1024 * 1024, i), store: true }))]);
    for (const buf of [bomb, liar, huge]) {
      const r = await parseFilledTemplate(buf, stats);
      expect(r.ok).toBe(false);
      expect(r.ok ? '' : r.problems[0].message).toMatch(/^文件解压后过大/);
    }
    const r = await parseFilledTemplate(many, stats, { maxBytes: 30 * 1024 * 1024 });
    expect(r.ok ? '' : r.problems[0].message).toMatch(/^文件解压后过大/);
    expect(spy).not.toHaveBeenCalled();
  });

  it('refuses too many entries, encrypted entries and oversized files', async () => {
    const lots = makeZip([...XLSX_SKELETON, ...Array.from({ length: 250 }, (_, i) => ({ name: `x${i}`, data: Buffer.from('a') }))]);
    expect(checkZip(lots)).toMatchObject({ ok: false, message: expect.stringContaining('部件过多') });
    const enc = makeZip([...XLSX_SKELETON.map((e) => ({ ...e, flags: 1 }))]);
    expect(checkZip(enc)).toMatchObject({ ok: false, message: expect.stringContaining('加密') });
    const template = await shanxiTemplate();
    expect(checkZip(template).ok).toBe(true);
    expect(checkZip(template, { maxBytes: 1000 })).toMatchObject({ ok: false, message: expect.stringContaining('文件过大') });
  });
});

describe('summaryXlsx', () => {
  it('writes the notice\'s table per occurrence with 总计, missing departments and neutralised text', async () => {
    const plan: CompiledPlan = structuredClone(shanxi);
    plan.departments.find((d) => d.id === 'datong')!.name = '=HYPERLINK("http://evil.example","点我")';
    const occ = weekly.occurrences[0];
    const depts = weekly.departments;
    expect(depts.length).toBeGreaterThanOrEqual(4);
    const row = (n: number) => ({ ...FILLED, online_fairs: n, fair_funds: n / 10, counties_done: n % 2 ? ['小店区', `县${n}`] : ['迎泽区'], counties_not_done: [] });
    const view = (dept: string, status: ObligationView['status'], values?: Record<string, unknown>): ObligationView => ({
      deadline: weekly.id,
      occurrence: occ.key,
      department: dept,
      status,
      versions: values
        ? [{ submissionId: `s-${dept}`, version: 1, receivedAt: occ.due, by: 'x', late: status === 'late', values: checkFormValues(stats, values).values }]
        : [],
      deliveries: [],
      due: occ.due,
      inPlan: true,
    });
    const views = [view(depts[0], 'submitted', row(3)), view(depts[1], 'late', row(4)), view(depts[2], 'submitted', { ...row(7), subsidies: 0.1 })];
    const tables = summarise(plan, views);
    const buf = await summaryXlsx(plan, tables);
    const wb = await open(buf);

    expect(wb.worksheets[0].name).toBe('汇总');
    const withForm = tables.filter((t) => t.form);
    expect(wb.worksheets.length).toBe(1 + withForm.length);
    const names = wb.worksheets.map((w) => w.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n.length).toBeLessThanOrEqual(31);

    const ws = wb.worksheets[1];
    expect(ws.name).toBe(`春风行动开展情况统计表 ${occ.key.split('@')[1].slice(5)}`);
    expect(str(ws.getCell('A3').value)).toBe('单位');
    expect(SHANXI_LABELS.map((_, i) => str(ws.getCell(3, 2 + i).value))).toEqual(SHANXI_LABELS);

    // One row per department in plan order.
    const names2 = depts.map((id) => plan.departments.find((d) => d.id === id)!.name);
    const firstCol = depts.map((_, i) => ws.getCell(5 + i, 1));
    expect(firstCol.map((c) => str(c.value))).toEqual(names2.map((n) => (n.startsWith('=') ? `'${n}` : n)));
    const evil = firstCol[depts.indexOf('datong')];
    expect(evil.type).toBe(ExcelJS.ValueType.String);
    expect(evil.value).toBe(`'=HYPERLINK("http://evil.example","点我")`);
    expect(evil.formula).toBeUndefined();

    const total = ws.getRow(5 + depts.length);
    expect(str(total.getCell(1).value)).toBe('总计');
    expect(total.getCell(2).value).toBe(14);
    expect(total.getCell(3).value).toBe(3400 * 3);
    expect(total.getCell(17).value).toBe(1.4);
    expect(total.getCell(18).value).toBe(176.3468);
    expect(str(total.getCell(19).value).split('、').sort()).toEqual(['小店区', '县3', '县7', '迎泽区'].sort());
    expect(tables.find((t) => t.occurrence === occ.key)!.totals!.online_fairs).toBe(14);

    // Missing departments listed by name under the table.
    const missingIds = depts.slice(3);
    const line = str(ws.getCell(5 + depts.length + 2, 1).value);
    expect(line.startsWith('未报送：')).toBe(true);
    for (const id of missingIds) expect(line).toContain(plan.departments.find((d) => d.id === id)!.name);
    expect(str(ws.getCell(5 + depts.length + 3, 1).value)).toContain('逾期报送：');

    // Overview: one line per occurrence.
    const ov = wb.worksheets[0];
    expect(ov.rowCount).toBe(2 + tables.length);
    const first = ov.getRow(3 + tables.findIndex((t) => t.occurrence === occ.key));
    expect(str(first.getCell(1).value)).toBe(weekly.title);
    expect([first.getCell(4).value, first.getCell(5).value, first.getCell(6).value, first.getCell(8).value]).toEqual([depts.length, 3, 1, depts.length - 3]);

    // No formula anywhere.
    for (const w of wb.worksheets) w.eachRow((r) => r.eachCell((c) => expect(c.type).not.toBe(ExcelJS.ValueType.Formula)));
  });
});
