/**
 * Records the Temporal histories of a real demo campaign run (time-skipping server, real SMTP)
 * that goes through every message handler — submissions, excuse, extension, pause/resume and an
 * amendment — into test/histories/. CI replays them against the current workflow code
 * (test/unit/replay.test.ts): a change that would break running campaigns fails there.
 *
 *   npx tsx tools/scripts/record-histories.ts [tag]     (after `npm run bootstrap`)
 *
 * Record again only for a deliberate, versioned change (patched()), under a new tag, keeping the
 * old files: they prove campaigns started before the change still replay. Recorded so far:
 *   (no tag)  the first engine;
 *   v2        shards save their final state to the blob store (patch 'shard-outcome-blob');
 *   v3        timers, activity calls and shards named in the campaign's language, current details
 *             kept (patch 'named-in-web-ui'); test/unit/workflow-metadata-history.test.ts reads it;
 *   v4        progress kept in search attributes (patch 'searchable-progress': CampaignNextDue,
 *             CampaignPending, CampaignOverdue), the shard waking at each due instant.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { DateTime } from 'luxon';
import { loadPlanText } from '../../deadlines/load';
import { advanceTo, startEngineEnv } from '../../test/support/engine-env';

const out = fileURLToPath(new URL('../../test/histories/', import.meta.url));
const planFile = fileURLToPath(new URL('../../definitions/demo.yaml', import.meta.url));
const local = (s: string) => DateTime.fromFormat(`2024-${s}`, 'yyyy-MM-dd HH:mm', { zone: 'Asia/Shanghai' }).toISO()!;
const compile = (text: string) => {
  const r = loadPlanText(text, 'demo.yaml');
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.plan;
};


const e = await startEngineEnv();
try {
  const tag = process.argv[2];
  const yaml = readFileSync(planFile, 'utf8').replace(/^  id: demo$/m, `  id: demo-recorded${tag ? `-${tag}` : ''}`);
  const plan = compile(yaml);
  const id = plan.campaign.id;
  const { handle } = await e.client.start(plan, { workflowId: `campaign/${id}`, clock: { mode: 'rehearsal', scale: 1, startAt: local('03-03 23:00') } });
  const clock = (await e.client.info(id)).clock;
  const at = (t: string) => advanceTo(e, clock, local(t));
  await at('03-05 09:00');
  await e.client.submit(id, { submissionId: 'r1', department: 'east', deadline: 'weekly-stats', values: { fairs: 2, hired: 10, hired_women: 4 }, by: 'east' });
  await e.client.submit(id, { submissionId: 'r1', department: 'east', deadline: 'weekly-stats', values: { fairs: 2, hired: 10, hired_women: 4 }, by: 'east' });
  await e.client.submit(id, { submissionId: 'r0', department: 'east', deadline: 'weekly-stats', values: { fairs: 2, hired: 1, hired_women: 4 }, by: 'east' }).catch(() => undefined);
  await e.client.pause(id, 'coordinator');
  await at('03-06 11:00');
  await e.client.resume(id, 'coordinator');
  await e.client.excuse(id, { department: 'north', occurrence: 'contacts' }, '已电话报送', 'coordinator');
  await e.client.extend(id, { department: 'west', occurrence: 'contacts' }, local('03-12 18:00'), 'coordinator');
  await at('03-07 10:00');
  await e.client.amend(id, compile(yaml.replace('schedule: { date: 2024-03-08 }', 'schedule: { date: 2024-03-11 }')), 'coordinator');
  await at('03-14 09:00');
  await e.client.submit(id, { submissionId: 'r2', department: 'west', deadline: 'weekly-stats', occurrence: 'weekly-stats@2024-03-13', values: { fairs: 1, hired: 3, hired_women: 1 }, by: 'west' });
  await handle.result();
  const info = await e.client.info(id);
  mkdirSync(out, { recursive: true });
  const ids = [info.shards[0]!.workflowId, `campaign/${id}`];
  for (const wid of ids) {
    const history = await e.env.client.workflow.getHandle(wid).fetchHistory();
    const file = `${out}${wid.replace(/[/]/g, '__')}.json`;
    writeFileSync(file, historyToJSON(history));
    console.log(`recorded ${history.events?.length} events of ${wid} -> ${file}`);
  }
} finally {
  await e.teardown();
}
