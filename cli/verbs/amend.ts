import type { Command } from 'commander';
import { UserError } from '../errors';
import { terminalText, terminalValues } from '../terminal-text';
import { loadPlanOrReport } from '../plan-input';
import { diffPlans, formatPlanDiff, isEmptyDiff } from '../../obligations/plan-diff';

interface AmendOpts {
  yes?: boolean;
  json?: boolean;
}

/** `campaign amend <id> <plan> [--yes] [--json]`: shows what the new plan changes, then applies it. */
export function register(program: Command): void {
  program
    .command('amend')
    .description('change a running campaign to a new version of its plan: shows the differences, asks, then applies them (new departments get their launch notice)')
    .argument('<id>', 'campaign id (e.g. demo) or workflow id (campaign/demo)')
    .argument('<plan>', 'the new plan file')
    .option('-y, --yes', 'apply without asking (required without a terminal)')
    .option('--json', 'print the differences and the amendment as JSON')
    .action(async (id: string, file: string, opts: AmendOpts) => {
      const next = loadPlanOrReport(file);
      if (!next) return;
      const { withCampaigns, confirm } = await import('../context');
      await withCampaigns(opts, async (ctx) => {
        const info = await ctx.campaigns.info(id);
        if (info.state === 'completed' || info.state === 'cancelled' || info.state === 'summarising') {
          throw new UserError(`campaign '${info.campaignId}' is ${info.state}; it can no longer be amended`);
        }
        if (next.campaign.id !== info.campaignId) {
          throw new UserError(`${file} is the plan of campaign '${next.campaign.id}', not '${info.campaignId}'`);
        }
        const current = await ctx.plans.load(info.planRef);
        const diff = diffPlans(current, next);
        const zone = current.campaign.timezone;
        if (isEmptyDiff(diff)) {
          ctx.out.result({ diff, amendment: null }, () => `campaign ${info.campaignId}: ${formatPlanDiff(terminalValues(diff), zone).trim()}; nothing to amend`);
          return;
        }
        // The differences go first (stderr with --json, so stdout stays one JSON document).
        // Titles and names in the differences are the plans' authors' text: control characters escaped.
        const shown = `changes to campaign ${info.campaignId} (${terminalText(info.title)}):\n${formatPlanDiff(terminalValues(diff), zone)}`;
        if (opts.json) process.stderr.write(shown);
        else process.stdout.write(shown);
        const ok = await confirm('Apply these changes to the running campaign?', { yes: opts.yes, what: `amending campaign '${info.campaignId}'` });
        if (!ok) {
          ctx.out.result({ diff, amendment: null }, () => 'not amended');
          return;
        }
        const amendment = await ctx.campaigns.amend(id, next, ctx.by);
        ctx.out.result({ diff, amendment }, () => [
          `amended campaign ${info.campaignId}: plan ${terminalText(amendment.planRef)}`,
          ...(amendment.added.length ? [`  departments added: ${terminalValues(amendment.added).join(', ')} (their launch notices go out now)`] : []),
          ...(amendment.removed.length ? [`  departments removed: ${terminalValues(amendment.removed).join(', ')}`] : []),
          `see: campaign status ${id}`,
        ]);
      });
    });
}
