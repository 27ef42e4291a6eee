import { ExitCode } from './errors';
import { formatDiagnostic, summarize } from '../deadlines/diagnostics';
import { loadPlanFile } from '../deadlines/load';
import type { CompiledPlan } from '../deadlines/timeline';
import { terminalText } from './terminal-text';

/**
 * Loads a plan for a verb that needs a valid one (preview, start, amend): warnings and errors go
 * to stderr as `file:line:col`, so stdout stays the verb's result. Returns undefined (exit code 1
 * set) when the plan has errors.
 */
export function loadPlanOrReport(file: string): CompiledPlan | undefined {
  const result = loadPlanFile(file);
  // A diagnostic quotes the plan's text: its control characters escaped.
  for (const w of result.warnings) process.stderr.write(`${terminalText(formatDiagnostic(w))}\n`);
  if (!result.ok) {
    for (const e of result.errors) process.stderr.write(`${terminalText(formatDiagnostic(e))}\n`);
    process.stderr.write(`${summarize(file, result.errors.length, result.warnings.length)}\n`);
    process.exitCode = ExitCode.invalid;
    return undefined;
  }
  return result.plan;
}
