/**
 * The statistics template a department downloads and fills: the form laid out like the notice's
 * table (reports/xlsx/layout.ts), the department's name pre-filled and locked, one data row with
 * Excel's own input checks (whole numbers, decimals, text length) and a note on how to fill it, and
 * a very hidden meta sheet naming the campaign, form, department, deadline and occurrence so an
 * upload can be matched to what it was made for.
 */
import ExcelJS from 'exceljs';
import type { CompiledPlan, FormColumn } from '../../deadlines/timeline';
import {
  BORDER, DATA_ROW, FIRST_VALUE_COL, HEADER_ROW, localDateTime, LOCKED_FILL, META_SHEET, numFmt, sheetName, shortTitle,
  SUB_HEADER_ROW, SUBTITLE_ROW, TEMPLATE_FORMAT, text, TITLE_ROW, titleRow, writeHeader,
} from './layout';

function validationFor(c: FormColumn, parent?: FormColumn): ExcelJS.DataValidation | undefined {
  const name = parent ? `其中：${c.label}` : c.label;
  switch (c.type) {
    case 'count':
      return {
        type: 'whole', operator: 'greaterThanOrEqual', allowBlank: true, formulae: [0],
        showErrorMessage: true, errorTitle: '请填写非负整数', error: `「${name}」须为非负整数`,
        showInputMessage: true, promptTitle: name, prompt: parent ? `非负整数，不大于「${parent.label}」` : '非负整数',
      };
    case 'amount':
      return {
        type: 'decimal', operator: 'greaterThanOrEqual', allowBlank: true, formulae: [0],
        showErrorMessage: true, errorTitle: '请填写非负数', error: `「${name}」须为非负数${c.unit ? `（单位：${c.unit}）` : ''}`,
        showInputMessage: true, promptTitle: name, prompt: `非负数${c.unit ? `，单位：${c.unit}` : ''}，最多四位小数`,
      };
    case 'names':
      return {
        type: 'textLength', operator: 'lessThanOrEqual', allowBlank: true, formulae: [5000],
        showInputMessage: true, promptTitle: name, prompt: '名称之间用顿号、分隔，如：小店区、迎泽区',
      };
    case 'text':
      return {
        type: 'textLength', operator: 'lessThanOrEqual', allowBlank: true, formulae: [2000],
        showErrorMessage: true, error: `「${name}」不超过2000字`, showInputMessage: true, promptTitle: name, prompt: '文字，不超过2000字',
      };
  }
}

export async function formTemplateXlsx(
  plan: CompiledPlan,
  formId: string,
  opts: { department: { id: string; name: string }; deadlineId: string; occurrence?: string; title?: string },
): Promise<Buffer> {
  const form = plan.forms.find((f) => f.id === formId);
  if (!form) throw new Error(`plan ${plan.campaign.id} has no form ${formId}`);
  const deadline = plan.deadlines.find((d) => d.id === opts.deadlineId);
  const occ = deadline?.occurrences.find((o) => o.key === opts.occurrence);

  const wb = new ExcelJS.Workbook();
  wb.creator = plan.campaign.office.name || plan.campaign.title;
  wb.created = new Date(0);
  wb.modified = new Date(0);
  const ws = wb.addWorksheet(sheetName(shortTitle(form.title, 31), new Set([META_SHEET])), {
    views: [{ state: 'frozen', xSplit: 1, ySplit: SUB_HEADER_ROW }],
    pageSetup: { orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
  });
  const placed = writeHeader(ws, form, HEADER_ROW, '单位');
  const lastCol = Math.max(1, ...placed.map((p) => p.col));
  titleRow(ws, TITLE_ROW, lastCol, opts.title ?? `${plan.campaign.title}${form.title}`, 16);
  const sub = [`填报单位：${opts.department.name}`];
  if (deadline) sub.push(`报送事项：${deadline.title}`);
  if (occ) sub.push(`截止时间：${localDateTime(occ.due)}`);
  titleRow(ws, SUBTITLE_ROW, lastCol, sub.join('　　'), 11);

  const nameCell = ws.getCell(DATA_ROW, 1);
  nameCell.value = text(opts.department.name);
  nameCell.fill = LOCKED_FILL;
  nameCell.font = { bold: true, color: { argb: 'FF595959' } };
  nameCell.border = BORDER;
  nameCell.protection = { locked: true };
  nameCell.alignment = { vertical: 'middle', wrapText: true };
  for (const p of placed) {
    const cell = ws.getCell(DATA_ROW, p.col);
    const fmt = numFmt(p.column);
    if (fmt) cell.numFmt = fmt;
    const dv = validationFor(p.column, p.parent);
    if (dv) cell.dataValidation = dv;
    cell.protection = { locked: false };
    cell.border = BORDER;
    cell.alignment = { vertical: 'middle', wrapText: p.column.type === 'names' || p.column.type === 'text' };
  }
  ws.getRow(DATA_ROW).height = 30;
  const notes = ['填报说明：请只在第' + DATA_ROW + '行填写本单位数据，不要增删行列，不要填写公式。'];
  if (placed.some((p) => p.column.type === 'count')) notes.push('人数、场次、个数等填写非负整数；');
  const units = [...new Set(placed.filter((p) => p.column.type === 'amount').map((p) => p.column.unit).filter(Boolean))];
  if (placed.some((p) => p.column.type === 'amount')) notes.push(`金额${units.length ? `单位为${units.join('、')}` : ''}，最多保留四位小数；`);
  if (placed.some((p) => p.column.cumulative)) notes.push('标注为累计数的栏目填写自活动开始以来的累计数；');
  if (placed.some((p) => p.parent)) notes.push('“其中”栏不得大于其所属栏目；');
  if (placed.some((p) => p.column.type === 'names')) notes.push('名称之间用顿号“、”分隔。');
  titleRow(ws, DATA_ROW + 2, lastCol, notes.join(''), 10);
  ws.getRow(DATA_ROW + 2).height = 36;

  const meta = wb.addWorksheet(META_SHEET, { state: 'veryHidden' });
  const rows: Array<[string, ...Array<string | number>]> = [
    ['format', TEMPLATE_FORMAT],
    ['campaignId', plan.campaign.id],
    ['formId', form.id],
    ['departmentId', opts.department.id],
    ['deadlineId', opts.deadlineId],
    ['occurrence', opts.occurrence ?? ''],
    ['sheet', ws.name],
    ['dataRow', DATA_ROW],
    ['firstColumn', FIRST_VALUE_COL],
    ['columns', ...placed.map((p) => p.column.id)],
  ];
  for (const r of rows) meta.addRow(r);

  return Buffer.from(await wb.xlsx.writeBuffer());
}
