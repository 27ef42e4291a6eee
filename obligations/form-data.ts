/**
 * Where a submission is validated: statistics-form data against the plan's form, identically for
 * the web form, an uploaded XLSX template, the CLI and the workflow's update validator.
 *
 * Pure: workflows import it (the update validator runs it synchronously).
 */
import type { CompiledForm, FormColumn } from '../deadlines/timeline';

/** A department's row of a statistics table: column id -> value. */
export type FormValues = Record<string, number | string | string[] | null>;

export interface FieldProblem {
  /** Column id. */
  field: string;
  /** In the department's terms, naming the column by its label. */
  message: string;
}

export interface FormCheck {
  /** The values, normalised (numbers as numbers, names as lists). */
  values: FormValues;
  errors: FieldProblem[];
  /** Cumulative figures that went down: the department must confirm them. */
  warnings: FieldProblem[];
}

export function flattenColumns(columns: readonly FormColumn[], parent?: FormColumn): Array<{ column: FormColumn; parent?: FormColumn }> {
  return columns.flatMap((c) => [{ column: c, parent }, ...flattenColumns(c.ofWhich ?? [], c)]);
}

const NAME_SEPARATORS = /[、,，;；\n]+/;

function normalise(column: FormColumn, raw: unknown): { value: number | string | string[] | null; error?: string } {
  if (raw === undefined || raw === null || raw === '') return { value: null };
  switch (column.type) {
    case 'count': {
      const n = typeof raw === 'number' ? raw : Number(String(raw).trim().replace(/,/g, ''));
      if (!Number.isFinite(n) || !Number.isInteger(n) || n < 0) return { value: null, error: `「${column.label}」须为非负整数（填写了“${String(raw)}”）` };
      if (n > 1e12) return { value: null, error: `「${column.label}」数值过大（${String(raw)}）` };
      return { value: n };
    }
    case 'amount': {
      const n = typeof raw === 'number' ? raw : Number(String(raw).trim().replace(/,/g, ''));
      if (!Number.isFinite(n) || n < 0) return { value: null, error: `「${column.label}」须为非负数${column.unit ? `（单位：${column.unit}）` : ''}（填写了“${String(raw)}”）` };
      if (Math.round(n * 10000) !== n * 10000) return { value: null, error: `「${column.label}」最多保留四位小数（填写了“${String(raw)}”）` };
      return { value: n };
    }
    case 'text': {
      if (typeof raw !== 'string' && typeof raw !== 'number') return { value: null, error: `「${column.label}」须为文字` };
      const s = String(raw).trim();
      if (s.length > 2000) return { value: null, error: `「${column.label}」不超过2000字` };
      return { value: s };
    }
    case 'names': {
      const list = Array.isArray(raw) ? raw.map(String) : String(raw).split(NAME_SEPARATORS);
      const names = [...new Set(list.map((s) => s.trim()).filter(Boolean))];
      if (names.some((n) => n.length > 100)) return { value: null, error: `「${column.label}」每个名称不超过100字` };
      return { value: names };
    }
  }
}

/**
 * Checks a row against the form: types, non-negative numbers, "其中" sub-columns not above their
 * parent, unknown columns; and, given the department's previous accepted row, cumulative figures
 * that decrease (a warning, unless `confirmedDecreases` lists the column).
 */
export function checkFormValues(form: CompiledForm, raw: Record<string, unknown>, previous?: FormValues, confirmedDecreases: readonly string[] = []): FormCheck {
  const errors: FieldProblem[] = [];
  const warnings: FieldProblem[] = [];
  const values: FormValues = {};
  const all = flattenColumns(form.columns);
  const known = new Set(all.map((c) => c.column.id));
  for (const key of Object.keys(raw)) {
    if (!known.has(key)) errors.push({ field: key, message: `表格《${form.title}》没有“${key}”这一栏` });
  }
  for (const { column } of all) {
    const { value, error } = normalise(column, raw[column.id]);
    values[column.id] = value;
    if (error) errors.push({ field: column.id, message: error });
  }
  for (const { column, parent } of all) {
    if (!parent) continue;
    const v = values[column.id];
    const p = values[parent.id];
    if (typeof v === 'number' && typeof p === 'number' && v > p) {
      errors.push({ field: column.id, message: `「其中：${column.label}」（${v}）不能大于「${parent.label}」（${p}）` });
    }
  }
  if (previous) {
    for (const { column } of all) {
      if (!column.cumulative) continue;
      const v = values[column.id];
      const before = previous[column.id];
      if (typeof v === 'number' && typeof before === 'number' && v < before && !confirmedDecreases.includes(column.id)) {
        warnings.push({ field: column.id, message: `「${column.label}」为累计数，本次（${v}）小于上次报送的${before}，请核实后确认` });
      }
    }
  }
  return { values, errors, warnings };
}

/** The 总计 row: sums of every numeric column and sub-column, union of name lists. */
export function totalsOf(form: CompiledForm, rows: readonly FormValues[]): FormValues {
  const total: FormValues = {};
  for (const { column } of flattenColumns(form.columns)) {
    if (column.type === 'count' || column.type === 'amount') {
      let sum = 0;
      for (const r of rows) if (typeof r[column.id] === 'number') sum += r[column.id] as number;
      // Amounts keep four decimals; avoid binary noise such as 0.30000000000000004.
      total[column.id] = column.type === 'amount' ? Math.round(sum * 10000) / 10000 : sum;
    } else if (column.type === 'names') {
      const names = new Set<string>();
      for (const r of rows) for (const n of (r[column.id] as string[] | null) ?? []) names.add(n);
      total[column.id] = [...names];
    } else {
      total[column.id] = null;
    }
  }
  return total;
}
