import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { describe, expect, it } from 'vitest';
import { WORKFLOWS_PATH } from '../../worker/create-worker';

const dir = fileURLToPath(new URL('../histories/', import.meta.url));

/**
 * Campaigns run for months: a deploy must not break the ones running. The histories under
 * test/histories were recorded from a real run (tools/scripts/record-histories.ts) that goes through
 * every handler; replaying them against the current workflow code fails on any change that is
 * not deterministic with respect to them (use patched() for deliberate changes).
 */
describe('recorded campaign histories replay against the current workflow code', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

  it('has recorded histories of a campaign and a shard', () => {
    expect(files.some((f) => f.includes('shard'))).toBe(true);
    expect(files.some((f) => !f.includes('shard'))).toBe(true);
  });

  it('replays every recorded history without a non-determinism error', async () => {
    const histories = files.map((f) => ({ workflowId: f.replace(/\.json$/, '').replace(/__/g, '/'), history: historyFromJSON(JSON.parse(readFileSync(`${dir}${f}`, 'utf8'))) }));
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories({ workflowsPath: WORKFLOWS_PATH, replayName: 'campaign-replay' }, histories)) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
  }, 120_000);
});
