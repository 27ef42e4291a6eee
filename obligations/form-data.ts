/**
 * The figures of a submission checked against the plan's form: types, "其中" sub-columns not above
 * their parent, cumulative figures that went down. obligations/submission-rules.ts (the one home of
 * whether a submission is accepted) delegates the figures here, for the web form, an uploaded XLSX
 * template, the CLI and the workflow's update validator alike.
 *
 * Each problem has a stable code and parameters; its message is written once, here, in the plan's
 * language (zh-CN or en). Pure: workflows import it (the update validator runs it synchronously).
 */
import type { CompiledForm, FormColumn, Language } from '../deadlines/timeline';

/** A department's row of a statistics table: column id -> value. */
export type FormValues = Record<string, number | string | string[] | null>;

/** What can be wrong with one column's figure; `params` of each are in FieldProblemParams. */
export interface FieldProblemParams {
  'unknown-column': { form: string; column: string };
  'not-a-count': { label: string; given: string };
  'number-too-large': { label: string; given: string };
  'not-an-amount': { label: string; unit?: string; given: string };
  'too-many-decimals': { label: string; given: string };
  'not-text': { label: string };
  'text-too-long': { label: string; max: number };
  'name-too-long': { label: string; max: number };
  'of-which-above-parent': { label: string; value: number; parent: string; parentValue: number };
  'cumulative-decreased': { label: string; value: number; before: number };
}
export type FieldProblemCode = keyof FieldProblemParams;

export interface FieldProblem {
  /** Column id. */
  field: string;
  code: FieldProblemCode;
  params: FieldProblemParams[FieldProblemCode];
  /** In the department's terms and the plan's language, naming the column by its label. */
  message: string;
}

const FIELD_TEXTS: { [C in FieldProblemCode]: Record<Language, (p: FieldProblemParams[C]) => string> } = {
  'unknown-column': {
    'zh-CN': (p) => `表格《${p.form}》没有“${p.column}”这一栏`,
    en: (p) => `the table 《${p.form}》 has no column '${p.column}'`,
  },
  'not-a-count': {
    'zh-CN': (p) => `「${p.label}」须为非负整数（填写了“${p.given}”）`,
    en: (p) => `「${p.label}」 must be a whole number, 0 or more (given: '${p.given}')`,
  },
  'number-too-large': {
    'zh-CN': (p) => `「${p.label}」数值过大（${p.given}）`,
    en: (p) => `「${p.label}」 is too large (${p.given})`,
  },
  'not-an-amount': {
    'zh-CN': (p) => `「${p.label}」须为非负数${p.unit ? `（单位：${p.unit}）` : ''}（填写了“${p.given}”）`,
    en: (p) => `「${p.label}」 must be a number, 0 or more${p.unit ? ` (in ${p.unit})` : ''} (given: '${p.given}')`,
  },
  'too-many-decimals': {
    'zh-CN': (p) => `「${p.label}」最多保留四位小数（填写了“${p.given}”）`,
    en: (p) => `「${p.label}」 takes at most four decimals (given: '${p.given}')`,
  },
  'not-text': {
    'zh-CN': (p) => `「${p.label}」须为文字`,
    en: (p) => `「${p.label}」 must be text`,
  },
  'text-too-long': {
    'zh-CN': (p) => `「${p.label}」不超过${p.max}字`,
    en: (p) => `「${p.label}」 takes at most ${p.max} characters`,
  },
  'name-too-long': {
    'zh-CN': (p) => `「${p.label}」每个名称不超过${p.max}字`,
    en: (p) => `「${p.label}」: each name takes at most ${p.max} characters`,
  },
  'of-which-above-parent': {
    'zh-CN': (p) => `「其中：${p.label}」（${p.value}）不能大于「${p.parent}」（${p.parentValue}）`,
    en: (p) => `「of which: ${p.label}」 (${p.value}) cannot be more than 「${p.parent}」 (${p.parentValue})`,
  },
  'cumulative-decreased': {
    'zh-CN': (p) => `「${p.label}」为累计数，本次（${p.value}）小于上次报送的${p.before}，请核实后确认`,
    en: (p) => `「${p.label}」 is cumulative: ${p.value} is less than the ${p.before} submitted last time; check it, then confirm`,
  },
};

/** A field problem with its message in `language`. */
export function fieldProblem<C extends FieldProblemCode>(field: string, code: C, params: FieldProblemParams[C], language: Language): FieldProblem {
  return { field, code, params, message: FIELD_TEXTS[code][language](params) };
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

type Normalised = { value: number | string | string[] | null; problem?: { code: FieldProblemCode; params: FieldProblemParams[FieldProblemCode] } };

function normalise(column: FormColumn, raw: unknown): Normalised {
  if (raw === undefined || raw === null || raw === '') return { value: null };
  const label = column.label;
  const given = String(raw);
  switch (column.type) {
    case 'count': {
      const n = typeof raw === 'number' ? raw : Number(String(raw).trim().replace(/,/g, ''));
      if (!Number.isFinite(n) || !Number.isInteger(n) || n < 0) return { value: null, problem: { code: 'not-a-count', params: { label, given } } };
      if (n > 1e12) return { value: null, problem: { code: 'number-too-large', params: { label, given } } };
      return { value: n };
    }
    case 'amount': {
      const n = typeof raw === 'number' ? raw : Number(String(raw).trim().replace(/,/g, ''));
      if (!Number.isFinite(n) || n < 0) return { value: null, problem: { code: 'not-an-amount', params: { label, ...(column.unit ? { unit: column.unit } : {}), given } } };
      if (Math.round(n * 10000) !== n * 10000) return { value: null, problem: { code: 'too-many-decimals', params: { label, given } } };
      return { value: n };
    }
    case 'text': {
      if (typeof raw !== 'string' && typeof raw !== 'number') return { value: null, problem: { code: 'not-text', params: { label } } };
      const s = String(raw).trim();
      if (s.length > 2000) return { value: null, problem: { code: 'text-too-long', params: { label, max: 2000 } } };
      return { value: s };
    }
    case 'names': {
      const list = Array.isArray(raw) ? raw.map(String) : String(raw).split(NAME_SEPARATORS);
      const names = [...new Set(list.map((s) => s.trim()).filter(Boolean))];
      if (names.some((n) => n.length > 100)) return { value: null, problem: { code: 'name-too-long', params: { label, max: 100 } } };
      return { value: names };
    }
  }
}

/**
 * Checks a row against the form: types, non-negative numbers, "其中" sub-columns not above their
 * parent, unknown columns; and, given the department's previous accepted row, cumulative figures
 * that decrease (a warning, unless `confirmedDecreases` lists the column). Messages are in
 * `language` (the plan's, campaign.language).
 */
export function checkFormValues(form: CompiledForm, raw: Record<string, unknown>, previous?: FormValues, confirmedDecreases: readonly string[] = [], language: Language = 'zh-CN'): FormCheck {
  const errors: FieldProblem[] = [];
  const warnings: FieldProblem[] = [];
  const values: FormValues = {};
  const all = flattenColumns(form.columns);
  const known = new Set(all.map((c) => c.column.id));
  for (const key of Object.keys(raw)) {
    if (!known.has(key)) errors.push(fieldProblem(key, 'unknown-column', { form: form.title, column: key }, language));
  }
  for (const { column } of all) {
    const { value, problem } = normalise(column, raw[column.id]);
    values[column.id] = value;
    if (problem) errors.push(fieldProblem(column.id, problem.code, problem.params as never, language));
  }
  for (const { column, parent } of all) {
    if (!parent) continue;
    const v = values[column.id];
    const p = values[parent.id];
    if (typeof v === 'number' && typeof p === 'number' && v > p) {
      errors.push(fieldProblem(column.id, 'of-which-above-parent', { label: column.label, value: v, parent: parent.label, parentValue: p }, language));
    }
  }
  if (previous) {
    for (const { column } of all) {
      if (!column.cumulative) continue;
      const v = values[column.id];
      const before = previous[column.id];
      if (typeof v === 'number' && typeof before === 'number' && v < before && !confirmedDecreases.includes(column.id)) {
        warnings.push(fieldProblem(column.id, 'cumulative-decreased', { label: column.label, value: v, before }, language));
      }
    }
  }
  return { values, errors, warnings };
}

/** Whether a normalised row holds any figure or text at all (an untouched web form does not). */
export function isFilled(values: FormValues): boolean {
  return Object.values(values).some((v) => v !== null && !(Array.isArray(v) && v.length === 0));
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
