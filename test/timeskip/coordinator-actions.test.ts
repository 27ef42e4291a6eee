import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { WorkflowFailedError } from '@temporalio/client';
import { DateTime } from 'luxon';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RequestRejectedError } from '../../client/campaign-client';
import type { CampaignClock } from '../../obligations/clock';
import { loadPlanText } from '../../deadlines/load';
import type { CompiledPlan } from '../../deadlines/timeline';
import { advanceTo, campaignKey, messageRows, startEngineEnv, type EngineEnv } from '../support/engine-env';
import { uniqueId } from '../support/temporal';

const PLAN_FILE = fileURLToPath(new URL('../../definitions/demo.yaml', import.meta.url));
const ZONE = 'Asia/Shanghai';
const local = (mmddhhmm: string) => DateTime.fromFormat(`2024-${mmddhhmm}`, 'yyyy-MM-dd HH:mm', { zone: ZONE }).toISO()!;
const W1 = 'weekly-stats@2024-03-06';
const C = 'contacts@2024-03-08';

/** The demo plan under a fresh campaign id (the delivery ledger is keyed by campaign id). */
function demoPlan(id: string, edit: (yaml: string) => string = (y) => y): CompiledPlan {
  const text = edit(readFileSync(PLAN_FILE, 'utf8').replace(/^  id: demo$/m, `  id: ${id}`));
  const r = loadPlanText(text, 'demo.yaml');
  if (!r.ok) throw new Error(r.errors.map((x) => `${x.line}:${x.col} ${x.message}`).join('\n'));
  return r.plan;
}

describe('coordinator actions change what follows, and only that (time-skipping server, real SMTP)', () => {
  // Each scenario gets its own test server (the workflow bundle is built once for the file):
  // Temporal's Java test server can stop skipping time after a cancellation, so scenarios are
  // not chained on one server.
  let e: EngineEnv;
  beforeEach(async () => {
    e = await startEngineEnv();
  });
  afterEach(async () => {
    await e?.teardown();
  });

  async function startDemo(edit?: (yaml: string) => string) {
    const id = uniqueId('demo');
    const plan = demoPlan(id, edit);
    const started = await e.client.start(plan, { workflowId: `campaign/${id}`, clock: { mode: 'rehearsal', scale: 1, startAt: local('03-03 23:00') } });
    const clock: CampaignClock = (await e.client.info(id)).clock;
    return { id, plan, clock, handle: started.handle, at: (t: string) => advanceTo(e, clock, local(t)), rows: () => messageRows(e, clock, id) };
  }

  it('validates submissions: not yet open, unknown department or deadline, 其中 above its parent, decreasing cumulative figures; idempotent on the submission id', async () => {
    const c = await startDemo();
    await c.at('03-03 23:30');
    await expect(e.client.submit(c.id, { submissionId: 's0', department: 'east', deadline: 'weekly-stats', values: { fairs: 1 }, by: 'east' })).rejects.toThrow(/尚未开始报送/);
    await c.at('03-05 09:00');
    const bad = await e.client.submit(c.id, { submissionId: 's1', department: 'east', deadline: 'weekly-stats', values: { fairs: 2, hired: 10, hired_women: 11 }, by: 'east' }).catch((x) => x);
    expect(bad).toBeInstanceOf(RequestRejectedError);
    expect(bad.fieldErrors).toEqual([expect.objectContaining({ field: 'hired_women', message: expect.stringContaining('女性人数') })]);
    await expect(e.client.submit(c.id, { submissionId: 's2', department: 'south', deadline: 'weekly-stats', values: {}, by: 'x' })).rejects.toThrow(/unknown department 'south'/);
    await expect(e.client.submit(c.id, { submissionId: 's3', department: 'east', deadline: 'monthly', values: {}, by: 'x' })).rejects.toThrow(/没有报送事项“monthly”/);
    await expect(e.client.submit(c.id, { submissionId: 's4', department: 'east', deadline: 'weekly-stats', values: { fairs: -1 }, by: 'x' })).rejects.toThrow(/非负整数/);

    const first = await e.client.submit(c.id, { submissionId: 'ok-1', department: 'east', deadline: 'weekly-stats', values: { fairs: 2, hired: 10, hired_women: 4 }, by: 'east' });
    expect(first).toMatchObject({ occurrence: W1, version: 1, late: false, status: 'submitted', duplicate: false });
    const again = await e.client.submit(c.id, { submissionId: 'ok-1', department: 'east', deadline: 'weekly-stats', values: { fairs: 2, hired: 10, hired_women: 4 }, by: 'east' });
    // Same submission id: the same receipt, marked as a duplicate; no new version.
    expect(again).toEqual({ ...first, duplicate: true });

    const lower = await e.client.submit(c.id, { submissionId: 'ok-2', department: 'east', deadline: 'weekly-stats', values: { fairs: 1, hired: 10, hired_women: 4 }, by: 'east' }).catch((x) => x);
    expect(lower).toBeInstanceOf(RequestRejectedError);
    expect(lower.fieldWarnings).toEqual([expect.objectContaining({ field: 'fairs' })]);
    const confirmed = await e.client.submit(c.id, { submissionId: 'ok-2', department: 'east', deadline: 'weekly-stats', values: { fairs: 1, hired: 10, hired_women: 4 }, confirmDecreases: ['fairs'], by: 'east' });
    expect(confirmed).toMatchObject({ version: 2, duplicate: false });

    await c.at('03-05 12:30');
    const receipts = c.rows().filter((r) => r.includes(' receipt '));
    expect(receipts).toEqual([`03-05 09:00 receipt ${W1}/east to:east@demo.example`, `03-05 09:00 receipt ${W1}/east to:east@demo.example`]);
    const { obligations } = await e.client.status(c.id);
    const east = obligations.find((o) => o.occurrence === W1 && o.department === 'east')!;
    expect(east.versions.map((v) => v.submissionId)).toEqual(['ok-1', 'ok-2']);
  });

  it('excuse: the excused department hears nothing more about that obligation; everything else goes on', async () => {
    const c = await startDemo();
    await c.at('03-06 13:00');
    await expect(e.client.excuse(c.id, { department: 'north', occurrence: 'contacts' }, '  ', 'coordinator')).rejects.toThrow(/reason/);
    const excused = await e.client.excuse(c.id, { department: 'north', occurrence: 'contacts' }, '该区已于电话中报送', 'coordinator');
    expect(excused).toMatchObject({ status: 'excused', excused: { reason: '该区已于电话中报送', by: 'coordinator' } });
    await c.at('03-09 00:00');
    const rows = c.rows();
    expect(rows.filter((r) => r.includes(`${C}/north`))).toEqual([]);
    expect(rows.filter((r) => r.includes(`${C}/west`))).toEqual([
      `03-07 18:00 reminder-1d ${C}/west to:west@demo.example`,
      `03-08 16:00 reminder-2h ${C}/west to:west@demo.example`,
      `03-08 18:00 escalation-1 ${C}/west to:west@demo.example cc:west-leader@demo.example`,
    ]);
    // North still owes the weekly table: its chasers go on.
    expect(rows).toContain(`03-08 12:00 escalation-3 ${W1}/north to:north@demo.example cc:north-leader@demo.example`);
  });

  it("extend: the obligation's ladder moves to the new due time and its emails say so; the others keep theirs", async () => {
    const c = await startDemo();
    await c.at('03-07 09:00');
    await expect(e.client.extend(c.id, { department: 'west', occurrence: 'contacts' }, local('03-07 08:00'), 'coordinator')).rejects.toThrow(/already past/);
    await expect(e.client.extend(c.id, { department: 'west', occurrence: 'contacts' }, local('04-01 18:00'), 'coordinator')).rejects.toThrow(/after the campaign period ends/);
    const extended = await e.client.extend(c.id, { department: 'west', occurrence: 'contacts' }, local('03-12 18:00'), 'coordinator');
    expect(Date.parse(extended.due)).toBe(Date.parse(local('03-12 18:00')));
    await c.at('03-13 00:00');
    const rows = c.rows();
    expect(rows.filter((r) => r.includes(`${C}/west`))).toEqual([
      `03-11 18:00 reminder-1d ${C}/west to:west@demo.example`,
      `03-12 16:00 reminder-2h ${C}/west to:west@demo.example`,
      `03-12 18:00 escalation-1 ${C}/west to:west@demo.example cc:west-leader@demo.example`,
    ]);
    expect(rows.filter((r) => r.includes(`${C}/north`))).toEqual([
      `03-07 18:00 reminder-1d ${C}/north to:north@demo.example`,
      `03-08 16:00 reminder-2h ${C}/north to:north@demo.example`,
      `03-08 18:00 escalation-1 ${C}/north to:north@demo.example cc:north-leader@demo.example`,
      `03-12 18:00 escalation-3 ${C}/north to:north@demo.example cc:north-leader@demo.example`,
    ]);
    const westReminder = e.sink.messages.find((m) => campaignKey(m) === `${c.id}/${C}/west/reminder-1d`)!;
    expect(westReminder.text).toContain('2024年3月12日（星期二）18:00');
  });

  it('pause and resume: reminders falling due while paused are skipped, roll-ups and later escalations go on', async () => {
    const c = await startDemo();
    await c.at('03-05 11:00');
    await e.client.pause(c.id, 'coordinator');
    await c.at('03-06 11:00');
    await e.client.resume(c.id, 'coordinator');
    await c.at('03-06 12:30');
    expect(c.rows()).toEqual([
      '03-04 00:00 launch launch/east to:east@demo.example',
      '03-04 00:00 launch launch/north to:north@demo.example',
      '03-04 00:00 launch launch/west to:west@demo.example',
      `03-06 12:00 escalation-1 ${W1}/east to:east@demo.example cc:east-leader@demo.example`,
      `03-06 12:00 escalation-1 ${W1}/north to:north@demo.example cc:north-leader@demo.example`,
      `03-06 12:00 escalation-1 ${W1}/west to:west@demo.example cc:west-leader@demo.example`,
      `03-06 12:00 rollup ${W1} to:office@demo.example`,
    ]);
  });

  it('amend: an added department gets its launch notice and owes only what is still ahead, a moved deadline keeps nothing of its old ladder, nothing sent is sent again', async () => {
    const c = await startDemo();
    await c.at('03-07 10:00');
    const amended = demoPlan(c.id, (y) =>
      y.replace('schedule: { date: 2024-03-08 }', 'schedule: { date: 2024-03-11 }').replace(
        '\nforms:',
        `  - id: south
    name: 南区人社局
    groups: [districts]
    contacts: [{ name: 联络员, email: south@demo.example }]
    leaders: [{ name: 分管领导, email: south-leader@demo.example }]

forms:`,
      ),
    );
    const amendment = await e.client.amend(c.id, amended, 'coordinator');
    expect(amendment).toMatchObject({ added: ['south'], removed: [] });
    await c.at('03-12 00:00');
    const rows = c.rows();
    const C2 = 'contacts@2024-03-11';
    expect(rows.filter((r) => r.includes(' launch '))).toEqual([
      '03-04 00:00 launch launch/east to:east@demo.example',
      '03-04 00:00 launch launch/north to:north@demo.example',
      '03-04 00:00 launch launch/west to:west@demo.example',
      '03-07 10:00 launch launch/south to:south@demo.example',
    ]);
    // The old date's ladder (first rung 03-07 18:00) never fires; the new one does, for all four.
    expect(rows.filter((r) => r.includes(C))).toEqual([]);
    expect(rows.filter((r) => r.includes(C2) && !r.includes('rollup'))).toEqual(
      ['east', 'north', 'south', 'west'].flatMap((d) => [
        `03-10 18:00 reminder-1d ${C2}/${d} to:${d}@demo.example`,
        `03-11 16:00 reminder-2h ${C2}/${d} to:${d}@demo.example`,
        `03-11 18:00 escalation-1 ${C2}/${d} to:${d}@demo.example cc:${d}-leader@demo.example`,
      ]).sort(),
    );
    // The weekly table due 03-06, before south joined, is not owed by south: no chasers.
    expect(rows.filter((r) => r.includes(`${W1}/south`))).toEqual([]);
    expect(rows).toContain(`03-08 12:00 escalation-3 ${W1}/north to:north@demo.example cc:north-leader@demo.example`);
    const { obligations } = await e.client.status(c.id);
    expect(obligations.filter((o) => o.inPlan)).toHaveLength(16);
    expect(obligations.find((o) => o.occurrence === W1 && o.department === 'south')).toMatchObject({ status: 'excused', excused: { by: 'amendment' } });
  });

  it('cancel: the campaign and its shards close as cancelled, with nothing left to fire', async () => {
    const c = await startDemo();
    await c.at('03-05 09:00');
    const info = await e.client.info(c.id);
    await e.client.cancel(c.id);
    await expect(c.handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    for (const id of [`campaign/${c.id}`, ...info.shards.map((s) => s.workflowId)]) {
      const d = await e.env.client.workflow.getHandle(id).describe();
      expect(d.status.name).toBe('CANCELLED');
      const raw = d.raw as { pendingActivities?: unknown[]; pendingChildren?: unknown[] };
      expect(raw.pendingActivities ?? []).toEqual([]);
      expect(raw.pendingChildren ?? []).toEqual([]);
    }
    // Closed workflows send nothing more: only the three launch notices ever went out.
    expect(c.rows()).toHaveLength(3);
  });
});
