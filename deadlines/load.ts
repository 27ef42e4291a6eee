/**
 * Loading a plan: text or file → compiled timeline, or every problem found, each as
 * `file:line:col` with its text in English and Chinese (messages/). Never throws, whatever the
 * file holds (binary data, 10 MB, alias bombs, deep nesting): anything unexpected becomes one
 * diagnostic at 1:1. The result also says which language the plan states (campaign.language),
 * read even from a file YAML cannot read, for choosing the diagnostics' language
 * (messages/language.ts).
 */
import { readFileSync, statSync } from 'node:fs';
import { checkReferences, compilePlan } from './compile';
import { dedupeDiagnostics, type Diagnostic, diagnosticAt, FILE_START, sortDiagnostics } from './diagnostics';
import type { Message } from './messages/core';
import { FILE_MESSAGES as M } from './messages/file';
import { statedLanguage } from './messages/language';
import { checkPlanText, checkStructure, decodePlanBytes, MAX_PLAN_BYTES, parseYaml, TOO_DEEP } from './parse';
import type { CompiledPlan, Language } from './timeline';

export type LoadResult = (
  | { ok: true; plan: CompiledPlan; warnings: Diagnostic[]; source: unknown }
  | { ok: false; errors: Diagnostic[]; warnings: Diagnostic[] }
) & {
  /** The language the plan states under campaign: (language:), if it states one. */
  language?: Language;
};

function fail(file: string, message: Message, warnings: Diagnostic[] = []): LoadResult {
  return { ok: false, errors: [diagnosticAt(file, FILE_START, message)], warnings };
}

/** More problems than this are summed up in one last diagnostic (a real plan never gets near it). */
export const MAX_DIAGNOSTICS = 200;

function cap(list: Diagnostic[], what: 'error' | 'warning'): Diagnostic[] {
  if (list.length <= MAX_DIAGNOSTICS) return list;
  const rest = list.length - MAX_DIAGNOSTICS;
  const last = list[MAX_DIAGNOSTICS - 1];
  const more = M.moreNotShown(rest, what);
  return [...list.slice(0, MAX_DIAGNOSTICS), { ...last, message: more.en, zh: more.zh, id: more.id }];
}

function finish(errors: Diagnostic[], warnings: Diagnostic[]): { errors: Diagnostic[]; warnings: Diagnostic[] } {
  return {
    errors: cap(sortDiagnostics(dedupeDiagnostics(errors)), 'error'),
    warnings: cap(sortDiagnostics(dedupeDiagnostics(warnings)), 'warning'),
  };
}

/** Checks and compiles plan text. `file` is only used in diagnostics. */
export function loadPlanText(text: string, file: string): LoadResult {
  return withLanguage(loadText(text, file), typeof text === 'string' ? text : '');
}

function loadText(text: string, file: string): LoadResult {
  try {
    const bad = checkPlanText(text, file);
    if (bad) return { ok: false, errors: [bad], warnings: [] };
    return loadChecked(text.replace(/^\uFEFF/, ''), file);
  } catch (err) {
    return fail(file, unexpected(err));
  }
}

/** The result with the language the plan states (from the compiled plan's source, else from its text). */
function withLanguage(result: LoadResult, text: string): LoadResult {
  const source = result.ok ? (result.source as { campaign?: { language?: unknown } } | null) : undefined;
  const stated = source?.campaign?.language;
  const language = stated === 'zh-CN' || stated === 'en' ? stated : result.ok ? undefined : statedLanguage(text);
  return language ? { ...result, language } : result;
}

/** Reads, checks and compiles a plan file. */
export function loadPlanFile(path: string): LoadResult {
  try {
    let size: number;
    try {
      const st = statSync(path);
      if (st.isDirectory()) return fail(path, M.directory());
      if (!st.isFile()) return fail(path, M.notRegularFile());
      size = st.size;
    } catch (err) {
      return fail(path, fileError(err));
    }
    if (size > MAX_PLAN_BYTES) {
      return fail(path, M.fileTooBig(`${(size / 1024 / 1024).toFixed(1)} MB`));
    }
    let buf: Buffer;
    try {
      buf = readFileSync(path);
    } catch (err) {
      return fail(path, fileError(err));
    }
    const decoded = decodePlanBytes(buf, path);
    // A file that is not UTF-8 still states its language (language: zh-CN) in ASCII, or in UTF-16.
    if ('error' in decoded) return withLanguage({ ok: false, errors: [decoded.error], warnings: [] }, anyText(buf));
    return loadPlanText(decoded.text, path);
  } catch (err) {
    return fail(path, unexpected(err));
  }
}

function loadChecked(text: string, file: string): LoadResult {
  const parsed = parseYaml(text, file);
  const errors = [...parsed.errors];
  const warnings = [...parsed.warnings];
  if (parsed.data === undefined || errors.some((e) => e.id !== 'file.duplicateKey')) {
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

/** Bytes that are not UTF-8 as text enough to find `language: zh-CN` in: UTF-16 by its mark, else one byte a character. */
function anyText(buf: Buffer): string {
  if (buf[0] === 0xff && buf[1] === 0xfe) return new TextDecoder('utf-16le').decode(buf);
  if (buf[0] === 0xfe && buf[1] === 0xff) return new TextDecoder('utf-16be').decode(buf);
  return buf.toString('latin1');
}

function fileError(err: unknown): Message {
  const code = (err as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT':
      return M.noSuchFile();
    case 'EACCES':
    case 'EPERM':
      return M.permissionDenied();
    case 'EISDIR':
      return M.directory();
    default:
      return M.cannotRead((err as Error)?.message ?? String(err));
  }
}

function unexpected(err: unknown): Message {
  if (err instanceof RangeError && /call stack/i.test(err.message)) return TOO_DEEP();
  const msg = err instanceof Error ? err.message : String(err);
  return M.internalError(msg.split('\n')[0]);
}
