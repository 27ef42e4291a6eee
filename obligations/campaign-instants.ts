/**
 * The instants at which the campaign workflow itself acts (department-facing messages are the
 * shards'): a roll-up to the coordinator at each due instant, one digest of late departments at
 * each escalation rung addressed to the coordinator, and a weekly digest.
 *
 * Pure: workflows import it.
 */
import type { CompiledPlan } from '../deadlines/timeline';

const DAY = 86_400_000;

export type CampaignInstant =
  | { kind: 'rollup'; atMs: number; occurrence: string }
  | { kind: 'coordinator-digest'; atMs: number; occurrences: string[]; occurrence?: undefined }
  | { kind: 'weekly-digest'; atMs: number; weekStart: string; weekEnd: string; occurrence?: undefined };

/** Hour of the weekly digest, counted from the start of the period's first day (local time). */
export const WEEKLY_DIGEST_OFFSET_MS = 9 * 3_600_000;

export function campaignInstants(plan: CompiledPlan): CampaignInstant[] {
  const out: CampaignInstant[] = [];
  const digests = new Map<number, string[]>();
  for (const d of plan.deadlines) {
    if (d.kind === 'open' || d.departments.length === 0) continue;
    for (const occ of d.occurrences) {
      out.push({ kind: 'rollup', atMs: Date.parse(occ.due), occurrence: occ.key });
      for (const e of occ.escalations) {
        if (e.to[0] !== 'coordinator') continue;
        const at = Date.parse(e.at);
        digests.set(at, [...(digests.get(at) ?? []), occ.key]);
      }
    }
  }
  for (const [atMs, occurrences] of digests) out.push({ kind: 'coordinator-digest', atMs, occurrences: [...new Set(occurrences)] });
  const start = Date.parse(plan.campaign.periodStart);
  const end = Date.parse(plan.campaign.periodEnd);
  // The period starts at local midnight; whole days from it keep the local time of day except
  // across a daylight-saving change (an hour off in such zones; none in China).
  for (let k = 1; start + k * 7 * DAY + WEEKLY_DIGEST_OFFSET_MS < end; k++) {
    const atMs = start + k * 7 * DAY + WEEKLY_DIGEST_OFFSET_MS;
    out.push({ kind: 'weekly-digest', atMs, weekStart: new Date(start + (k - 1) * 7 * DAY).toISOString(), weekEnd: new Date(start + k * 7 * DAY).toISOString() });
  }
  const order = { rollup: 0, 'coordinator-digest': 1, 'weekly-digest': 2 } as const;
  return out.sort((a, b) => a.atMs - b.atMs || order[a.kind] - order[b.kind] || (a.occurrence ?? '').localeCompare(b.occurrence ?? ''));
}
