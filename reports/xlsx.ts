/**
 * Statistics forms as Excel files: the template a department downloads and fills, reading a
 * filled template back (raw values only, the caller validates them with checkFormValues), and the
 * coordinator's summary workbook laid out like the notice's table.
 *
 * Safety: an upload is checked by zip-guard before exceljs sees it; formulas are never evaluated
 * (a cell holding one is refused, its cached result ignored); every text written to a summary is
 * neutralised (a leading =, +, -, @, tab or CR gets an apostrophe) and written as a plain string.
 */
import ExcelJS from 'exceljs';
import type { CompiledForm, CompiledPlan, FormColumn } from '../deadlines/timeline';
import { flattenColumns, type FormValues } from '../obligations/form-data';
import { neutraliseCell, type OccurrenceSummary } from './summary';
import { checkZip, type ZipLimits } from './zip-guard';

/** Identifies a template file in its hidden meta sheet. */
export const TEMPLATE_FORMAT = 'chunfeng-template/1';
export const META_SHEET = 'meta';

const TITLE_ROW = 1;
const SUBTITLE_ROW = 2;
const HEADER_ROW = 3;
const SUB_HEADER_ROW = 4;
const DATA_ROW = 5;
const FIRST_VALUE_COL = 2;
const PARENT_OWN_LABEL = '合计';

type Problem = { field?: string; message: string };

export interface TemplateMeta {
  campaignId?: string;
  formId?: string;
  departmentId?: string;
  deadlineId?: string;
  occurrence?: string;
}

export type ParseResult = { ok: true; values: Record<string, unknown>; meta: TemplateMeta } | { ok: false; problems: Problem[] };

// --- layout shared by the template and the summary -----------------------------------------------

interface PlacedColumn {
  column: FormColumn;
  parent?: FormColumn;
  /** 1-based worksheet column. */
  col: number;
}

function headerLabel(c: FormColumn): string {
  return c.unit ? `${c.label}（${c.unit}）` : c.label;
}

const THIN = { style: 'thin' as const };
const BORDER: Partial<ExcelJS.Borders> = { top: THIN, left: THIN, bottom: THIN, right: THIN };
const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDEBF7' } };
const LOCKED_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFEDEDED' } };

function styleHeader(cell: ExcelJS.Cell): void {
  cell.font = { bold: true };
  cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
  cell.border = BORDER;
  cell.fill = HEADER_FILL;
}

function text(s: string): string {
  return neutraliseCell(s);
}

/**
 * Writes the two header rows like the notice's table: 单位 and every column without sub-columns
 * merged over both rows; a column with "其中" sub-columns gets its label merged across itself and
 * its sub-columns, with 合计 / 其中：… underneath.
 */
function writeHeader(ws: ExcelJS.Worksheet, form: CompiledForm, top: number, firstLabel: string): PlacedColumn[] {
  const placed: PlacedColumn[] = [];
  ws.getCell(top, 1).value = firstLabel;
  ws.mergeCells(top, 1, top + 1, 1);
  styleHeader(ws.getCell(top, 1));
  ws.getColumn(1).width = 24;
  let col = FIRST_VALUE_COL;
  for (const c of form.columns) {
    // Deeper nesting is flattened: every descendant is a 其中 column of the top-level column.
    const flat = flattenColumns(c.ofWhich ?? [], c);
    ws.getCell(top, col).value = text(headerLabel(c));
    placed.push({ column: c, col });
    if (flat.length === 0) {
      ws.mergeCells(top, col, top + 1, col);
    } else {
      ws.mergeCells(top, col, top, col + flat.length);
      ws.getCell(top + 1, col).value = PARENT_OWN_LABEL;
      flat.forEach(({ column, parent }, i) => {
        ws.getCell(top + 1, col + 1 + i).value = text(`其中：${headerLabel(column)}`);
        placed.push({ column, parent, col: col + 1 + i });
      });
    }
    col += 1 + flat.length;
  }
  for (let r = top; r <= top + 1; r++) for (let k = 1; k < col; k++) styleHeader(ws.getCell(r, k));
  for (const p of placed) ws.getColumn(p.col).width = p.column.type === 'names' || p.column.type === 'text' ? 28 : 14;
  ws.getRow(top).height = 48;
  ws.getRow(top + 1).height = 48;
  return placed;
}

function titleRow(ws: ExcelJS.Worksheet, row: number, lastCol: number, value: string, size: number): void {
  const cell = ws.getCell(row, 1);
  cell.value = text(value);
  cell.font = { bold: size > 12, size };
  cell.alignment = { horizontal: size > 12 ? 'center' : 'left', vertical: 'middle', wrapText: true };
  if (lastCol > 1) ws.mergeCells(row, 1, row, lastCol);
  ws.getRow(row).height = size > 12 ? 30 : 20;
}

function numFmt(c: FormColumn): string | undefined {
  if (c.type === 'count') return '0';
  if (c.type === 'amount') return '0.00##';
  if (c.type === 'names' || c.type === 'text') return '@';
  return undefined;
}

function cellValue(c: FormColumn, v: FormValues[string] | undefined): ExcelJS.CellValue {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return text(v.join('、'));
  if (typeof v === 'number') return c.type === 'count' || c.type === 'amount' ? v : text(String(v));
  return text(String(v));
}

function dateOf(iso: string): string {
  return iso.slice(0, 10);
}

function localDateTime(iso: string): string {
  // ISO with the campaign zone's offset: its local wall time is the text itself.
  return iso.length >= 16 ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : iso;
}

// --- template ------------------------------------------------------------------------------------

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

/** A safe worksheet name: no []:*?/\, at most 31 characters, unique in `taken`. */
function sheetName(wanted: string, taken: Set<string>): string {
  const base = wanted.replace(/[[\]:*?/\\]/g, ' ').replace(/^'+|'+$/g, '').trim() || 'Sheet';
  let name = base.slice(0, 31);
  for (let n = 2; taken.has(name.toLowerCase()); n++) {
    const suffix = ` (${n})`;
    name = base.slice(0, 31 - suffix.length) + suffix;
  }
  taken.add(name.toLowerCase());
  return name;
}

/** Shortens a form title for a sheet name, keeping its end (…统计表). */
function shortTitle(title: string, room: number): string {
  return title.length <= room ? title : title.slice(title.length - room);
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

// --- reading a filled template -------------------------------------------------------------------

function isFormulaValue(v: unknown): boolean {
  return typeof v === 'object' && v !== null && ('formula' in v || 'sharedFormula' in v);
}

function plainText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object' && 'richText' in v) return v.richText.map((r) => r.text).join('');
  if (typeof v === 'object' && 'text' in v) return String((v as { text: unknown }).text ?? '');
  return '';
}

function norm(s: string): string {
  return s.replace(/[\s\u3000]/g, '').replace(/^其中[：:]/, '').replace(/\(/g, '（').replace(/\)/g, '）').replace(/:/g, '：');
}

/** A header text is the column's label, with or without its unit. */
function same(headerText: string, c: FormColumn): boolean {
  return headerText !== '' && (headerText === norm(c.label) || headerText === norm(headerLabel(c)));
}

interface ReadMeta extends TemplateMeta {
  format?: string;
  sheet?: string;
  dataRow?: number;
  firstColumn?: number;
  columns?: string[];
}

function readMeta(wb: ExcelJS.Workbook): ReadMeta | undefined {
  const ws = wb.getWorksheet(META_SHEET);
  if (!ws) return undefined;
  const m: ReadMeta = {};
  ws.eachRow((row) => {
    const key = plainText(row.getCell(1).value);
    const val = plainText(row.getCell(2).value).trim();
    switch (key) {
      case 'format': m.format = val; break;
      case 'campaignId': m.campaignId = val || undefined; break;
      case 'formId': m.formId = val || undefined; break;
      case 'departmentId': m.departmentId = val || undefined; break;
      case 'deadlineId': m.deadlineId = val || undefined; break;
      case 'occurrence': m.occurrence = val || undefined; break;
      case 'sheet': m.sheet = val || undefined; break;
      case 'dataRow': m.dataRow = Number(val) || undefined; break;
      case 'firstColumn': m.firstColumn = Number(val) || undefined; break;
      case 'columns': {
        const ids: string[] = [];
        for (let c = 2; c <= row.cellCount; c++) ids.push(plainText(row.getCell(c).value).trim());
        while (ids.length && !ids[ids.length - 1]) ids.pop();
        m.columns = ids;
        break;
      }
    }
  });
  return m.format === TEMPLATE_FORMAT ? m : undefined;
}

/** Without meta: finds the 单位 header row and matches columns by their labels. */
function matchByLabels(ws: ExcelJS.Worksheet, form: CompiledForm): { dataRow: number; cols: Map<string, number> } | undefined {
  let header = 0;
  for (let r = 1; r <= Math.min(20, ws.rowCount); r++) {
    const t = norm(plainText(ws.getCell(r, 1).value));
    if (t === '单位' || t.endsWith('名称') || t === '填报单位') {
      header = r;
      break;
    }
  }
  if (!header) return undefined;
  const cols = new Map<string, number>();
  const width = ws.getRow(header).cellCount;
  const flat = form.columns.flatMap((root) => flattenColumns([root]).map((f) => ({ ...f, root })));
  for (let c = 2; c <= Math.max(width, ws.columnCount); c++) {
    const top = norm(plainText(ws.getCell(header, c).value));
    const bottom = norm(plainText(ws.getCell(header + 1, c).value));
    const hit = flat.find(({ column, parent, root }) => {
      if (cols.has(column.id)) return false;
      // Sub-column: its own label below, the top-level column's label above (merged).
      if (parent) return same(bottom, column) && same(top, root);
      if (column.ofWhich?.length) return same(top, column) && (bottom === PARENT_OWN_LABEL || bottom === '小计' || bottom === top || bottom === '');
      return same(top, column) || (top === '' && same(bottom, column));
    });
    if (hit) cols.set(hit.column.id, c);
  }
  if (cols.size === 0) return undefined;
  return { dataRow: header + 2, cols };
}

export async function parseFilledTemplate(
  buffer: Buffer,
  form: CompiledForm,
  limits?: { maxBytes?: number; maxUncompressedBytes?: number; maxEntries?: number },
  expect?: { campaignId?: string; departmentId?: string },
): Promise<ParseResult> {
  const zip = checkZip(buffer, limits as ZipLimits | undefined);
  if (!zip.ok) return { ok: false, problems: [{ message: zip.message }] };

  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(buffer as unknown as ArrayBuffer);
  } catch {
    return { ok: false, problems: [{ message: '文件不是有效的Excel（.xlsx）文件，或已损坏，请使用下载的模板重新填写' }] };
  }

  const meta = readMeta(wb);
  const otherForm = '这是另一张表格的模板，请下载《' + form.title + '》的模板填写后上传';
  if (meta) {
    if (meta.formId && meta.formId !== form.id) return { ok: false, problems: [{ message: otherForm }] };
    if (expect?.campaignId && meta.campaignId && meta.campaignId !== expect.campaignId) {
      return { ok: false, problems: [{ message: '这是另一项活动的模板，请重新下载本次活动的模板填写后上传' }] };
    }
    if (expect?.departmentId && meta.departmentId && meta.departmentId !== expect.departmentId) {
      return { ok: false, problems: [{ message: '这是其他单位的模板，请下载本单位的模板填写后上传' }] };
    }
  }

  const sheets = wb.worksheets.filter((w) => w.name !== META_SHEET && w.state !== 'veryHidden' && w.state !== 'hidden');
  const ws = (meta?.sheet ? wb.getWorksheet(meta.sheet) : undefined) ?? sheets[0];
  if (!ws) return { ok: false, problems: [{ message: '文件中没有工作表，请使用下载的模板填写' }] };

  const byId = new Map(flattenColumns(form.columns).map((f) => [f.column.id, f]));
  let dataRow: number;
  const cols = new Map<string, number>();
  if (meta?.columns?.length) {
    dataRow = meta.dataRow ?? DATA_ROW;
    const first = meta.firstColumn ?? FIRST_VALUE_COL;
    meta.columns.forEach((id, i) => {
      if (byId.has(id)) cols.set(id, first + i);
    });
    if (cols.size === 0) return { ok: false, problems: [{ message: otherForm }] };
    // Columns inserted by hand would shift every figure: refuse rather than misread.
    const expectedLast = first + meta.columns.length - 1;
    for (let r = HEADER_ROW; r <= dataRow; r++) {
      const row = ws.getRow(r);
      for (let c = expectedLast + 1; c <= row.cellCount; c++) {
        if (plainText(row.getCell(c).value).trim() !== '' || isFormulaValue(row.getCell(c).value)) {
          return { ok: false, problems: [{ message: '模板的列被增删或移动过，请使用下载的原模板填写（不要增删行列）' }] };
        }
      }
    }
    const headerText = (c: number) => plainText(ws.getCell(HEADER_ROW, c).value).trim() + plainText(ws.getCell(SUB_HEADER_ROW, c).value).trim();
    if (meta.columns.some((_, i) => headerText(first + i) === '')) {
      return { ok: false, problems: [{ message: '模板的列被增删或移动过，请使用下载的原模板填写（不要增删行列）' }] };
    }
  } else {
    const found = matchByLabels(ws, form);
    if (!found) return { ok: false, problems: [{ message: `没有找到《${form.title}》的表头，请使用下载的模板填写后上传` }] };
    dataRow = found.dataRow;
    for (const [id, c] of found.cols) cols.set(id, c);
  }

  const problems: Problem[] = [];
  const values: Record<string, unknown> = {};
  for (const [id, col] of cols) {
    const { column, parent } = byId.get(id)!;
    const name = parent ? `其中：${column.label}` : column.label;
    const cell = ws.getCell(dataRow, col);
    const v = cell.value;
    if (isFormulaValue(v) || cell.type === ExcelJS.ValueType.Formula) {
      problems.push({ field: id, message: `「${name}」含有公式，请直接填写数值` });
      continue;
    }
    if (v === null || v === undefined) continue;
    if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') {
      values[id] = typeof v === 'string' ? v.trim() : v;
    } else if (v instanceof Date) {
      problems.push({ field: id, message: `「${name}」填写的是日期，请填写${column.type === 'count' || column.type === 'amount' ? '数值' : '文字'}` });
    } else if (typeof v === 'object' && 'error' in v) {
      problems.push({ field: id, message: `「${name}」的值有误（${String((v as { error: unknown }).error)}），请直接填写数值` });
    } else {
      values[id] = plainText(v).trim();
    }
    if (values[id] === '') delete values[id];
  }
  if (problems.length) return { ok: false, problems };
  const out: TemplateMeta = {};
  if (meta) {
    for (const k of ['campaignId', 'formId', 'departmentId', 'deadlineId', 'occurrence'] as const) if (meta[k]) out[k] = meta[k];
  }
  return { ok: true, values, meta: out };
}

// --- summary -------------------------------------------------------------------------------------

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
    for (const row of t.rows) writeRow(row.departmentName, row.values);
    if (t.totals) writeRow('总计', t.totals, true);
    r++;
    const line = (label: string, ids: string[]) => {
      titleRow(ws, r, lastCol, `${label}${ids.length ? ids.map((id) => names.get(id) ?? id).join('、') : '无'}`, 11);
      r++;
    };
    line('未报送：', t.missing);
    const late = t.rows.filter((x) => x.status === 'late').map((x) => x.department);
    if (late.length) line('逾期报送：', late);
    const excused = t.rows.filter((x) => x.status === 'excused').map((x) => x.department);
    if (excused.length) line('已免报：', excused);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
