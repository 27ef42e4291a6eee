/**
 * The final summary: every deadline's table (rows per department, 总计, missing departments)
 * written to the blob store as XLSX (laid out like the notice's table), CSV and JSON, and mailed
 * to the coordinator with the XLSX attached (the bytes just written: a message with its content in
 * hand is prepared like any other). The workflow keeps only the references.
 *
 * Then, the summary sent, the campaign run's record is kept in the database for its archive
 * (reports/archive/record.ts): the references above, every shard's final state, and the audit
 * history read from Temporal now, while the histories exist. A retry of this activity finds the
 * summary already sent (the ledger) and writes the same record again.
 */
import { Context } from '@temporalio/activity';
import { composeMessage } from '../mail/compose';
import { anyTimeDeadlines } from '../deadlines/timeline';
import { deliverOnce } from '../mail/delivery/ledger';
import { recordFinishedCampaign } from '../reports/archive/record';
import { CampaignRecords } from '../store/campaign-records';
import { summarise, summaryCsv } from '../reports/summary';
import { summaryXlsx } from '../reports/xlsx';
import { campaignObligations } from './campaign-messages';
import { loadShardOutcome } from './shard-outcome';
import type { ActivityDeps } from './deps';

export function writeFinalSummaryActivity(deps: ActivityDeps) {
  /**
   * `shardOutcomes`: the blob reference each shard left when it finished (saveShardOutcome). When
   * one is missing (a shard that finished before shards saved their outcome) every shard is queried.
   */
  return async function writeFinalSummary(input: { campaignWorkflowId: string; shardWorkflowIds?: string[]; planRef: string; at: string; scope: string; shardOutcomes?: Array<string | undefined> }) {
    const plan = await deps.plans.load(input.planRef);
    const refs = input.shardOutcomes;
    const outcomeRefs = refs?.length && refs.every((r): r is string => !!r) ? refs : undefined;
    const obligations = outcomeRefs
      ? (await Promise.all(outcomeRefs.map((ref) => loadShardOutcome(deps, ref)))).flat().filter((o) => o.inPlan)
      : await campaignObligations(deps.temporal, input);
    const tables = summarise(plan, obligations);
    const json = await deps.blobs.put(JSON.stringify({ campaign: plan.campaign, generatedAt: input.at, tables }, null, 2));
    const csvText = tables.map((t) => `# ${t.title} (${t.occurrence})\r\n${summaryCsv(t).replace(/^\uFEFF/, '')}`).join('\r\n');
    const csvBytes = Buffer.from(`\uFEFF${csvText}`, 'utf8');
    const csv = await deps.blobs.put(csvBytes);
    const xlsxBytes = await summaryXlsx(plan, tables);
    const xlsx = await deps.blobs.put(xlsxBytes);
    const anyTime = anyTimeDeadlines(plan);
    const owed = obligations.filter((o) => !anyTime.has(o.deadline));
    const totals = {
      obligations: owed.length,
      onTime: owed.filter((o) => o.status === 'submitted').length,
      late: owed.filter((o) => o.status === 'late').length,
      missing: owed.filter((o) => o.status === 'pending').length,
    };
    const composed = composeMessage(
      plan,
      { kind: 'final-summary', totals, attachment: { filename: `${plan.campaign.id}-summary.xlsx`, content: xlsxBytes }, link: deps.coordinatorLink?.(plan.campaign.id) },
      { from: deps.from },
    );
    await deliverOnce(deps.ledger.scoped(input.scope), deps.mailer, composed.message, composed.key);
    const ctx = Context.current();
    await recordFinishedCampaign(
      // The records live on the same database as the ledger (store/stores.ts: one database for every store).
      { temporal: deps.temporal, blobs: deps.blobs, plans: deps.plans, records: new CampaignRecords(deps.ledger.db) },
      {
        workflowId: input.campaignWorkflowId,
        scope: input.scope,
        planRef: input.planRef,
        at: input.at,
        summary: { json, csv, xlsx },
        shardOutcomes: outcomeRefs ?? [await deps.blobs.put(JSON.stringify(obligations))],
      },
      { source: 'final-summary', heartbeat: () => ctx.heartbeat() },
    );
    return { json, csv, xlsx };
  };
}
