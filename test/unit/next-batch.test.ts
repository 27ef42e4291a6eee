/**
 * The batch a shard names to the worker as its next one (obligations/obligations `batchAfter`): if
 * nothing changes meanwhile, exactly what falls due at the shard's next instant — so what the
 * worker prepares ahead is what will be sent.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { batchAfter, dueItems, initialShardState, ladder, nextInstant } from '../../obligations/obligations';
import { loadPlanText } from '../../deadlines/load';

const PLAN_FILE = fileURLToPath(new URL('../../definitions/demo.yaml', import.meta.url));

function demo() {
  const r = loadPlanText(readFileSync(PLAN_FILE, 'utf8'), 'demo.yaml');
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.plan;
}

describe('the next batch a shard names', () => {
  it('is, at every instant of the demo campaign, exactly what falls due at the next one', () => {
    const plan = demo();
    const state = initialShardState(plan, Date.parse(plan.campaign.periodStart) - 1);
    const items = ladder(plan, state, () => '');
    let t = state.processedUntilMs;
    let batches = 0;
    for (;;) {
      const named = batchAfter(items, t);
      const next = nextInstant(items, { ...state, processedUntilMs: t });
      if (next === undefined) {
        expect(named).toEqual([]);
        break;
      }
      expect(named.length).toBeGreaterThan(0);
      expect(named).toEqual(dueItems(items, { ...state, processedUntilMs: t }, next));
      t = next;
      batches++;
    }
    expect(batches).toBeGreaterThan(10);
  });

  it('leaves out a department that has submitted since (the ladder as things stand)', () => {
    const plan = demo();
    const state = initialShardState(plan, Date.parse(plan.campaign.periodStart) - 1);
    const first = batchAfter(ladder(plan, state, () => ''), state.processedUntilMs);
    const gone = first[0]!;
    state.obligations[gone.obligation]!.status = 'submitted';
    const after = batchAfter(ladder(plan, state, () => ''), state.processedUntilMs);
    expect(after.map((i) => i.obligation)).not.toContain(gone.obligation);
    expect(after.length).toBe(first.filter((i) => i.obligation !== gone.obligation).length);
  });
});
