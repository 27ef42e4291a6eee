import type { Command } from 'commander';
import { UserError } from '../errors';

/** `campaign resume <id>`: reminders and escalations go out again. */
export function register(program: Command): void {
  program
    .command('resume')
    .description('resume a paused campaign: reminders and escalations due from now on go out again')
    .argument('<id>', 'campaign id (e.g. demo) or workflow id (campaign/demo)')
    .option('--json', 'print the result as JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      const { withCampaigns } = await import('../context');
      await withCampaigns(opts, async (ctx) => {
        const info = await ctx.campaigns.info(id);
        if (info.state === 'completed' || info.state === 'cancelled') {
          throw new UserError(`campaign '${info.campaignId}' is ${info.state}; there is nothing to resume`);
        }
        await ctx.campaigns.resume(id, ctx.by);
        ctx.out.result({ campaignId: info.campaignId, workflowId: ctx.campaigns.workflowIdOf(id), paused: false, wasPaused: info.paused, by: ctx.by }, () =>
          info.paused ? `resumed campaign ${info.campaignId}: reminders and escalations due from now on go out` : `campaign ${info.campaignId} was not paused`,
        );
      });
    });
}
