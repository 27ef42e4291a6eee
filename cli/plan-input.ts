import { diagnosticLanguage, parseLanguageOption } from '../deadlines/messages/language';
import type { DiagnosticLanguage } from '../deadlines/messages/core';
import { formatDiagnosticIn, summarizeIn } from '../deadlines/diagnostics';
import { type LoadResult, loadPlanFile } from '../deadlines/load';
import type { CompiledPlan } from '../deadlines/timeline';
import { ExitCode, UserError } from './errors';
import { terminalText } from './terminal-text';

/** The help text of the --lang option of the verbs that check a plan. */
export const LANG_OPTION_HELP = "the language of the plan's diagnostics: en or zh-CN (default: zh-CN when the plan states language: zh-CN or your locale is Chinese, else en)";

/**
 * The language a plan's diagnostics are printed in: the --lang option, else Chinese when the plan
 * states language: zh-CN or the locale (LC_ALL, LC_MESSAGES, LANG, else the system's) is Chinese,
 * else English (deadlines/messages/language.ts). An unknown --lang is a usage error.
 */
export function chosenLanguage(option: string | undefined, result: LoadResult): DiagnosticLanguage {
  const explicit = parseLanguageOption(option);
  if (option !== undefined && !explicit) throw new UserError(`--lang: '${option}' is not a language this command speaks; use en or zh-CN`, ExitCode.usage);
  return diagnosticLanguage({
    option: explicit,
    planLanguage: result.language,
    env: process.env,
    systemLocale: Intl.DateTimeFormat().resolvedOptions().locale,
  });
}

/**
 * Loads a plan for a verb that needs a valid one (preview, start, amend): warnings and errors go
 * to stderr as `file:line:col`, in the language chosenLanguage picks, so stdout stays the verb's
 * result. Returns undefined (exit code 1 set) when the plan has errors.
 */
export function loadPlanOrReport(file: string, lang?: string): CompiledPlan | undefined {
  const result = loadPlanFile(file);
  const language = chosenLanguage(lang, result);
  // A diagnostic quotes the plan's text: its control characters escaped.
  for (const w of result.warnings) process.stderr.write(`${terminalText(formatDiagnosticIn(w, language))}\n`);
  if (!result.ok) {
    for (const e of result.errors) process.stderr.write(`${terminalText(formatDiagnosticIn(e, language))}\n`);
    process.stderr.write(`${summarizeIn(language, file, result.errors.length, result.warnings.length)}\n`);
    process.exitCode = ExitCode.invalid;
    return undefined;
  }
  return result.plan;
}
