import type { Command } from 'commander';
import { terminalValues } from '../terminal-text';

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
        ctx.out.result(view, () => {
          const s = terminalValues({ dept, title, department: view.department, occurrence: view.occurrence, reason: opts.reason });
          return `excused ${s.dept ? `${s.dept} (${s.department})` : s.department} from ${s.title ? `${s.title} (${s.occurrence})` : s.occurrence}, due ${campaignTime(view.due, zoneOf(info, plan), languageOf(plan))}: ${s.reason}`;
        });
      });
    });
}
