/**
 * What a department's page is drawn from — the campaign's information, its plan, the department's
 * obligation records — and a short cache of it.
 *
 * In the last minutes before a deadline the same pages are asked for again and again (the page, the
 * form posted from it, a second click): every one of them used to query the campaign workflow and
 * the department's shard, and a workflow answers its queries one at a time, behind the submissions.
 * Here the campaign's information is kept for a second or two for every department of the campaign,
 * a department's records for as long for that department, and requests arriving while a query is on
 * its way share it. A department's own submission forgets its records, so the next page shows its
 * receipt. The campaign's "now" is computed for each request from its clock, never cached.
 */
import type { ServerResponse } from 'node:http';
import type { CampaignClient } from '../../client/campaign-client';
import { CampaignNotFoundError } from '../../client/campaign-client';
import type { CompiledDepartment, CompiledPlan } from '../../deadlines/timeline';
import type { TokenClaims } from '../../mail/department-links';
import { campaignNowMs } from '../../obligations/clock';
import type { CampaignInfo } from '../../workflows/campaign.messages';
import type { ObligationView } from '../../workflows/department-shard.messages';
import { sendRefusal, type Ctx } from '../context';

export interface DeptView {
  token: string;
  claims: TokenClaims;
  info: CampaignInfo;
  plan: CompiledPlan;
  dept: CompiledDepartment;
  zone: string;
  nowMs: number;
  /** The department's obligations still in the plan (what the page shows). */
  obligations: ObligationView[];
  /** All its obligation records, as the shard holds them (what the submission rules judge by). */
  records: ObligationView[];
}

export const INVALID_LINK = '此链接无效。请使用活动办公室邮件中发给贵单位的报送链接；如仍有问题，请联系活动办公室。';

/**
 * A page is read with the queries' deadline; the page a submission is judged by, with the
 * submission's: the department is already waiting for its receipt, and at 17:59 a read that waits
 * behind the other submissions on the shard is better than an answer saying nothing was sent.
 */
type ReadDeadline = 'queryMs' | 'submitMs';

/** How long an answer is reused. */
export const VIEW_TTL_MS = 1500;
/** Past this many entries, the expired ones are dropped. */
const SWEEP_AT = 4096;

interface Entry<T> {
  at: number;
  value: Promise<T>;
}

class ShortCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  constructor(private readonly ttlMs: number) {}

  get(key: string, load: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.value;
    if (this.entries.size >= SWEEP_AT) for (const [k, e] of this.entries) if (now - e.at >= this.ttlMs) this.entries.delete(k);
    const entry: Entry<T> = { at: now, value: load() };
    this.entries.set(key, entry);
    // A failure is not kept: the next request asks again.
    entry.value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return entry.value;
  }

  forget(key: string): void {
    this.entries.delete(key);
  }
}

/** The reads behind the departments' pages of one portal, cached briefly. */
export class DepartmentViews {
  private readonly infos: ShortCache<CampaignInfo>;
  private readonly records: ShortCache<ObligationView[]>;

  constructor(
    private readonly campaigns: CampaignClient,
    ttlMs = VIEW_TTL_MS,
  ) {
    this.infos = new ShortCache(ttlMs);
    this.records = new ShortCache(ttlMs);
  }

  info(campaignId: string, deadline: ReadDeadline): Promise<CampaignInfo> {
    return this.infos.get(campaignId, () => this.campaigns.info(campaignId, deadline));
  }

  /** Only this department's records are queried (the shard filters), and checked again here. */
  departmentRecords(campaignId: string, shardWorkflowId: string, department: string, deadline: ReadDeadline): Promise<ObligationView[]> {
    return this.records.get(JSON.stringify([campaignId, department]), async () => (await this.campaigns.shardObligations(shardWorkflowId, { department }, deadline)).filter((o) => o.department === department));
  }

  /** After the department submitted (or may have): its next page asks the shard again. */
  forget(campaignId: string, department: string): void {
    this.records.forget(JSON.stringify([campaignId, department]));
  }
}

const perClient = new WeakMap<CampaignClient, DepartmentViews>();

/** The portal's department views (one per campaign client, i.e. per portal). */
export function departmentViews(ctx: Ctx): DepartmentViews {
  let views = perClient.get(ctx.deps.campaigns);
  if (!views) perClient.set(ctx.deps.campaigns, (views = new DepartmentViews(ctx.deps.campaigns)));
  return views;
}

/**
 * The department's view, or undefined when a refusal was sent (campaign gone, department not in
 * it). Temporal's trouble (no answer within the deadline, too busy) is thrown for the caller to word.
 */
export async function loadView(ctx: Ctx, token: string, claims: TokenClaims, res: ServerResponse, purpose: 'page' | 'submission' = 'page'): Promise<DeptView | undefined> {
  const views = departmentViews(ctx);
  const deadline: ReadDeadline = purpose === 'page' ? 'queryMs' : 'submitMs';
  let cached: CampaignInfo;
  try {
    cached = await views.info(claims.campaignId, deadline);
  } catch (err) {
    if (err instanceof CampaignNotFoundError) {
      sendRefusal(res, 404, '活动不存在', '此链接对应的活动已不在报送平台上。请联系活动办公室。');
      return undefined;
    }
    throw err;
  }
  const plan = await ctx.deps.campaigns.plans.load(cached.planRef);
  const dept = plan.departments.find((d) => d.id === claims.departmentId);
  const shard = cached.shards.find((s) => s.departments.includes(claims.departmentId));
  if (!dept || !shard) {
    sendRefusal(res, 403, '链接无效', INVALID_LINK);
    return undefined;
  }
  const records = await views.departmentRecords(claims.campaignId, shard.workflowId, dept.id, deadline);
  const nowMs = campaignNowMs(cached.clock, Date.now());
  const info = { ...cached, campaignNow: new Date(nowMs).toISOString() };
  return { token, claims, info, plan, dept, zone: plan.campaign.timezone, nowMs, obligations: records.filter((o) => o.inPlan), records };
}
