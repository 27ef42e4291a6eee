import type { Command } from 'commander';
import { ExitCode, UserError } from '../errors';
import { loadPlanOrReport } from '../plan-input';
import { terminalText } from '../terminal-text';
import type { ClockRequest } from '../../obligations/clock';
import { parseRehearsal } from '../../obligations/clock';
import { assignShards, campaignWorkflowId, shardNumbers } from '../../obligations/shards';
import { expandObligations } from '../../deadlines/timeline';

interface StartOpts {
  rehearse?: string;
  workflowId?: string;
  json?: boolean;
}

/** "42 s", "7 min", "3.5 h", "21 days". */
export function humanDuration(ms: number): string {
  const s = ms / 1000;
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 2 * 3600) return `${Math.round(s / 60)} min`;
  if (s < 48 * 3600) return `${(s / 3600).toFixed(1).replace(/\.0$/, '')} h`;
  return `${(s / 86400).toFixed(1).replace(/\.0$/, '')} days`;
}

/** `campaign start <plan> [--rehearse 1d=10s] [--workflow-id ID] [--json]`. */
export function register(program: Command): void {
  program
    .command('start')
    .description('start a campaign from its plan: launch notices, reminders, escalations and roll-ups then run on their own')
    .argument('<plan>', 'the plan file, e.g. definitions/shanxi-2024.yaml')
    .option('--rehearse <mapping>', 'rehearsal: play the campaign fast, CAMPAIGN=WALL, e.g. 1d=10s (a campaign day in ten seconds)')
    .option('--workflow-id <id>', 'run under this workflow id instead of campaign/<campaign id> (to run a second copy of a plan)')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, opts: StartOpts) => {
      let clock: ClockRequest = { mode: 'real' };
      if (opts.rehearse !== undefined) {
        const r = parseRehearsal(opts.rehearse);
        if ('error' in r) throw new UserError(r.error, ExitCode.usage);
        clock = { mode: 'rehearsal', scale: r.scale };
      }
      const plan = loadPlanOrReport(file);
      if (!plan) return;
      let workflowId = opts.workflowId?.trim() || campaignWorkflowId(plan.campaign.id);
      if (!workflowId.startsWith('campaign/')) workflowId = `campaign/${workflowId}`;
      const shortId = workflowId.replace(/^campaign\//, '');

      const { withCampaigns } = await import('../context');
      const { campaignTime } = await import('../../reports/audit-history');
      await withCampaigns(opts, async (ctx) => {
        try {
          await ctx.campaigns.start(plan, { clock, workflowId });
        } catch (err) {
          if ((err as Error)?.name === 'WorkflowExecutionAlreadyStartedError') {
            throw new UserError(
              `campaign '${plan.campaign.id}' is already running as workflow ${workflowId}: see it with \`campaign status ${shortId}\`, or start another copy with --workflow-id <id>`,
            );
          }
          throw err;
        }
        const obligations = expandObligations(plan).length;
        const occurrences = plan.deadlines.reduce((n, d) => n + d.occurrences.length, 0);
        const shards = shardNumbers(assignShards(plan)).length;
        const periodMs = Date.parse(plan.campaign.periodEnd) - Date.parse(plan.campaign.periodStart);
        // A rehearsal starts a minute of campaign time before the period (obligations/clock resolveClock).
        const wallMs = clock.mode === 'rehearsal' ? (periodMs + 60_000) * clock.scale : undefined;
        const endsAt = wallMs !== undefined ? new Date(Date.now() + wallMs) : undefined;
        const zone = plan.campaign.timezone;
        const pollers = await workflowPollers(ctx.temporal, ctx.env.TEMPORAL_NAMESPACE, ctx.env.TEMPORAL_TASK_QUEUE);
        const data = {
          campaignId: plan.campaign.id,
          title: plan.campaign.title,
          workflowId,
          webUi: ctx.webUi(workflowId),
          departments: plan.departments.length,
          deadlines: plan.deadlines.length,
          occurrences,
          obligations,
          shards,
          periodStart: plan.campaign.periodStart,
          periodEnd: plan.campaign.periodEnd,
          clock,
          ...(opts.rehearse !== undefined ? { rehearse: opts.rehearse, wallDurationMs: Math.round(wallMs!), endsAt: endsAt!.toISOString() } : {}),
          workerPolling: pollers === undefined ? undefined : pollers > 0,
        };
        ctx.out.result(data, () => {
          const lines = [
            `started campaign ${plan.campaign.id} — ${terminalText(plan.campaign.title)}`,
            `  workflow   ${terminalText(workflowId)}`,
            `  Web UI     ${data.webUi}`,
            `  plan       ${plan.departments.length} departments, ${obligations} obligations (${plan.deadlines.length} deadlines, ${occurrences} occurrences), ${shards} shard workflow${shards === 1 ? '' : 's'}`,
            `  period     ${campaignTime(plan.campaign.periodStart, zone, plan.campaign.language)} — ${campaignTime(plan.campaign.periodEnd, zone, plan.campaign.language)} (${zone})`,
          ];
          if (wallMs !== undefined) {
            lines.push(
              `  rehearsal  ${terminalText(opts.rehearse!)}: the whole campaign (${humanDuration(periodMs)}) plays in about ${humanDuration(wallMs)} of wall time, until about ${endsAt!.toLocaleTimeString('en-GB')}`,
            );
          } else {
            lines.push('  clock      real time');
          }
          lines.push(`next: campaign status ${terminalText(shortId)}`);
          return lines;
        });
        if (workflowId !== campaignWorkflowId(plan.campaign.id)) {
          // mail/delivery/ledger.ts keys every message by the campaign run (workflow id and first run id).
          ctx.out.note(
            `campaign: note: this run of '${plan.campaign.id}' sends its own messages, with Message-IDs of its own: departments that a run under another workflow id already wrote to will hear from this one too`,
          );
        }
        if (pollers === 0) {
          ctx.out.note(`campaign: warning: no worker is polling task queue '${ctx.env.TEMPORAL_TASK_QUEUE}' right now; nothing happens until one runs (campaign worker)`);
        }
      });
    });
}

/** Workers polling the task queue for workflow tasks, or undefined when the server would not say. */
async function workflowPollers(temporal: import('@temporalio/client').Client, namespace: string, taskQueue: string): Promise<number | undefined> {
  try {
    const res = await temporal.workflowService.describeTaskQueue({ namespace, taskQueue: { name: taskQueue }, taskQueueType: 1 /* WORKFLOW */ });
    return res.pollers?.length ?? 0;
  } catch {
    return undefined;
  }
}
