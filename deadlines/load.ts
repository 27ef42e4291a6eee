/**
 * Loading a plan: text or file → compiled timeline, or every problem found, each as
 * `file:line:col`. Never throws, whatever the file holds (binary data, 10 MB, alias bombs, deep
 * nesting): anything unexpected becomes one diagnostic at 1:1.
 */
import { readFileSync, statSync } from 'node:fs';
import { checkReferences, compilePlan } from './compile';
import { dedupeDiagnostics, type Diagnostic, diagnosticAt, FILE_START, sortDiagnostics } from './diagnostics';
import { checkPlanText, checkStructure, decodePlanBytes, MAX_PLAN_BYTES, parseYaml, TOO_DEEP } from './parse';
import type { CompiledPlan } from './timeline';

export type LoadResult =
  | { ok: true; plan: CompiledPlan; warnings: Diagnostic[]; source: unknown }
  | { ok: false; errors: Diagnostic[]; warnings: Diagnostic[] };

function fail(file: string, message: string, warnings: Diagnostic[] = []): LoadResult {
  return { ok: false, errors: [diagnosticAt(file, FILE_START, message)], warnings };
}

/** More problems than this are summed up in one last diagnostic (a real plan never gets near it). */
export const MAX_DIAGNOSTICS = 200;

function cap(list: Diagnostic[], what: string): Diagnostic[] {
  if (list.length <= MAX_DIAGNOSTICS) return list;
  const rest = list.length - MAX_DIAGNOSTICS;
  const last = list[MAX_DIAGNOSTICS - 1];
  return [
    ...list.slice(0, MAX_DIAGNOSTICS),
    { ...last, message: `… and ${rest} more ${what}${rest === 1 ? '' : 's'} after this line, not shown; fix these first` },
  ];
}

function finish(errors: Diagnostic[], warnings: Diagnostic[]): { errors: Diagnostic[]; warnings: Diagnostic[] } {
  return {
    errors: cap(sortDiagnostics(dedupeDiagnostics(errors)), 'error'),
    warnings: cap(sortDiagnostics(dedupeDiagnostics(warnings)), 'warning'),
  };
}

/** Checks and compiles plan text. `file` is only used in diagnostics. */
export function loadPlanText(text: string, file: string): LoadResult {
  try {
    const bad = checkPlanText(text, file);
    if (bad) return { ok: false, errors: [bad], warnings: [] };
    return loadChecked(text.replace(/^\uFEFF/, ''), file);
  } catch (err) {
    return fail(file, unexpected(err));
  }
}

/** Reads, checks and compiles a plan file. */
export function loadPlanFile(path: string): LoadResult {
  try {
    let size: number;
    try {
      const st = statSync(path);
      if (st.isDirectory()) return fail(path, 'this is a directory; give the path of a plan file (.yaml)');
      if (!st.isFile()) return fail(path, 'this is not a regular file; give the path of a plan file (.yaml)');
      size = st.size;
    } catch (err) {
      return fail(path, fileError(err));
    }
    if (size > MAX_PLAN_BYTES) {
      return fail(path, `the file is ${(size / 1024 / 1024).toFixed(1)} MB; a plan may be at most 1 MB — is this the right file?`);
    }
    let buf: Buffer;
    try {
      buf = readFileSync(path);
    } catch (err) {
      return fail(path, fileError(err));
    }
    const decoded = decodePlanBytes(buf, path);
    if ('error' in decoded) return { ok: false, errors: [decoded.error], warnings: [] };
    return loadPlanText(decoded.text, path);
  } catch (err) {
    return fail(path, unexpected(err));
  }
}

function loadChecked(text: string, file: string): LoadResult {
  const parsed = parseYaml(text, file);
  const errors = [...parsed.errors];
  const warnings = [...parsed.warnings];
  if (parsed.data === undefined || errors.some((e) => !e.message.startsWith('duplicate key'))) {
    return { ok: false, ...finish(errors, warnings) };
  }
  const data = parsed.data;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return { ok: false, ...finish(errors, warnings) };

  const ctx = { file, locate: parsed.locate };
  const structure = checkStructure(data, parsed.locate, file);
  append(errors, structure.errors);
  append(errors, checkReferences(data, ctx));
  if (!structure.plan) return { ok: false, ...finish(errors, warnings) };

  const compiled = compilePlan(structure.plan, ctx);
  append(errors, compiled.errors);
  append(warnings, compiled.warnings);
  if (errors.length > 0 || !compiled.plan) return { ok: false, ...finish(errors, warnings) };
  return { ok: true, plan: compiled.plan, warnings: finish([], warnings).warnings, source: data };
}

/** push(...items) overflows the stack for very long lists (a plan with 100,000 mistakes). */
function append<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}

function fileError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file; check the path (plans usually live under definitions/)';
    case 'EACCES':
    case 'EPERM':
      return 'the file cannot be read (permission denied)';
    case 'EISDIR':
      return 'this is a directory; give the path of a plan file (.yaml)';
    default:
      return `the file cannot be read: ${(err as Error)?.message ?? String(err)}`;
  }
}

function unexpected(err: unknown): string {
  if (err instanceof RangeError && /call stack/i.test(err.message)) {
    return TOO_DEEP;
  }
  const msg = err instanceof Error ? err.message : String(err);
  return `the plan could not be checked because of an internal error (${msg.split('\n')[0]}); please report it with the plan attached`;
}
