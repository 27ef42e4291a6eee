import type { Command } from 'commander';
import { UserError } from '../errors';

/** `campaign pause <id>`: holds reminders and escalations (roll-ups to the office go on). */
export function register(program: Command): void {
  program
    .command('pause')
    .description('pause a campaign: no reminders or escalations until resumed (what falls due meanwhile is skipped, not sent later); submissions are still accepted')
    .argument('<id>', 'campaign id (e.g. demo) or workflow id (campaign/demo)')
    .option('--json', 'print the result as JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      const { withCampaigns } = await import('../context');
      await withCampaigns(opts, async (ctx) => {
        const info = await ctx.campaigns.info(id);
        if (info.state === 'completed' || info.state === 'cancelled') {
          throw new UserError(`campaign '${info.campaignId}' is ${info.state}; there is nothing to pause`);
        }
        await ctx.campaigns.pause(id, ctx.by);
        ctx.out.result({ campaignId: info.campaignId, workflowId: ctx.campaigns.workflowIdOf(id), paused: true, alreadyPaused: info.paused, by: ctx.by }, () =>
          info.paused
            ? `campaign ${info.campaignId} was already paused`
            : `paused campaign ${info.campaignId}: reminders and escalations are held until \`campaign resume ${id}\` (what falls due meanwhile is skipped); submissions are still accepted`,
        );
      });
    });
}
