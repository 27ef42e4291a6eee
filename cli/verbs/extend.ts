import type { Command } from 'commander';
import { DateTime } from 'luxon';
import { UserError } from '../errors';
import { terminalText, terminalValues } from '../terminal-text';

interface ExtendOpts {
  department: string;
  occurrence: string;
  until: string;
  json?: boolean;
}

/**
 * The new due instant as ISO with offset. An explicit offset (`...+08:00`, `Z`) is kept; a local
 * time (`2024-03-15 18:00`, `2024-03-15T18:00`) is in the campaign's zone; a bare date means the
 * end of that working day (`endOfWorkday`, as "by day X" deadlines do).
 */
export function parseUntil(text: string, zone: string, endOfWorkday = '18:00'): string {
  const s = text.trim();
  let dt: DateTime;
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) dt = DateTime.fromFormat(`${s} ${endOfWorkday}`, 'yyyy-MM-dd HH:mm', { zone });
  else if (/^\d{4}-\d{2}-\d{2} \d{1,2}:\d{2}(:\d{2})?$/.test(s)) dt = DateTime.fromFormat(s, s.split(':').length === 3 ? 'yyyy-MM-dd H:mm:ss' : 'yyyy-MM-dd H:mm', { zone });
  else if (/(Z|[+-]\d{2}:?\d{2})$/i.test(s)) dt = DateTime.fromISO(s, { setZone: true });
  else dt = DateTime.fromISO(s, { zone });
  if (!dt.isValid) throw new UserError(`--until '${terminalText(text)}' is not a date-time: use 'yyyy-MM-dd HH:mm' (campaign time, ${zone}) or ISO 8601 such as 2024-03-15T18:00:00+08:00`);
  return dt.toISO({ suppressMilliseconds: true })!;
}

/** `campaign extend <id> --department D --occurrence K --until X`: a later due for one obligation. */
export function register(program: Command): void {
  program
    .command('extend')
    .description("give a department more time for one obligation: its reminders and escalations move with the new due time")
    .argument('<id>', 'campaign id (e.g. demo) or workflow id (campaign/demo)')
    .requiredOption('--department <id>', 'the department, e.g. west')
    .requiredOption('--occurrence <key>', 'the occurrence, e.g. weekly-stats@2024-03-13 (or the deadline id of a one-off deadline)')
    .requiredOption('--until <time>', "new due time: 'yyyy-MM-dd HH:mm' in the campaign's zone, a date (end of that working day), or ISO 8601 with offset")
    .option('--json', 'print the obligation as JSON')
    .action(async (id: string, opts: ExtendOpts) => {
      const { withCampaigns, runningPlan, zoneOf, languageOf, assertRunning } = await import('../context');
      const { campaignTime } = await import('../../reports/audit-history');
      await withCampaigns(opts, async (ctx) => {
        const info = await ctx.campaigns.info(id);
        assertRunning(info, 'extensions');
        const plan = await runningPlan(ctx, info);
        const zone = zoneOf(info, plan);
        const until = parseUntil(opts.until, zone, plan?.campaign.endOfWorkday);
        const view = await ctx.campaigns.extend(id, { department: opts.department, occurrence: opts.occurrence }, until, ctx.by);
        const dept = plan?.departments.find((d) => d.id === view.department)?.name;
        ctx.out.result(view, () => {
          const s = terminalValues({ dept, department: view.department, occurrence: view.occurrence });
          return `extended ${s.occurrence} for ${s.dept ? `${s.dept} (${s.department})` : s.department}: now due ${campaignTime(view.due, zone, languageOf(plan))} (${zone})`;
        });
      });
    });
}
