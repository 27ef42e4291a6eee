/**
 * An admin finds campaigns by their progress in Temporal's own search (the Web UI's query box, `temporal
 * workflow list --query`): "campaigns with something due on a day", "shards with someone late".
 * Real parts: the dev server (its SQLite visibility store, the attributes registered by the
 * harness), an in-process worker with real activities, the demo plan rehearsed from Friday
 * 2024-03-08 19:00, when the contacts report (due 03-08 18:00) and the first weekly table (due
 * Wednesday 03-06 12:00) are overdue for all three districts.
 */
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadPlanText } from '../../deadlines/load';
import { CAMPAIGN_NEXT_DUE, CAMPAIGN_OVERDUE, CAMPAIGN_PENDING } from '../../obligations/search-attributes';
import { startPortalStack, type PortalStack } from '../support/portal-stack';
import { ROOT } from '../support/run-cli';
import { uniqueId } from '../support/temporal';

/** Visibility is eventually consistent: asks again until `check` accepts the answer. */
async function listUntil(client: Client, query: string, check: (found: WorkflowExecutionInfo[]) => boolean): Promise<WorkflowExecutionInfo[]> {
  let found: WorkflowExecutionInfo[] = [];
  for (let attempt = 0; attempt < 100; attempt++) {
    found = [];
    for await (const wf of client.workflow.list({ query })) found.push(wf);
    if (check(found)) return found;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no answer to ${query} passed the check; last: ${JSON.stringify(found.map((f) => [f.workflowId, f.typedSearchAttributes.getAll()]))}`);
}

describe('progress in search attributes', () => {
  let stack: PortalStack;
  let id: string;
  beforeAll(async () => {
    stack = await startPortalStack(inject('temporalAddress'));
    id = uniqueId('searchable');
    const yaml = readFileSync(path.join(ROOT, 'definitions/demo.yaml'), 'utf8').replace(/^ {2}id: demo$/m, `  id: ${id}`);
    const r = loadPlanText(yaml, 'demo.yaml');
    if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
    // Ten seconds before the first weekly table is due (Wednesday 03-06 12:00), in real time.
    await stack.campaigns.start(r.plan, { workflowId: `campaign/${id}`, clock: { mode: 'rehearsal', scale: 1, startAt: '2024-03-06T11:59:50+08:00' } });
  });
  afterAll(async () => {
    await stack?.teardown();
  });

  it('a shard shows how many obligations are pending and overdue, turning at the due instant; a submission takes one off', async () => {
    const temporal = stack.campaigns.temporal;
    const shard = `CampaignId = '${id}' AND WorkflowType = 'departmentShardWorkflow'`;
    // 3 districts × (contacts + weekly tables of 03-06, 03-13 and 03-20), none overdue yet
    const [before] = await listUntil(temporal, `${shard} AND CampaignPending = 12`, (f) => f.length === 1);
    expect(before!.typedSearchAttributes.get(CAMPAIGN_OVERDUE)).toBe(0);
    expect(before!.typedSearchAttributes.get(CAMPAIGN_NEXT_DUE)).toEqual(new Date('2024-03-06T12:00:00+08:00'));
    // 12:00 passes: the three weekly tables of 03-06 are overdue; the next due is the contacts report
    const [late] = await listUntil(temporal, `${shard} AND CampaignOverdue > 0`, (f) => f.length === 1);
    expect(late!.typedSearchAttributes.get(CAMPAIGN_OVERDUE)).toBe(3);
    expect(late!.typedSearchAttributes.get(CAMPAIGN_NEXT_DUE)).toEqual(new Date('2024-03-08T18:00:00+08:00'));

    await stack.campaigns.submit(id, { department: 'east', deadline: 'contacts', occurrence: 'contacts@2024-03-08', report: '联络员：东区办公室', submissionId: uniqueId('s'), by: 'test' });
    const [after] = await listUntil(temporal, `${shard} AND CampaignPending = 11`, (f) => f.length === 1);
    expect(after!.typedSearchAttributes.get(CAMPAIGN_OVERDUE)).toBe(3);
  });

  it('"campaigns with something due on 8 March": the campaign, found by its next due instant', async () => {
    const onDay = (day: string, next: string) =>
      `WorkflowType = 'campaignWorkflow' AND CampaignId = '${id}' AND CampaignNextDue >= '${day}T00:00:00+08:00' AND CampaignNextDue < '${next}T00:00:00+08:00'`;
    const [campaign] = await listUntil(stack.campaigns.temporal, onDay('2024-03-08', '2024-03-09'), (f) => f.length === 1);
    expect(campaign!.workflowId).toBe(`campaign/${id}`);
    expect(campaign!.typedSearchAttributes.get(CAMPAIGN_NEXT_DUE)).toEqual(new Date('2024-03-08T18:00:00+08:00'));
    expect(await listUntil(stack.campaigns.temporal, onDay('2024-03-06', '2024-03-07'), () => true)).toEqual([]);
  });
});
