import type { Command } from 'commander';
import { UserError } from '../errors';
import { terminalText } from '../terminal-text';

/** `campaign cancel <id> [--yes]`: stops a campaign for good (Temporal cancellation of its workflows). */
export function register(program: Command): void {
  program
    .command('cancel')
    .description('cancel a campaign for good: no more messages, no more submissions (asks for confirmation unless --yes)')
    .argument('<id>', 'campaign id (e.g. demo) or workflow id (campaign/demo)')
    .option('-y, --yes', 'do not ask for confirmation (required without a terminal)')
    .option('--json', 'print the result as JSON')
    .action(async (id: string, opts: { yes?: boolean; json?: boolean }) => {
      const { withCampaigns, confirm } = await import('../context');
      await withCampaigns(opts, async (ctx) => {
        const info = await ctx.campaigns.info(id);
        if (info.state === 'completed' || info.state === 'cancelled') throw new UserError(`campaign '${info.campaignId}' is already ${info.state}`);
        const ok = await confirm(`Cancel campaign ${info.campaignId} (${terminalText(info.title)})? No more reminders, escalations or submissions; this cannot be undone.`, {
          yes: opts.yes,
          what: `cancelling campaign '${info.campaignId}'`,
        });
        if (!ok) {
          ctx.out.result({ campaignId: info.campaignId, cancelled: false }, () => 'not cancelled');
          return;
        }
        await ctx.campaigns.cancel(id);
        ctx.out.result({ campaignId: info.campaignId, workflowId: ctx.campaigns.workflowIdOf(id), cancelled: true }, () => `cancellation requested for campaign ${info.campaignId}: its workflows stop now (see: campaign list)`);
      });
    });
}
