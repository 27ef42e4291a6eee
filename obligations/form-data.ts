/**
 * The figures of a submission checked against the plan's form: types, "其中" sub-columns not above
 * their parent, cumulative figures that went down. obligations/submission-rules.ts (the one home of
 * whether a submission is accepted) delegates the figures here, for the web form, an uploaded XLSX
 * template, the CLI and the workflow's update validator alike.
 *
 * The one home of how a number may be written (readNumber, worded by numberNotationRule): plain
 * digits, strictly. A figure already typed as a number (JSON, YAML, an Excel number cell) is taken
 * as it is; text (the web form, an Excel text cell, a quoted YAML value) is read by the rule.
 *
 * Each problem has a stable code and parameters; its message is written once, here, in the plan's
 * language (zh-CN or en). Pure: workflows import it (the update validator runs it synchronously).
 */
import type { CompiledForm, FormColumn, Language } from '../deadlines/timeline';
import { cutGraphemes, revealInvisibleMarks, withoutInvisibleMarks } from './typed-text';

/** A department's row of a statistics table: column id -> value. */
export type FormValues = Record<string, number | string | string[] | null>;

/** What can be wrong with one column's figure; `params` of each are in FieldProblemParams. */
export interface FieldProblemParams {
  'unknown-column': { form: string; column: string };
  'not-a-count': { label: string; given: string };
  'number-too-large': { label: string; given: string; max: number; unit?: string };
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
    'zh-CN': (p) => `「${p.label}」须为非负整数（填写了“${p.given}”）：${numberNotationRule('zh-CN', 'count')}`,
    en: (p) => `「${p.label}」 must be a whole number, 0 or more (given: '${p.given}'): ${numberNotationRule('en', 'count')}`,
  },
  'number-too-large': {
    'zh-CN': (p) => `「${p.label}」数值过大（填写了“${p.given}”），不得超过 ${grouped(p.max)}${p.unit ?? ''}`,
    en: (p) => `「${p.label}」 is too large (given: '${p.given}'): at most ${grouped(p.max)}${p.unit ? ` ${p.unit}` : ''}`,
  },
  'not-an-amount': {
    'zh-CN': (p) => `「${p.label}」须为非负数${p.unit ? `（单位：${p.unit}）` : ''}（填写了“${p.given}”）：${numberNotationRule('zh-CN', 'amount')}`,
    en: (p) => `「${p.label}」 must be a number, 0 or more${p.unit ? ` (in ${p.unit})` : ''} (given: '${p.given}'): ${numberNotationRule('en', 'amount')}`,
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

// --- how a number is written --------------------------------------------------------------------

/** The largest count accepted (一亿): more than any department counts of people, fairs or jobs. */
export const COUNT_MAX = 100_000_000;
/**
 * The largest amount accepted (一百亿, in the column's unit), with AMOUNT_DECIMALS decimals: every
 * such amount times 10⁴ is an exact integer in a double, so sums stay exact to the last decimal.
 */
export const AMOUNT_MAX = 10_000_000_000;
export const AMOUNT_DECIMALS = 4;

/** 12345678 as "12,345,678". */
export const grouped = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: AMOUNT_DECIMALS });

const NOTATION: Record<Language, Record<'count' | 'amount', string>> = {
  'zh-CN': {
    count: `只写数字（全角数字亦可），0 至 ${grouped(COUNT_MAX)}；可用逗号每三位分隔（如 12,345），不写正负号、小数点、空格、字母或指数`,
    amount: `只写数字和小数点（全角亦可），0 至 ${grouped(AMOUNT_MAX)}，最多${AMOUNT_DECIMALS}位小数；可用逗号每三位分隔（如 12,345.67），不写正负号、空格、字母或指数`,
  },
  en: {
    count: `digits only (full-width digits too), from 0 to ${grouped(COUNT_MAX)}; commas may separate groups of three digits (12,345); no sign, decimal point, spaces, letters or exponent`,
    amount: `digits and a decimal point only (full-width too), from 0 to ${grouped(AMOUNT_MAX)}, at most ${AMOUNT_DECIMALS} decimals; commas may separate groups of three digits (12,345.67); no sign, spaces, letters or exponent`,
  },
};

/**
 * How a figure is written, in the plan's language: what a refusal of one quotes, and what a page or
 * a template may show next to the field.
 */
export function numberNotationRule(language: Language, type: 'count' | 'amount'): string {
  return NOTATION[language][type];
}

/** Full-width digits, comma and full stop (０-９ ， ．) as their ASCII forms. */
const FULL_WIDTH = /[\uff10-\uff19\uff0c\uff0e]/g;
/**
 * Digits, either plain or in groups of three after a first group of one to three (1,000 and
 * 12,345,678; never 1,00, ,100 or 1000,000), then for an amount a point and at least one digit.
 */
const NOTATION_PATTERN = /^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?$/;

/** What a figure reads as: its value, or why it cannot be one. */
export type NumberReading = { ok: true; value: number } | { ok: false; why: 'notation' | 'decimals' | 'too-large' };

/**
 * A figure by the rule numberNotationRule words. A number is taken as it is (a whole number for a
 * count, at most AMOUNT_DECIMALS decimals for an amount, 0 up to the type's maximum); text is read
 * strictly: surrounding spaces aside, decimal digits only (full-width ones converted), commas only
 * between groups of three digits, a decimal point only in an amount — no sign, exponent, hex,
 * letters or inner spaces. Anything else (a boolean, a list) is not a figure.
 */
export function readNumber(raw: unknown, type: 'count' | 'amount'): NumberReading {
  let value: number;
  let decimals = 0;
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw) || raw < 0) return { ok: false, why: 'notation' };
    if (type === 'count' && !Number.isInteger(raw)) return { ok: false, why: 'notation' };
    value = raw === 0 ? 0 : raw;
    // As JavaScript writes the number back (12.3456, not 12.3456 × 10⁴ = 123455.99999999999).
    const written = String(value);
    decimals = Number.isInteger(value) ? 0 : written.includes('e') ? AMOUNT_DECIMALS + 1 : written.length - written.indexOf('.') - 1;
  } else if (typeof raw === 'string') {
    const text = raw.trim().replace(FULL_WIDTH, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
    const m = NOTATION_PATTERN.exec(text);
    if (!m || (type === 'count' && m[1] !== undefined)) return { ok: false, why: 'notation' };
    value = Number(text.replace(/,/g, ''));
    decimals = m[1]?.length ?? 0;
  } else {
    return { ok: false, why: 'notation' };
  }
  if (decimals > AMOUNT_DECIMALS) return { ok: false, why: 'decimals' };
  if (value > (type === 'count' ? COUNT_MAX : AMOUNT_MAX)) return { ok: false, why: 'too-large' };
  return { ok: true, value };
}

/**
 * How a figure read before this rule (a release that took whatever Number() took, commas removed):
 * only for the submit handler replaying a history recorded then (valuesAsRecorded).
 */
function readNumberAsBefore(raw: unknown, type: 'count' | 'amount'): number | null {
  const n = typeof raw === 'number' ? raw : Number(String(raw).trim().replace(/,/g, ''));
  if (!Number.isFinite(n) || n < 0) return null;
  if (type === 'count') return Number.isInteger(n) && n <= 1e12 ? n : null;
  return Math.round(n * 10000) === n * 10000 ? n : null;
}

// --- one column --------------------------------------------------------------------------------

const NAME_SEPARATORS = /[、,，;；\n]+/;

/** The given figure as a message quotes it: at most 40 characters, invisible marks shown. */
const quoted = (raw: unknown) => {
  const s = String(raw);
  const cut = cutGraphemes(s, { chars: 40 });
  return revealInvisibleMarks(cut === s ? s : `${cut}…`);
};

type Normalised = { value: number | string | string[] | null; problem?: { code: FieldProblemCode; params: FieldProblemParams[FieldProblemCode] } };

function normalise(column: FormColumn, raw: unknown): Normalised {
  if (raw === undefined || raw === null || raw === '') return { value: null };
  const label = column.label;
  switch (column.type) {
    case 'count':
    case 'amount': {
      const read = readNumber(raw, column.type);
      if (read.ok) return { value: read.value };
      const given = quoted(raw);
      const unit = column.unit ? { unit: column.unit } : {};
      if (read.why === 'too-large') return { value: null, problem: { code: 'number-too-large', params: { label, given, max: column.type === 'count' ? COUNT_MAX : AMOUNT_MAX, ...unit } } };
      if (read.why === 'decimals') return { value: null, problem: { code: 'too-many-decimals', params: { label, given } } };
      return { value: null, problem: column.type === 'count' ? { code: 'not-a-count', params: { label, given } } : { code: 'not-an-amount', params: { label, ...unit, given } } };
    }
    case 'text': {
      if (typeof raw !== 'string' && typeof raw !== 'number') return { value: null, problem: { code: 'not-text', params: { label } } };
      const s = String(raw).trim();
      if (s.length > 2000) return { value: null, problem: { code: 'text-too-long', params: { label, max: 2000 } } };
      return { value: s };
    }
    case 'names': {
      // A name is shown as it is written: no bidi control or zero-width character may disguise it.
      const list = Array.isArray(raw) ? raw.map(String) : String(raw).split(NAME_SEPARATORS);
      const names = [...new Set(list.map((s) => withoutInvisibleMarks(s).trim()).filter(Boolean))];
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

/**
 * The figures the submit handler records: checkFormValues's, and where it refuses a spelling an
 * earlier release took (0x20, 1e2, +50, a count over COUNT_MAX — the validator refuses them now,
 * so only a history recorded before reaches the handler with one) the value that release
 * recorded, so that replaying such a history rebuilds the same state.
 */
export function valuesAsRecorded(form: CompiledForm, raw: Record<string, unknown>): FormValues {
  const { values } = checkFormValues(form, raw);
  for (const { column } of flattenColumns(form.columns)) {
    const given = raw[column.id];
    if (values[column.id] !== null || given === undefined || given === null || given === '') continue;
    if (column.type === 'count' || column.type === 'amount') values[column.id] = readNumberAsBefore(given, column.type);
  }
  return values;
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
