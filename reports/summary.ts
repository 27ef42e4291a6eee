/**
 * The summary tables a coordinator receives: for each deadline occurrence, one row per
 * department (its latest accepted figures), the 总计 row and the departments still missing.
 * A department whose latest version is a 零报告 (nothing to report this period) is submitted, not
 * missing; its row is marked 零报告 with empty figures, not zeros (no activity totals the same, and
 * the row shows what was said) — except cumulative (累计) columns, which carry the department's last
 * reported running total: nothing happened, so the total so far is unchanged, and 总计 keeps it.
 */
import type { ObligationView } from '../workflows/department-shard.messages';
import type { CompiledForm, CompiledPlan } from '../deadlines/timeline';
import { flattenColumns, totalsOf, type FormValues } from '../obligations/form-data';

export interface SummaryRow {
  department: string;
  departmentName: string;
  status: ObligationView['status'];
  submittedAt?: string;
  late: boolean;
  values?: FormValues;
  report?: string;
  attachments: number;
  /** The latest version is a 零报告: nothing to report this period. */
  nothing: boolean;
}

export interface OccurrenceSummary {
  deadline: string;
  title: string;
  occurrence: string;
  due: string;
  form?: CompiledForm;
  rows: SummaryRow[];
  totals?: FormValues;
  missing: string[];
}

export function summarise(plan: CompiledPlan, obligations: readonly ObligationView[]): OccurrenceSummary[] {
  const byKey = new Map(obligations.map((o) => [`${o.occurrence}|${o.department}`, o]));
  const names = new Map(plan.departments.map((d) => [d.id, d.name]));
  const out: OccurrenceSummary[] = [];
  for (const d of plan.deadlines) {
    const form = d.submit.form ? plan.forms.find((f) => f.id === d.submit.form) : undefined;
    const cumulative = form ? flattenColumns(form.columns).filter(({ column }) => column.cumulative).map(({ column }) => column.id) : [];
    d.occurrences.forEach((occ, i) => {
      /** A 零报告's figures: the cumulative columns as last reported before this occurrence, if any. */
      const carried = (dept: string): FormValues | undefined => {
        for (let j = i - 1; j >= 0 && cumulative.length; j--) {
          const v = byKey.get(`${d.occurrences[j]!.key}|${dept}`)?.versions.at(-1)?.values;
          if (v) return Object.fromEntries(cumulative.filter((id) => v[id] !== undefined).map((id) => [id, v[id]!]));
        }
        return undefined;
      };
      const rows: SummaryRow[] = d.departments.map((dept) => {
        const o = byKey.get(`${occ.key}|${dept}`);
        const latest = o?.versions.at(-1);
        return {
          department: dept,
          departmentName: names.get(dept) ?? dept,
          status: o?.status ?? 'pending',
          submittedAt: o?.versions[0]?.receivedAt,
          late: o?.status === 'late',
          values: latest?.nothing ? carried(dept) : latest?.values,
          report: latest?.report,
          attachments: latest?.attachments?.length ?? 0,
          nothing: latest?.nothing === true,
        };
      });
      const submittedRows = rows.filter((r) => r.values);
      out.push({
        deadline: d.id,
        title: d.title,
        occurrence: occ.key,
        due: occ.due,
        form,
        rows,
        totals: form ? totalsOf(form, submittedRows.map((r) => r.values!)) : undefined,
        // An "any time" channel (随时报送) owes nothing: a department that had nothing to report is not missing.
        missing: d.kind === 'open' ? [] : rows.filter((r) => r.status === 'pending').map((r) => r.department),
      });
    });
  }
  return out;
}

/** A cell that a spreadsheet would run as a formula (=, +, -, @, tab, CR) is prefixed with '. */
export function neutraliseCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

function csvCell(v: unknown): string {
  const s = neutraliseCell(Array.isArray(v) ? v.join('、') : v === null || v === undefined ? '' : String(v));
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The word for a row's state in a summary: its status, or 零报告 (with 逾期 when it came late). */
export function rowStatus(r: Pick<SummaryRow, 'status' | 'nothing' | 'late'>): string {
  if (!r.nothing) return r.status;
  return r.late ? '零报告（逾期）' : '零报告';
}

/** CSV of one occurrence (UTF-8 with BOM so Excel opens Chinese text correctly). */
export function summaryCsv(s: OccurrenceSummary): string {
  const cols = s.form ? flattenColumns(s.form.columns).map((c) => c.column) : [];
  const header = ['单位', '状态', '报送时间', ...cols.map((c) => (c.unit ? `${c.label}（${c.unit}）` : c.label))];
  const lines = [header.map(csvCell).join(',')];
  for (const r of s.rows) lines.push([r.departmentName, rowStatus(r), r.submittedAt ?? '', ...cols.map((c) => r.values?.[c.id] ?? '')].map(csvCell).join(','));
  if (s.totals) lines.push(['总计', '', '', ...cols.map((c) => s.totals![c.id] ?? '')].map(csvCell).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** Numeric figures of a totals row, labelled, for emails. */
export function totalsFigures(form: CompiledForm, totals: FormValues): Array<{ label: string; value: string | number; unit?: string }> {
  return flattenColumns(form.columns)
    .filter(({ column }) => column.type === 'count' || column.type === 'amount' || column.type === 'names')
    .map(({ column, parent }) => ({
      label: parent ? `其中：${column.label}` : column.label,
      value: Array.isArray(totals[column.id]) ? (totals[column.id] as string[]).join('、') || '—' : (totals[column.id] as number),
      unit: column.unit,
    }));
}
