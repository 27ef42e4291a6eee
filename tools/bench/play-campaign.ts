/**
 * Plays a campaign on Temporal's time-skipping test server: starts it an hour before its period,
 * makes each submission point's submissions while time stands still, lets the server skip to the
 * next point, and waits for the result — sampling every workflow's pending activities and
 * children with describe() meanwhile.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { CampaignClient } from '../../client/campaign-client';
import { wallMsFor, type CampaignClock } from '../../obligations/clock';
import type { CompiledPlan } from '../../deadlines/timeline';
import type { CampaignResult } from '../../workflows/campaign.messages';
import { HOUR, type Schedule } from './submission-schedule';

export interface Rig {
  env: TestWorkflowEnvironment;
  campaigns: CampaignClient;
}

export interface PendingPeak {
  activities: number;
  children: number;
  /** Workflow ids where each peak was seen. */
  activitiesAt: string;
  childrenAt: string;
  samples: number;
}

export interface PlayResult {
  workflowId: string;
  clock: CampaignClock;
  result: CampaignResult;
  shardIds: string[];
  wallMs: number;
  /** Wall time spent submitting (time stands still meanwhile). */
  submitMs: number;
  /** Wall time the server took to skip from one submission point to the next (timers firing, messages going out). */
  skipMs: number;
  submissions: number;
  /** describe() sampled during the run: the largest pendingActivities / pendingChildren of one workflow. */
  sampledPending: PendingPeak;
  /** performance.now() when the last submission was in and when the result came. */
  lastSubmissionAt: number;
  resultAt: number;
}

async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

/**
 * Starts the campaign an hour before its period, makes each submission point's submissions (time
 * stands still while they go in, `concurrency` at a time), lets the server skip to the next one,
 * and finally waits for the result. describe() of every workflow is sampled meanwhile.
 */
export async function playCampaign(
  rig: Rig,
  plan: CompiledPlan,
  schedule: Schedule,
  opts: { workflowId: string; concurrency?: number; describeEveryMs?: number; log?: (line: string) => void; afterPoint?: (n: number) => void | Promise<void> },
): Promise<PlayResult> {
  const t0 = performance.now();
  const log = opts.log ?? (() => undefined);
  const startAt = new Date(Date.parse(plan.campaign.periodStart) - HOUR).toISOString();
  const started = await rig.campaigns.start(plan, { workflowId: opts.workflowId, clock: { mode: 'rehearsal', scale: 1, startAt } });
  const info = await rig.campaigns.info(opts.workflowId);
  const clock = info.clock;
  const ids = [opts.workflowId, ...info.shards.map((s) => s.workflowId)];
  const client = rig.env.client;

  const peak: PendingPeak = { activities: 0, children: 0, activitiesAt: '', childrenAt: '', samples: 0 };
  let running = true;
  const sampler = (async () => {
    while (running) {
      await Promise.all(
        ids.map(async (id) => {
          try {
            const raw = (await client.workflow.getHandle(id).describe()).raw;
            const a = raw.pendingActivities?.length ?? 0;
            const c = raw.pendingChildren?.length ?? 0;
            if (a > peak.activities) Object.assign(peak, { activities: a, activitiesAt: id });
            if (c > peak.children) Object.assign(peak, { children: c, childrenAt: id });
          } catch {
            // between runs of a shard continuing as new
          }
        }),
      );
      peak.samples++;
      await new Promise((r) => setTimeout(r, opts.describeEveryMs ?? 1000));
    }
  })();

  let submitMs = 0;
  let skipMs = 0;
  let submitted = 0;
  const errors: string[] = [];
  try {
    for (const [n, point] of schedule.points.entries()) {
      const target = wallMsFor(clock, point.atMs);
      const now = Number(await rig.env.currentTimeMs());
      const z0 = performance.now();
      if (target > now) await rig.env.sleep(target - now);
      const slept = performance.now() - z0;
      skipMs += slept;
      const s0 = performance.now();
      await pool(point.submissions, opts.concurrency ?? 32, async (input) => {
        try {
          await rig.campaigns.submit(opts.workflowId, input);
          submitted++;
        } catch (err) {
          errors.push(`${input.submissionId}: ${(err as Error).message}`);
        }
      });
      submitMs += performance.now() - s0;
      log(`point ${n + 1}/${schedule.points.length} ${new Date(point.atMs).toISOString()}: skipped there in ${(slept / 1000).toFixed(1)} s, ${point.submissions.length} submissions in ${((performance.now() - s0) / 1000).toFixed(1)} s (total ${((performance.now() - t0) / 1000).toFixed(0)} s)`);
      if (errors.length) throw new Error(`${errors.length} submission(s) refused, e.g. ${errors.slice(0, 3).join('; ')}`);
      await opts.afterPoint?.(n);
    }
    const lastSubmissionAt = performance.now();
    const result = await started.handle.result();
    const resultAt = performance.now();
    log(`after the last submission: result in ${((resultAt - lastSubmissionAt) / 1000).toFixed(1)} s`);
    return { workflowId: opts.workflowId, clock, result, shardIds: ids.slice(1), wallMs: resultAt - t0, submitMs, skipMs, submissions: submitted, sampledPending: peak, lastSubmissionAt, resultAt };
  } finally {
    running = false;
    await sampler;
  }
}
