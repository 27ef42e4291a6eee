import type { Command } from 'commander';
import { ExitCode } from '../errors';
import { type Diagnostic, formatDiagnostic, summarize } from '../../deadlines/diagnostics';
import { loadPlanFile } from '../../deadlines/load';
import { terminalJson, terminalText } from '../terminal-text';

/** `campaign validate <plan> [--json]`: every problem of a plan as file:line:col, exit 1 on errors. */
export function register(program: Command): void {
  program
    .command('validate')
    .description('check a campaign plan (YAML): prints every problem as file:line:col, exits 1 if there are errors')
    .argument('<plan>', 'the plan file, e.g. definitions/shanxi-2024.yaml')
    .option('--json', 'print the diagnostics as JSON')
    .action((file: string, opts: { json?: boolean }) => {
      const result = loadPlanFile(file);
      const errors: Diagnostic[] = result.ok ? [] : result.errors;
      const warnings = result.warnings;
      if (opts.json) {
        const out = {
          ok: result.ok,
          file,
          errors,
          warnings,
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
          .map((d) => terminalText(formatDiagnostic(d)));
        if (lines.length) process.stdout.write(`${lines.join('\n')}\n`);
        if (result.ok) {
          const p = result.plan;
          const occurrences = p.deadlines.reduce((s, d) => s + d.occurrences.length, 0);
          const obligations = p.deadlines.reduce((s, d) => s + d.occurrences.length * d.departments.length, 0);
          const warned = warnings.length ? `; ${warnings.length} warning${warnings.length === 1 ? '' : 's'}` : '';
          process.stdout.write(
            `${file}: OK — campaign ${p.campaign.id}: ${p.deadlines.length} deadlines, ${p.departments.length} departments, ${occurrences} occurrences, ${obligations} obligations${warned}\n`,
          );
        } else {
          process.stdout.write(`${summarize(file, errors.length, warnings.length)}\n`);
        }
      }
      if (!result.ok) process.exitCode = ExitCode.invalid;
    });
}
