/**
 * The coordinator's summary workbook: an overview sheet (per occurrence: due time, how many
 * departments reported, late, excused, missing and who) and one sheet per occurrence with a form,
 * laid out like the notice's table (reports/xlsx/layout.ts) with a row per department, 总计, and the
 * missing, late and excused departments named underneath; a 零报告 row (nothing to report this
 * period) says so beside the department's name, its figures left empty. Every text is neutralised and no cell
 * holds a formula.
 */
import ExcelJS from 'exceljs';
import type { CompiledPlan } from '../../deadlines/timeline';
import type { FormValues } from '../../obligations/form-data';
import type { OccurrenceSummary } from '../summary';
import {
  BORDER, cellValue, DATA_ROW, dateOf, HEADER_ROW, localDateTime, numFmt, sheetName, shortTitle, styleHeader,
  SUB_HEADER_ROW, SUBTITLE_ROW, text, TITLE_ROW, titleRow, writeHeader,
} from './layout';

const STATUS_DONE = new Set(['submitted', 'late']);

export async function summaryXlsx(plan: CompiledPlan, tables: OccurrenceSummary[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = plan.campaign.office.name || plan.campaign.title;
  wb.created = new Date(0);
  wb.modified = new Date(0);
  const taken = new Set<string>();
  const names = new Map(plan.departments.map((d) => [d.id, d.name]));

  const overview = wb.addWorksheet(sheetName('汇总', taken), { views: [{ state: 'frozen', ySplit: 2 }] });
  const heads = ['报送事项', '期次', '截止时间', '应报单位数', '已报送', '其中逾期', '已免报', '未报送', '未报送单位'];
  titleRow(overview, 1, heads.length, `${plan.campaign.title}报送情况汇总`, 16);
  heads.forEach((h, i) => {
    const c = overview.getCell(2, i + 1);
    c.value = h;
    styleHeader(c);
  });
  [30, 12, 18, 12, 10, 10, 10, 10, 60].forEach((w, i) => (overview.getColumn(i + 1).width = w));
  for (const t of tables) {
    const done = t.rows.filter((r) => STATUS_DONE.has(r.status)).length;
    const row = overview.addRow([
      text(t.title),
      text(t.occurrence.split('@')[1] ?? t.occurrence),
      text(localDateTime(t.due)),
      t.rows.length,
      done,
      t.rows.filter((r) => r.status === 'late').length,
      t.rows.filter((r) => r.status === 'excused').length,
      t.missing.length,
      text(t.missing.map((id) => names.get(id) ?? id).join('、')),
    ]);
    row.eachCell((c) => (c.border = BORDER));
  }

  for (const t of tables) {
    if (!t.form) continue;
    const form = t.form;
    const date = (t.occurrence.split('@')[1] ?? dateOf(t.due)).slice(5);
    const ws = wb.addWorksheet(sheetName(`${shortTitle(form.title, 31 - date.length - 1)} ${date}`, taken), {
      views: [{ state: 'frozen', xSplit: 1, ySplit: SUB_HEADER_ROW }],
      pageSetup: { orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
    });
    const placed = writeHeader(ws, form, HEADER_ROW, '单位');
    const lastCol = Math.max(1, ...placed.map((p) => p.col));
    titleRow(ws, TITLE_ROW, lastCol, form.title, 16);
    titleRow(ws, SUBTITLE_ROW, lastCol, `${plan.campaign.title}　${t.title}　截止时间：${localDateTime(t.due)}`, 11);

    let r = DATA_ROW;
    const writeRow = (label: string, values: FormValues | undefined, bold = false) => {
      const first = ws.getCell(r, 1);
      first.value = text(label);
      first.border = BORDER;
      if (bold) first.font = { bold: true };
      for (const p of placed) {
        const cell = ws.getCell(r, p.col);
        cell.value = cellValue(p.column, values?.[p.column.id]);
        const fmt = numFmt(p.column);
        if (fmt && fmt !== '@') cell.numFmt = fmt;
        cell.border = BORDER;
        cell.alignment = { vertical: 'middle', wrapText: p.column.type === 'names' || p.column.type === 'text' };
        if (bold) cell.font = { bold: true };
      }
      r++;
    };
    for (const row of t.rows) writeRow(row.nothing ? `${row.departmentName}（零报告）` : row.departmentName, row.values);
    if (t.totals) writeRow('总计', t.totals, true);
    r++;
    const line = (label: string, ids: string[]) => {
      titleRow(ws, r, lastCol, `${label}${ids.length ? ids.map((id) => names.get(id) ?? id).join('、') : '无'}`, 11);
      r++;
    };
    line('未报送：', t.missing);
    const nothing = t.rows.filter((x) => x.nothing).map((x) => x.department);
    if (nothing.length) line('零报告：', nothing);
    const late = t.rows.filter((x) => x.status === 'late').map((x) => x.department);
    if (late.length) line('逾期报送：', late);
    const excused = t.rows.filter((x) => x.status === 'excused').map((x) => x.department);
    if (excused.length) line('已免报：', excused);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
