/**
 * How a campaign is split across workflows. Each department belongs to one shard workflow that
 * owns all of its obligations (reminders, escalations, submissions); the campaign workflow owns
 * what concerns the whole campaign (roll-ups, the coordinator's digests, the final summary).
 *
 * Shards bound every workflow's history and pending work: with at most SHARD_SIZE departments a
 * shard sends one batched activity per instant at which something is due and takes at most
 * SHARD_SIZE x deadlines submissions; 1,000 departments make 20 shards, far below the 500
 * pending children a workflow may have.
 *
 * Pure: workflows import it.
 */
import type { CompiledPlan } from '../deadlines/timeline';

export const SHARD_SIZE = 50;

export function shardWorkflowId(campaignWorkflowId: string, shard: number): string {
  return `${campaignWorkflowId}/shard-${String(shard).padStart(3, '0')}`;
}

export function campaignWorkflowId(campaignId: string): string {
  return `campaign/${campaignId}`;
}

/** department id -> shard number. */
export type ShardAssignment = Record<string, number>;

/** Assigns departments to shards in plan order; departments already assigned keep their shard. */
export function assignShards(plan: CompiledPlan, previous: ShardAssignment = {}, shardSize = SHARD_SIZE): ShardAssignment {
  const out: ShardAssignment = {};
  const counts = new Map<number, number>();
  for (const d of plan.departments) {
    const s = previous[d.id];
    if (s !== undefined) {
      out[d.id] = s;
      counts.set(s, (counts.get(s) ?? 0) + 1);
    }
  }
  // New departments go into fresh shards after the highest used one, so no existing shard grows
  // beyond its size.
  let next = Math.max(-1, ...Object.values(previous), ...Object.values(out)) + 1;
  let filling = next;
  for (const d of plan.departments) {
    if (out[d.id] !== undefined) continue;
    if ((counts.get(filling) ?? 0) >= shardSize) filling = ++next;
    out[d.id] = filling;
    counts.set(filling, (counts.get(filling) ?? 0) + 1);
    next = Math.max(next, filling);
  }
  return out;
}

export function shardNumbers(assignment: ShardAssignment): number[] {
  return [...new Set(Object.values(assignment))].sort((a, b) => a - b);
}

/** The part of the plan one shard needs: its departments and the deadlines that concern them. */
export function planSlice(plan: CompiledPlan, departmentIds: readonly string[]): CompiledPlan {
  const mine = new Set(departmentIds);
  return {
    ...plan,
    departments: plan.departments.filter((d) => mine.has(d.id)),
    deadlines: plan.deadlines
      .map((d) => ({ ...d, departments: d.departments.filter((id) => mine.has(id)) }))
      .filter((d) => d.departments.length > 0),
  };
}

export function departmentsOfShard(assignment: ShardAssignment, shard: number): string[] {
  return Object.entries(assignment)
    .filter(([, s]) => s === shard)
    .map(([id]) => id);
}
