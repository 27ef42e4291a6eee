/**
 * Where a statistics form sits on a worksheet, shared by the template a department fills, the
 * reading of a filled template and the coordinator's summary: the rows (title, subtitle, two header
 * rows, the data row) and the column each form column takes, laid out like the notice's table.
 * The reader takes its rows and columns from here — from the plan's form — never from numbers
 * written in an uploaded file.
 *
 * Also the cell styling and text helpers both workbooks use: every text written is neutralised (a
 * leading =, +, -, @, tab or CR gets an apostrophe) and written as a plain string.
 */
import type ExcelJS from 'exceljs';
import type { CompiledForm, FormColumn } from '../../deadlines/timeline';
import { flattenColumns, type FormValues } from '../../obligations/form-data';
import { neutraliseCell } from '../summary';

/** Identifies a template file in its hidden meta sheet. */
export const TEMPLATE_FORMAT = 'chunfeng-template/1';
export const META_SHEET = 'meta';

export const TITLE_ROW = 1;
export const SUBTITLE_ROW = 2;
export const HEADER_ROW = 3;
export const SUB_HEADER_ROW = 4;
/** The one row a department fills in its template. */
export const DATA_ROW = 5;
export const FIRST_VALUE_COL = 2;
export const PARENT_OWN_LABEL = '合计';

export interface PlacedColumn {
  column: FormColumn;
  parent?: FormColumn;
  /** 1-based worksheet column. */
  col: number;
}

/** A top-level column and its "其中" sub-columns, side by side. */
interface PlacedGroup {
  top: PlacedColumn;
  ofWhich: PlacedColumn[];
}

function placeGroups(form: CompiledForm): PlacedGroup[] {
  const groups: PlacedGroup[] = [];
  let col = FIRST_VALUE_COL;
  for (const c of form.columns) {
    // Deeper nesting is flattened: every descendant is a 其中 column of the top-level column.
    const flat = flattenColumns(c.ofWhich ?? [], c);
    groups.push({ top: { column: c, col }, ofWhich: flat.map(({ column, parent }, i) => ({ column, parent, col: col + 1 + i })) });
    col += 1 + flat.length;
  }
  return groups;
}

/** Every form column with the worksheet column it takes, in order (the template's meta lists their ids). */
export function placeColumns(form: CompiledForm): PlacedColumn[] {
  return placeGroups(form).flatMap((g) => [g.top, ...g.ofWhich]);
}

export function headerLabel(c: FormColumn): string {
  return c.unit ? `${c.label}（${c.unit}）` : c.label;
}

const THIN = { style: 'thin' as const };
export const BORDER: Partial<ExcelJS.Borders> = { top: THIN, left: THIN, bottom: THIN, right: THIN };
const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDEBF7' } };
export const LOCKED_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFEDEDED' } };

export function styleHeader(cell: ExcelJS.Cell): void {
  cell.font = { bold: true };
  cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
  cell.border = BORDER;
  cell.fill = HEADER_FILL;
}

export function text(s: string): string {
  return neutraliseCell(s);
}

/**
 * Writes the two header rows like the notice's table: 单位 and every column without sub-columns
 * merged over both rows; a column with "其中" sub-columns gets its label merged across itself and
 * its sub-columns, with 合计 / 其中：… underneath.
 */
export function writeHeader(ws: ExcelJS.Worksheet, form: CompiledForm, top: number, firstLabel: string): PlacedColumn[] {
  ws.getCell(top, 1).value = firstLabel;
  ws.mergeCells(top, 1, top + 1, 1);
  styleHeader(ws.getCell(top, 1));
  ws.getColumn(1).width = 24;
  const groups = placeGroups(form);
  for (const { top: head, ofWhich } of groups) {
    ws.getCell(top, head.col).value = text(headerLabel(head.column));
    if (ofWhich.length === 0) {
      ws.mergeCells(top, head.col, top + 1, head.col);
    } else {
      ws.mergeCells(top, head.col, top, head.col + ofWhich.length);
      ws.getCell(top + 1, head.col).value = PARENT_OWN_LABEL;
      for (const sub of ofWhich) ws.getCell(top + 1, sub.col).value = text(`其中：${headerLabel(sub.column)}`);
    }
  }
  const placed = groups.flatMap((g) => [g.top, ...g.ofWhich]);
  const end = Math.max(FIRST_VALUE_COL, ...placed.map((p) => p.col + 1));
  for (let r = top; r <= top + 1; r++) for (let k = 1; k < end; k++) styleHeader(ws.getCell(r, k));
  for (const p of placed) ws.getColumn(p.col).width = p.column.type === 'names' || p.column.type === 'text' ? 28 : 14;
  ws.getRow(top).height = 48;
  ws.getRow(top + 1).height = 48;
  return placed;
}

export function titleRow(ws: ExcelJS.Worksheet, row: number, lastCol: number, value: string, size: number): void {
  const cell = ws.getCell(row, 1);
  cell.value = text(value);
  cell.font = { bold: size > 12, size };
  cell.alignment = { horizontal: size > 12 ? 'center' : 'left', vertical: 'middle', wrapText: true };
  if (lastCol > 1) ws.mergeCells(row, 1, row, lastCol);
  ws.getRow(row).height = size > 12 ? 30 : 20;
}

export function numFmt(c: FormColumn): string | undefined {
  if (c.type === 'count') return '0';
  if (c.type === 'amount') return '0.00##';
  if (c.type === 'names' || c.type === 'text') return '@';
  return undefined;
}

export function cellValue(c: FormColumn, v: FormValues[string] | undefined): ExcelJS.CellValue {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return text(v.join('、'));
  if (typeof v === 'number') return c.type === 'count' || c.type === 'amount' ? v : text(String(v));
  return text(String(v));
}

export function dateOf(iso: string): string {
  return iso.slice(0, 10);
}

export function localDateTime(iso: string): string {
  // ISO with the campaign zone's offset: its local wall time is the text itself.
  return iso.length >= 16 ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : iso;
}

/** A safe worksheet name: no []:*?/\, at most 31 characters, unique in `taken`. */
export function sheetName(wanted: string, taken: Set<string>): string {
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
export function shortTitle(title: string, room: number): string {
  return title.length <= room ? title : title.slice(title.length - room);
}
