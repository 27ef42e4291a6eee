/**
 * The search attributes campaigns carry, so `campaign list` and an admin in the Web UI find them on
 * any Temporal server. Register them once per namespace (the dev server started by this project
 * does it; on a cluster: `temporal operator search-attribute create --name CampaignId --type
 * Keyword` etc., every name and type below).
 *
 * - Campaign and shard workflows: CampaignId, CampaignTitle, CampaignState.
 * - Progress (from patch 'searchable-progress'): CampaignNextDue — the next instant an obligation
 *   falls due, in campaign time — on the campaign and on each shard; CampaignPending and
 *   CampaignOverdue — how many obligations are not yet in, and how many of those are past due — on
 *   each shard (it holds them) and on the campaign once it has finished. "Something due today":
 *   `CampaignNextDue BETWEEN "2024-02-02T00:00:00+08:00" AND "2024-02-02T23:59:59+08:00"`;
 *   "who is late": `CampaignOverdue > 0`.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { CompiledPlan } from '../deadlines/timeline';
import { indexPlan, type ShardState } from './obligations';

export const CAMPAIGN_ID = defineSearchAttributeKey('CampaignId', SearchAttributeType.KEYWORD);
export const CAMPAIGN_TITLE = defineSearchAttributeKey('CampaignTitle', SearchAttributeType.TEXT);
export const CAMPAIGN_STATE = defineSearchAttributeKey('CampaignState', SearchAttributeType.KEYWORD);
export const CAMPAIGN_NEXT_DUE = defineSearchAttributeKey('CampaignNextDue', SearchAttributeType.DATETIME);
export const CAMPAIGN_PENDING = defineSearchAttributeKey('CampaignPending', SearchAttributeType.INT);
export const CAMPAIGN_OVERDUE = defineSearchAttributeKey('CampaignOverdue', SearchAttributeType.INT);

/** Every attribute's registered type, by name: what a namespace must have (the harness registers these). */
export const SEARCH_ATTRIBUTE_TYPES = {
  CampaignId: 'Keyword',
  CampaignTitle: 'Text',
  CampaignState: 'Keyword',
  CampaignNextDue: 'Datetime',
  CampaignPending: 'Int',
  CampaignOverdue: 'Int',
} as const;

/** The next instant (epoch ms, campaign time) after `afterMs` at which an occurrence falls due. */
export function nextDueMs(plan: CompiledPlan, afterMs: number): number | undefined {
  let next: number | undefined;
  for (const d of plan.deadlines) {
    if (d.kind === 'open' || d.departments.length === 0) continue;
    for (const occ of d.occurrences) {
      const at = Date.parse(occ.due);
      if (at > afterMs && (next === undefined || at < next)) next = at;
    }
  }
  return next;
}

export interface ShardProgress {
  pending: number;
  overdue: number;
  /** The next due instant of an obligation still pending, if any. */
  nextDueMs?: number;
}

/** A shard's obligations not yet in, those of them past due at `nowMs`, and the next due among them. */
export function shardProgress(plan: CompiledPlan, state: ShardState, nowMs: number): ShardProgress {
  const idx = indexPlan(plan);
  const out: ShardProgress = { pending: 0, overdue: 0 };
  for (const r of Object.values(state.obligations)) {
    if (r.status !== 'pending') continue;
    const found = idx.occurrence(r.occurrence);
    const d = idx.deadline(r.deadline);
    if (!found || !d || d.kind === 'open' || !d.departments.includes(r.department)) continue;
    const due = Date.parse(r.extendedTo ?? found.occurrence.due);
    out.pending++;
    if (due <= nowMs) out.overdue++;
    else if (out.nextDueMs === undefined || due < out.nextDueMs) out.nextDueMs = due;
  }
  return out;
}
