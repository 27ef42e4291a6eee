import type { Command } from 'commander';
import { DateTime } from 'luxon';
import { terminalText } from '../terminal-text';

/** `campaign list [--json]`: the campaigns on the Temporal server, newest first. */
export function register(program: Command): void {
  program
    .command('list')
    .description('the campaigns on the Temporal server, newest first: id, title, state, Temporal status, start time')
    .option('--json', 'print the list as JSON')
    .action(async (opts: { json?: boolean }) => {
      const { withCampaigns, table } = await import('../context');
      await withCampaigns(opts, async (ctx) => {
        const campaigns = await ctx.campaigns.list();
        ctx.out.result(
          campaigns.map((c) => ({ ...c, startTime: c.startTime.toISOString() })),
          () => {
            if (!campaigns.length) return 'no campaigns on this Temporal server yet (start one with: campaign start <plan>)';
            const rows = campaigns.map((c) => [
              c.workflowId === `campaign/${c.campaignId}` ? c.campaignId : c.workflowId,
              c.title,
              c.state || '?',
              c.status.toLowerCase(),
              DateTime.fromJSDate(c.startTime).toFormat('yyyy-MM-dd HH:mm:ss'),
            ]);
            // Titles and workflow ids are other people's text: shown with their control characters escaped.
            return table(['id', 'title', 'state', 'temporal status', 'started (local time)'], rows.map((r) => r.map(terminalText)));
          },
        );
      });
    });
}
