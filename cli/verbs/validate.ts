import type { Command } from 'commander';
import { ExitCode } from '../errors';
import { type Diagnostic, diagnosticText, formatDiagnosticIn, summarizeIn } from '../../deadlines/diagnostics';
import { loadPlanFile } from '../../deadlines/load';
import type { DiagnosticLanguage } from '../../deadlines/messages/core';
import type { CompiledPlan } from '../../deadlines/timeline';
import { chosenLanguage, LANG_OPTION_HELP } from '../plan-input';
import { terminalJson, terminalText } from '../terminal-text';

/**
 * `campaign validate <plan> [--json] [--lang en|zh-CN]`: every problem of a plan as file:line:col,
 * in English or Chinese (plan-input.ts says which), exit 1 on errors.
 */
export function register(program: Command): void {
  program
    .command('validate')
    .description('check a campaign plan (YAML): prints every problem as file:line:col, exits 1 if there are errors')
    .argument('<plan>', 'the plan file, e.g. definitions/shanxi-2024.yaml')
    .option('--json', 'print the diagnostics as JSON')
    .option('--lang <language>', LANG_OPTION_HELP)
    .action((file: string, opts: { json?: boolean; lang?: string }) => {
      const result = loadPlanFile(file);
      const language = chosenLanguage(opts.lang, result);
      const errors: Diagnostic[] = result.ok ? [] : result.errors;
      const warnings = result.warnings;
      if (opts.json) {
        // Each diagnostic's message in the chosen language, with the id of its catalogue entry.
        const json = (d: Diagnostic) => ({ file: d.file, line: d.line, col: d.col, severity: d.severity, id: d.id, message: diagnosticText(d, language) });
        const out = {
          ok: result.ok,
          file,
          language,
          errors: errors.map(json),
          warnings: warnings.map(json),
          ...(result.ok
            ? {
                campaign: result.plan.campaign.id,
                deadlines: result.plan.deadlines.length,
                departments: result.plan.departments.length,
              }
            : {}),
        };
        process.stdout.write(`${terminalJson(out)}\n`);
      } else {
        const lines = [...errors, ...warnings]
          .sort((a, b) => a.line - b.line || a.col - b.col || (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1))
          // A diagnostic quotes the plan's text: one line each, its control characters escaped.
          .map((d) => terminalText(formatDiagnosticIn(d, language)));
        if (lines.length) process.stdout.write(`${lines.join('\n')}\n`);
        if (result.ok) process.stdout.write(`${okLine(language, file, result.plan, warnings.length)}\n`);
        else process.stdout.write(`${summarizeIn(language, file, errors.length, warnings.length)}\n`);
      }
      if (!result.ok) process.exitCode = ExitCode.invalid;
    });
}

/** The line that says a plan is valid, with what it holds. */
function okLine(language: DiagnosticLanguage, file: string, p: CompiledPlan, warnings: number): string {
  const occurrences = p.deadlines.reduce((s, d) => s + d.occurrences.length, 0);
  const obligations = p.deadlines.reduce((s, d) => s + d.occurrences.length * d.departments.length, 0);
  if (language === 'zh-CN') {
    const warned = warnings ? `；${warnings} 个警告` : '';
    return `${file}：通过 — 活动 ${p.campaign.id}：${p.deadlines.length} 项截止事项，${p.departments.length} 个单位，${occurrences} 次截止，${obligations} 项报送${warned}`;
  }
  const warned = warnings ? `; ${warnings} warning${warnings === 1 ? '' : 's'}` : '';
  return `${file}: OK — campaign ${p.campaign.id}: ${p.deadlines.length} deadlines, ${p.departments.length} departments, ${occurrences} occurrences, ${obligations} obligations${warned}`;
}
