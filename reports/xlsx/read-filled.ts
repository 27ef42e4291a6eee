/**
 * Reading a filled template back, in the thread that runs it (reading-pool.ts runs it on a worker
 * thread; nothing here should run on the portal's own thread): raw values only, the caller
 * validates them with checkFormValues.
 *
 * Bounded by the form, never by the file: the rows and columns read are where formTemplateXlsx put
 * the form's columns (layout.ts), so a meta sheet naming another data row or first column is
 * refused, and a list of columns or a header scan never goes further than the form could need.
 * Before exceljs sees the file, zip-guard checks its sizes (the XML parts one by one and together)
 * and expanded-ranges.ts the ranges exceljs would expand cell by cell.
 *
 * Formulas are never evaluated: a cell holding one is refused, its cached result ignored.
 */
import ExcelJS from 'exceljs';
import type { CompiledForm, FormColumn } from '../../deadlines/timeline';
import { flattenColumns } from '../../obligations/form-data';
import { checkZip, type ZipLimits } from '../zip-guard';
import { checkExpandedRanges } from './expanded-ranges';
import { DATA_ROW, FIRST_VALUE_COL, HEADER_ROW, headerLabel, META_SHEET, PARENT_OWN_LABEL, placeColumns, SUB_HEADER_ROW, TEMPLATE_FORMAT } from './layout';

export type Problem = { field?: string; message: string };

export interface TemplateMeta {
  campaignId?: string;
  formId?: string;
  departmentId?: string;
  deadlineId?: string;
  occurrence?: string;
}

export type ParseResult = { ok: true; values: Record<string, unknown>; meta: TemplateMeta } | { ok: false; problems: Problem[] };

/** The limits an upload is read under (the file's own size and its uncompressed content). */
export type ReadLimits = { maxBytes?: number; maxUncompressedBytes?: number; maxEntries?: number };

/** Who the upload is expected to be for: a template of another campaign or department is refused. */
export type ReadExpectation = { campaignId?: string; departmentId?: string };

export const UNREADABLE = '文件不是有效的Excel（.xlsx）文件，或已损坏，请使用下载的模板重新填写';
const MOVED = '模板的列被增删或移动过，请使用下载的原模板填写（不要增删行列）';
const MOVED_META = `模板中记录的填写位置被改动过（应在第${DATA_ROW}行、从第${FIRST_VALUE_COL}列起填写），请重新下载模板填写后上传`;

function refuse(message: string): ParseResult {
  return { ok: false, problems: [{ message }] };
}

/**
 * How many columns a meta sheet may list, or a header scan may look at, for this form: twice the
 * form's own columns and a few more. A template downloaded before the plan was amended may list
 * columns the form no longer has (they are skipped); a longer list is not this form's template.
 */
function columnAllowance(form: CompiledForm): number {
  return 2 * placeColumns(form).length + 8;
}

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
  /** As written in the file: checked against the layout, never used to decide what to read. */
  dataRow?: string;
  firstColumn?: string;
  columns?: string[];
  /** The columns row goes on past what this form could list. */
  tooManyColumns?: boolean;
}

function readMeta(wb: ExcelJS.Workbook, allowance: number): ReadMeta | undefined {
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
      case 'dataRow': m.dataRow = val || undefined; break;
      case 'firstColumn': m.firstColumn = val || undefined; break;
      case 'columns': {
        // Only the cells the file holds, and no further than this form could need.
        const ids: string[] = [];
        row.eachCell((cell, c) => {
          if (c < 2) return;
          const id = plainText(cell.value).trim();
          if (c - 2 >= allowance) {
            if (id) m.tooManyColumns = true;
            return;
          }
          ids[c - 2] = id;
        });
        for (let i = 0; i < ids.length; i++) ids[i] ??= '';
        while (ids.length && !ids[ids.length - 1]) ids.pop();
        m.columns = ids;
        break;
      }
    }
  });
  return m.format === TEMPLATE_FORMAT ? m : undefined;
}

/** Without meta: finds the 单位 header row and matches columns by their labels, within `allowance` columns. */
function matchByLabels(ws: ExcelJS.Worksheet, form: CompiledForm, allowance: number): { dataRow: number; cols: Map<string, number> } | undefined {
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
  const last = Math.min(Math.max(width, ws.columnCount), FIRST_VALUE_COL - 1 + allowance);
  const flat = form.columns.flatMap((root) => flattenColumns([root]).map((f) => ({ ...f, root })));
  for (let c = 2; c <= last; c++) {
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

/** Reads a filled template in this thread. Throws only on a fault of this code, never for a file's content. */
export async function readFilledTemplate(buffer: Buffer, form: CompiledForm, limits?: ReadLimits, expect?: ReadExpectation): Promise<ParseResult> {
  const zip = checkZip(buffer, limits as ZipLimits | undefined);
  if (!zip.ok) return refuse(zip.message);
  const ranges = checkExpandedRanges(buffer, zip.entries);
  if (ranges) return refuse(ranges);

  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(buffer as unknown as ArrayBuffer);
  } catch {
    return refuse(UNREADABLE);
  }

  const allowance = columnAllowance(form);
  const meta = readMeta(wb, allowance);
  const otherForm = '这是另一张表格的模板，请下载《' + form.title + '》的模板填写后上传';
  if (meta) {
    if (meta.formId && meta.formId !== form.id) return refuse(otherForm);
    if (expect?.campaignId && meta.campaignId && meta.campaignId !== expect.campaignId) {
      return refuse('这是另一项活动的模板，请重新下载本次活动的模板填写后上传');
    }
    if (expect?.departmentId && meta.departmentId && meta.departmentId !== expect.departmentId) {
      return refuse('这是其他单位的模板，请下载本单位的模板填写后上传');
    }
    // The layout is the form's: a file that says its figures are elsewhere is not read there.
    if ((meta.dataRow !== undefined && Number(meta.dataRow) !== DATA_ROW) || (meta.firstColumn !== undefined && Number(meta.firstColumn) !== FIRST_VALUE_COL)) {
      return refuse(MOVED_META);
    }
    if (meta.tooManyColumns) return refuse(otherForm);
  }

  const sheets = wb.worksheets.filter((w) => w.name !== META_SHEET && w.state !== 'veryHidden' && w.state !== 'hidden');
  const ws = (meta?.sheet ? wb.getWorksheet(meta.sheet) : undefined) ?? sheets[0];
  if (!ws) return refuse('文件中没有工作表，请使用下载的模板填写');

  const byId = new Map(flattenColumns(form.columns).map((f) => [f.column.id, f]));
  let dataRow: number;
  const cols = new Map<string, number>();
  if (meta?.columns?.length) {
    dataRow = DATA_ROW;
    meta.columns.forEach((id, i) => {
      if (byId.has(id)) cols.set(id, FIRST_VALUE_COL + i);
    });
    if (cols.size === 0) return refuse(otherForm);
    // Columns inserted by hand would shift every figure: refuse rather than misread.
    const expectedLast = FIRST_VALUE_COL + meta.columns.length - 1;
    for (let r = HEADER_ROW; r <= dataRow; r++) {
      let moved = false;
      ws.getRow(r).eachCell((cell, c) => {
        if (c > expectedLast && (plainText(cell.value).trim() !== '' || isFormulaValue(cell.value))) moved = true;
      });
      if (moved) return refuse(MOVED);
    }
    const headerText = (c: number) => plainText(ws.getCell(HEADER_ROW, c).value).trim() + plainText(ws.getCell(SUB_HEADER_ROW, c).value).trim();
    if (meta.columns.some((_, i) => headerText(FIRST_VALUE_COL + i) === '')) return refuse(MOVED);
  } else {
    const found = matchByLabels(ws, form, allowance);
    if (!found) return refuse(`没有找到《${form.title}》的表头，请使用下载的模板填写后上传`);
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
