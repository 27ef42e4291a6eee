import type { Command } from 'commander';
import { UserError } from '../errors';
import { terminalValues } from '../terminal-text';

/** `campaign history <id> [--json]`: the audit log, from the Temporal histories of the campaign's workflows. */
export function register(program: Command): void {
  program
    .command('history')
    .description('the audit log of a campaign: messages sent and failed, submissions, excuses, extensions, pauses, amendments — in campaign time')
    .argument('<id>', 'campaign id (e.g. demo) or workflow id (campaign/demo)')
    .option('--json', 'print the entries as JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      const { withCampaigns, highlight } = await import('../context');
      const { auditEntries, formatAudit } = await import('../../reports/audit-history');
      const { loadCampaignHistories } = await import('../../reports/temporal-histories');
      await withCampaigns(opts, async (ctx) => {
        const workflowId = ctx.campaigns.workflowIdOf(id);
        const { facts, runs, workflows } = await loadCampaignHistories(ctx.temporal, workflowId);
        if (!facts.clock) throw new UserError(`campaign '${id}' has not started running yet (no worker has picked it up): see campaign status ${id}`);
        const plan = facts.plan;
        const zone = plan?.campaign.timezone ?? 'Asia/Shanghai';
        const language = plan?.campaign.language ?? 'zh-CN';
        const entries = auditEntries(runs, { clock: facts.clock, zone, language, plan });
        // Deliveries being retried right now are not in any history yet: Temporal records only the
        // final attempt. Show them from the pending activities.
        const retrying: Array<{ workflowId: string; activity: string; attempt: number; lastFailure: string }> = [];
        for (const wf of workflows) {
          try {
            const d = await ctx.temporal.workflow.getHandle(wf).describe();
            for (const a of d.raw.pendingActivities ?? []) {
              if ((a.attempt ?? 1) > 1 || a.lastFailure) {
                retrying.push({ workflowId: wf, activity: a.activityType?.name ?? 'activity', attempt: a.attempt ?? 1, lastFailure: a.lastFailure?.message ?? '' });
              }
            }
          } catch {
            // A shard that never started: nothing pending.
          }
        }
        const links = workflows.map((wf) => ({ workflowId: wf, webUi: ctx.webUi(wf) }));
        ctx.out.result(
          { workflowId, campaignId: plan?.campaign.id, zone, clock: facts.clock, workflows: links, entries, retrying },
          () => {
            // Names, reasons, delivery failures: other people's text, its control characters escaped.
            const shown = terminalValues({ title: plan?.campaign.title, workflowId, entries, retrying, links });
            const lines = [`${plan ? `${shown.title} (${plan.campaign.id})` : shown.workflowId}: audit log, campaign time (${zone})`, ''];
            lines.push(...formatAudit(shown.entries, highlight));
            for (const r of shown.retrying) {
              lines.push(highlight(`now             engine  ${r.activity} in ${r.workflowId} is being retried (attempt ${r.attempt}): ${r.lastFailure}`));
            }
            lines.push('', 'Workflows (Temporal Web UI):');
            for (const l of shown.links) lines.push(`  ${l.workflowId}  ${l.webUi}`);
            return lines;
          },
        );
      });
    });
}
