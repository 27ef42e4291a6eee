/**
 * A shard's final record, kept outside the workflow histories: when a shard has finished its
 * period it calls this activity, which reads its obligations (statuses, submissions with their
 * figures, failed deliveries) (a query on the still-open shard,
 * answered from the worker's cache) and writes them to the blob store. The shard returns only the
 * reference, and the final summary reads the blobs instead of querying closed shards (which would
 * make the worker replay each one's whole history).
 */
import { obligationsQuery, type ObligationView } from '../workflows/department-shard.messages';
import type { ActivityDeps } from './deps';

export function saveShardOutcomeActivity(deps: ActivityDeps) {
  return async function saveShardOutcome(input: { shardWorkflowId: string }): Promise<string> {
    // Deliveries that went through are left out (they are in the ledger and the histories): the
    // summary needs the submissions, and the answer stays well under the payload warning limit.
    const obligations = await deps.temporal.workflow.getHandle(input.shardWorkflowId).query(obligationsQuery, { deliveries: 'failures' });
    return deps.blobs.put(JSON.stringify(obligations));
  };
}

/** Reads what saveShardOutcome wrote. */
export async function loadShardOutcome(deps: Pick<ActivityDeps, 'blobs'>, ref: string): Promise<ObligationView[]> {
  return JSON.parse((await deps.blobs.get(ref)).toString('utf8')) as ObligationView[];
}
