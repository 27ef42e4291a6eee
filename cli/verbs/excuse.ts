import type { Command } from 'commander';

interface ExcuseOpts {
  department: string;
  occurrence: string;
  reason: string;
  json?: boolean;
}

/** `campaign excuse <id> --department D --occurrence K --reason TEXT`: no more chasing for that obligation. */
export function register(program: Command): void {
  program
    .command('excuse')
    .description('excuse a department from one obligation (no more reminders or escalations for it); the reason is kept in the audit history')
    .argument('<id>', 'campaign id (e.g. demo) or workflow id (campaign/demo)')
    .requiredOption('--department <id>', 'the department, e.g. north')
    .requiredOption('--occurrence <key>', 'the occurrence, e.g. weekly-stats@2024-03-13 (or the deadline id of a one-off deadline, e.g. contacts)')
    .requiredOption('--reason <text>', 'why (recorded in the audit history)')
    .option('--json', 'print the obligation as JSON')
    .action(async (id: string, opts: ExcuseOpts) => {
      const { withCampaigns, runningPlan, zoneOf, languageOf, assertRunning } = await import('../context');
      const { campaignTime } = await import('../../reports/audit-history');
      await withCampaigns(opts, async (ctx) => {
        const info = await ctx.campaigns.info(id);
        assertRunning(info, 'excuses');
        const view = await ctx.campaigns.excuse(id, { department: opts.department, occurrence: opts.occurrence }, opts.reason, ctx.by);
        const plan = await runningPlan(ctx, info);
        const dept = plan?.departments.find((d) => d.id === view.department)?.name;
        const title = plan?.deadlines.find((d) => d.id === view.deadline)?.title;
        ctx.out.result(view, () =>
          `excused ${dept ? `${dept} (${view.department})` : view.department} from ${title ? `${title} (${view.occurrence})` : view.occurrence}, due ${campaignTime(view.due, zoneOf(info, plan), languageOf(plan))}: ${opts.reason}`,
        );
      });
    });
}
