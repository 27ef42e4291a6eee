/**
 * The coordinator's messages, sent by the campaign workflow: the roll-up at each due instant,
 * the digest of late departments, the weekly digest. Each reads the obligations' current state
 * from the shard workflows (queries, outside any history) and sends one message.
 */
import type { Client } from '@temporalio/client';
import type { CampaignInstant } from '../obligations/campaign-instants';
import { composeMessage } from '../mail/compose';
import type { ComposeRequest } from '../obligations/message-requests';
import { deliverOnce, deliverySummary } from '../mail/delivery/ledger';
import type { CompiledPlan } from '../deadlines/timeline';
import { summarise, totalsFigures } from '../reports/summary';
import { campaignInfoQuery } from '../workflows/campaign.messages';
import { obligationsQuery, type ObligationView } from '../workflows/department-shard.messages';
import type { ActivityDeps } from './deps';

/**
 * Every obligation of the campaign (or of one occurrence), from all its shards; of the deliveries
 * only the failed ones. The campaign workflow names its shards in the activity's input; runs that
 * began before it did are asked for them (campaignInfo query).
 */
export async function campaignObligations(
  temporal: Client,
  shards: { campaignWorkflowId: string; shardWorkflowIds?: string[] },
  filter: { occurrence?: string } = {},
): Promise<ObligationView[]> {
  const ids = shards.shardWorkflowIds ?? (await temporal.workflow.getHandle(shards.campaignWorkflowId).query(campaignInfoQuery)).shards.map((s) => s.workflowId);
  const parts = await Promise.all(ids.map((id) => temporal.workflow.getHandle(id).query(obligationsQuery, { ...filter, deliveries: 'failures' })));
  return parts.flat().filter((o) => o.inPlan);
}

function isLate(o: ObligationView, atMs: number): boolean {
  return o.status === 'pending' && Date.parse(o.due) < atMs;
}

/** The coordinator's message at a campaign instant, from the obligations' state; undefined when there is nothing to say. */
function buildCampaignRequest(plan: CompiledPlan, instant: CampaignInstant, obligations: ObligationView[], link?: string): ComposeRequest | undefined {
  const at = new Date(instant.atMs).toISOString();
  switch (instant.kind) {
    case 'rollup': {
      const mine = obligations.filter((o) => o.occurrence === instant.occurrence);
      const summary = summarise(plan, mine).find((s) => s.occurrence === instant.occurrence);
      return {
        kind: 'rollup',
        occurrenceKey: instant.occurrence,
        at,
        submitted: mine.filter((o) => o.versions.length > 0).map((o) => ({ departmentId: o.department, at: o.versions[0]!.receivedAt, late: o.status === 'late' })),
        totals: summary?.form && summary.totals ? totalsFigures(summary.form, summary.totals) : undefined,
        link,
      };
    }
    case 'coordinator-digest': {
      const mine = obligations.filter((o) => instant.occurrences.includes(o.occurrence));
      const late = mine.filter((o) => isLate(o, instant.atMs));
      const failures = mine.flatMap((o) => o.deliveries.flatMap((d) => d.failed.map((f) => ({ occurrenceKey: o.occurrence, departmentId: o.department, address: f.address, reason: f.reason }))));
      const unique = [...new Map(failures.map((f) => [`${f.departmentId}|${f.address}`, f])).values()];
      if (late.length === 0 && unique.length === 0) return undefined;
      return { kind: 'coordinator-digest', at, late: late.map((o) => ({ occurrenceKey: o.occurrence, departmentId: o.department })), failures: unique, link };
    }
    case 'weekly-digest': {
      const from = Date.parse(instant.weekStart);
      const to = Date.parse(instant.weekEnd);
      const received = obligations.reduce((n, o) => n + o.versions.filter((v) => Date.parse(v.receivedAt) >= from && Date.parse(v.receivedAt) < to).length, 0);
      const upcoming = new Map<string, number>();
      for (const o of obligations) {
        const due = Date.parse(o.due);
        if (o.status === 'pending' && due >= instant.atMs && due < instant.atMs + 7 * 86_400_000) upcoming.set(o.occurrence, (upcoming.get(o.occurrence) ?? 0) + 1);
      }
      return {
        kind: 'weekly-digest',
        weekStart: instant.weekStart,
        weekEnd: instant.weekEnd,
        received,
        upcoming: [...upcoming].map(([occurrenceKey, outstanding]) => ({ occurrenceKey, outstanding })),
        late: obligations.filter((o) => isLate(o, instant.atMs)).map((o) => ({ occurrenceKey: o.occurrence, departmentId: o.department })),
        link,
      };
    }
  }
}

export function sendCampaignMessageActivity(deps: ActivityDeps) {
  return async function sendCampaignMessage(input: { campaignWorkflowId: string; shardWorkflowIds?: string[]; planRef: string; instant: CampaignInstant; scope: string }) {
    const plan = await deps.plans.load(input.planRef);
    const obligations = await campaignObligations(deps.temporal, input, input.instant.kind === 'rollup' ? { occurrence: input.instant.occurrence } : {});
    const req = buildCampaignRequest(plan, input.instant, obligations, deps.coordinatorLink?.(plan.campaign.id));
    if (!req) return undefined;
    const composed = composeMessage(plan, req, { from: deps.from });
    const records = await deliverOnce(deps.ledger.scoped(input.scope), deps.mailer, composed.message, composed.key);
    const { sent, failed } = deliverySummary(records);
    return { sent, failed };
  };
}
