/**
 * Problems found in a plan, each pinned to a line and column of the YAML file (1-based), in the
 * form compilers use so that editors can jump to them: `file:line:col: error: message`, or in
 * Chinese `file:line:col: 错误：…` (each diagnostic carries both texts; messages/ has the wording
 * and the rule for choosing the language).
 */
import { type DiagnosticLanguage, type Message } from './messages/core';

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based, in characters (code points) of that line. */
  col: number;
  severity: Severity;
  /** The English text. */
  message: string;
  /** The Chinese text (every diagnostic the plan format makes has one; English stands in without). */
  zh?: string;
  /** The catalogue entry that worded it (messages/), e.g. `file.fullwidthColon`. */
  id?: string;
}

export interface Position {
  line: number;
  col: number;
}

/** Line 1, column 1: where a problem with the file as a whole is reported. */
export const FILE_START: Position = { line: 1, col: 1 };

/** A diagnostic at a position of the plan file. */
export function diagnosticAt(file: string, pos: Position, message: Message, severity: Severity = 'error'): Diagnostic {
  return { file, line: pos.line, col: pos.col, severity, message: message.en, zh: message.zh, id: message.id };
}

/** The diagnostic in English: `file:line:col: error: message`. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col}: ${d.severity}: ${d.message}`;
}

const SEVERITY_ZH: Record<Severity, string> = { error: '错误', warning: '警告' };

/** The diagnostic in a language: English as formatDiagnostic, Chinese as `file:line:col: 错误：…`. */
export function formatDiagnosticIn(d: Diagnostic, language: DiagnosticLanguage): string {
  if (language !== 'zh-CN') return formatDiagnostic(d);
  return `${d.file}:${d.line}:${d.col}: ${SEVERITY_ZH[d.severity]}：${d.zh ?? d.message}`;
}

/** The diagnostic's text alone, in a language. */
export function diagnosticText(d: Diagnostic, language: DiagnosticLanguage): string {
  return language === 'zh-CN' ? (d.zh ?? d.message) : d.message;
}

/** Orders diagnostics by position, errors before warnings at the same spot; stable otherwise. */
export function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  return list
    .map((d, i) => ({ d, i }))
    .sort(
      (a, b) =>
        a.d.line - b.d.line ||
        a.d.col - b.d.col ||
        (a.d.severity === b.d.severity ? 0 : a.d.severity === 'error' ? -1 : 1) ||
        a.i - b.i,
    )
    .map((x) => x.d);
}

/** Removes exact duplicates (same position, severity and message). */
export function dedupeDiagnostics(list: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const d of list) {
    const k = formatDiagnostic(d);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(d);
  }
  return out;
}

/** One line summing up a check, e.g. "plan.yaml: 2 errors, 1 warning". */
export function summarize(file: string, errors: number, warnings: number): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${file}: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}`;
}

/** summarize in a language: "plan.yaml：2 个错误，1 个警告" in Chinese. */
export function summarizeIn(language: DiagnosticLanguage, file: string, errors: number, warnings: number): string {
  return language === 'zh-CN' ? `${file}：${errors} 个错误，${warnings} 个警告` : summarize(file, errors, warnings);
}

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions), for "did you mean". */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  const d: number[][] = Array.from({ length: m + 1 }, (_, i) => Array.from({ length: n + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= m; i++) {
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[m][n];
}

/** The closest candidate to `word`, if it is close enough to be a plausible typo. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const w = word.toLowerCase();
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  if (best === undefined) return undefined;
  const limit = Math.max(1, Math.floor(Math.max(w.length, best.length) / 3));
  return bestDistance <= limit ? best : undefined;
}
