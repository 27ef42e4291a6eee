import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ExitCode } from '../errors';
import { LANG_OPTION_HELP, loadPlanOrReport } from '../plan-input';
import { terminalJson, terminalValues } from '../terminal-text';
import { departmentCalendars, previewJson, previewText } from '../../deadlines/preview';

/** `campaign preview <plan> [--json] [--ics DIR] [--lang en|zh-CN]`: the timeline a plan compiles to. */
export function register(program: Command): void {
  program
    .command('preview')
    .description('show the timeline a campaign plan compiles to: reminders, deadlines and escalations by date')
    .argument('<plan>', 'the plan file, e.g. definitions/shanxi-2024.yaml')
    .option('--json', 'print the campaign and one obligation per deadline occurrence and department, as JSON')
    .option('--ics <dir>', 'also write one calendar file per department: <dir>/<department-id>.ics')
    .option('--lang <language>', LANG_OPTION_HELP)
    .action((file: string, opts: { json?: boolean; ics?: string; lang?: string }) => {
      const plan = loadPlanOrReport(file, opts.lang);
      if (!plan) return;
      if (opts.json) process.stdout.write(`${terminalJson(previewJson(plan))}\n`);
      // The plan's titles and names are its author's text: shown with their control characters escaped.
      else process.stdout.write(previewText(terminalValues(plan)));
      if (opts.ics !== undefined) {
        try {
          mkdirSync(opts.ics, { recursive: true });
          const calendars = departmentCalendars(plan);
          for (const c of calendars) writeFileSync(join(opts.ics, `${c.department}.ics`), c.ics);
          process.stderr.write(`wrote ${calendars.length} calendar file${calendars.length === 1 ? '' : 's'} to ${opts.ics}\n`);
        } catch (err) {
          process.stderr.write(`campaign: cannot write the calendar files to ${opts.ics}: ${(err as Error).message}\n`);
          process.exitCode = ExitCode.invalid;
        }
      }
    });
}
