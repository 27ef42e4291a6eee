import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SubmissionInput } from '../../obligations/obligations';
import { flattenColumns } from '../../obligations/form-data';
import type { CompiledDeadline, CompiledPlan } from '../../deadlines/timeline';
import { advanceTo, compiledPlan, messageRows, startEngineEnv, type EngineEnv } from '../support/engine-env';
import { expectedRows, type SubmissionScript } from '../support/expected-messages';
import { uniqueId } from '../support/temporal';

const MINUTE = 60_000;
const SEEDS = ['shanxi-2024', 'tianjin-2024', 'tianjin-2023', 'wuhan-2014', 'chongqing-yuzhong-2022'];

/** A valid row for a form: 1 in every count (so 其中 ≤ parent), 1.5 in amounts. */
function figures(plan: CompiledPlan, d: CompiledDeadline): Record<string, unknown> | undefined {
  const form = plan.forms.find((f) => f.id === d.submit.form);
  if (!form) return undefined;
  return Object.fromEntries(flattenColumns(form.columns).map(({ column: c }) => [c.id, c.type === 'count' ? 1 : c.type === 'amount' ? 1.5 : c.type === 'names' ? ['甲'] : '无']));
}

/**
 * Who submits what when: the first department submits every obligation on time (half-way
 * between its opening and its due instant), the second one 67 minutes late (when that is still
 * inside the period), every other department never. Times fall at odd minutes so that no
 * submission coincides with a reminder.
 */
function script(plan: CompiledPlan): { script: SubmissionScript; submissions: Array<{ at: number; input: SubmissionInput }> } {
  const [onTime, late] = plan.departments.map((d) => d.id);
  const out: Array<{ at: number; input: SubmissionInput }> = [];
  const periodEnd = Date.parse(plan.campaign.periodEnd);
  for (const d of plan.deadlines) {
    for (const occ of d.occurrences) {
      const opens = Date.parse(occ.opens);
      const due = Date.parse(occ.due);
      const plans: Array<[string | undefined, number]> = [
        [onTime, Math.floor((opens + (due - opens) / 2) / MINUTE) * MINUTE + 7 * MINUTE],
        [late, d.kind === 'open' ? NaN : due + 67 * MINUTE],
      ];
      for (const [dept, at] of plans) {
        if (!dept || !d.departments.includes(dept) || !Number.isFinite(at) || at >= periodEnd - MINUTE || at <= opens) continue;
        out.push({
          at,
          input: { submissionId: `${occ.key}|${dept}`, department: dept, deadline: d.id, occurrence: occ.key, values: figures(plan, d), report: d.submit.report ? '本阶段工作情况报告' : undefined, by: dept },
        });
      }
    }
  }
  out.sort((a, b) => a.at - b.at);
  return { script: new Map(out.map((s) => [`${s.input.occurrence}|${s.input.department}`, s.at])), submissions: out };
}

describe.each(SEEDS)('the %s campaign from launch to final summary (time-skipping server, real SMTP)', (seed) => {
  let e: EngineEnv;
  let plan: CompiledPlan;
  let rows: string[];
  let expected: string[];

  beforeAll(async () => {
    const started = Date.now();
    e = await startEngineEnv();
    plan = compiledPlan(fileURLToPath(new URL(`../../definitions/${seed}.yaml`, import.meta.url)));
    const id = uniqueId(seed);
    const { script: s, submissions } = script(plan);
    const { handle } = await e.client.start(plan, { workflowId: `campaign/${id}`, clock: { mode: 'rehearsal', scale: 1, startAt: new Date(Date.parse(plan.campaign.periodStart) - 3_600_000).toISOString() } });
    const clock = (await e.client.info(`campaign/${id}`)).clock;
    for (const sub of submissions) {
      await advanceTo(e, clock, new Date(sub.at).toISOString());
      await e.client.submit(`campaign/${id}`, sub.input);
    }
    await handle.result();
    rows = messageRows(e, clock, plan.campaign.id, plan.campaign.timezone);
    expected = expectedRows(plan, s);
    console.log(`${seed}: ${rows.length} messages, ${submissions.length} submissions, ${((Date.now() - started) / 1000).toFixed(1)} s wall`);
  });
  afterAll(async () => {
    await e?.teardown();
  });

  it('sends every message at the instant the timeline gives, to the recipients the plan names, and nothing else', () => {
    expect(rows.length).toBeGreaterThan(plan.departments.length);
    expect(rows).toEqual(expected);
  });
});
