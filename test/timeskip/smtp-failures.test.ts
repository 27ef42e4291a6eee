import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DateTime } from 'luxon';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CampaignClock } from '../../obligations/clock';
import { loadPlanText } from '../../deadlines/load';
import { advanceTo, campaignKey, campaignTimeOf, startEngineEnv, type EngineEnv } from '../support/engine-env';
import { uniqueId } from '../support/temporal';

const PLAN_FILE = fileURLToPath(new URL('../../definitions/demo.yaml', import.meta.url));
const ZONE = 'Asia/Shanghai';
const local = (mmddhhmm: string) => DateTime.fromFormat(`2024-${mmddhhmm}`, 'yyyy-MM-dd HH:mm', { zone: ZONE }).toISO()!;
const W1 = 'weekly-stats@2024-03-06';

describe('SMTP failures during a campaign (time-skipping server, real SMTP server on loopback)', () => {
  let e: EngineEnv;
  beforeEach(async () => {
    e = await startEngineEnv();
  });
  afterEach(async () => {
    await e?.teardown();
  });

  async function startDemo() {
    const id = uniqueId('demo');
    const r = loadPlanText(readFileSync(PLAN_FILE, 'utf8').replace(/^  id: demo$/m, `  id: ${id}`), 'demo.yaml');
    if (!r.ok) throw new Error('demo plan does not compile');
    await e.client.start(r.plan, { workflowId: `campaign/${id}`, clock: { mode: 'rehearsal', scale: 1, startAt: local('03-03 23:00') } });
    const clock: CampaignClock = (await e.client.info(id)).clock;
    const mine = () => e.sink.messages.filter((m) => campaignKey(m).startsWith(`${id}/`));
    return { id, clock, mine, at: (t: string) => advanceTo(e, clock, local(t)) };
  }

  it('server down for two days of campaign time: everything due meanwhile arrives after it is back, exactly once', async () => {
    const c = await startDemo();
    await c.at('03-05 11:00');
    const before = c.mine().length;
    expect(before).toBe(3); // the launch notices
    await e.sink.setFailure({ kind: 'down' });
    await c.at('03-07 13:00');
    expect(c.mine()).toHaveLength(before);
    await e.sink.setFailure({ kind: 'none' });
    await c.at('03-07 15:00');

    const late = c.mine().slice(before);
    const keys = late.map((m) => campaignKey(m).slice(c.id.length + 1).replace(/@\d{8}T\d{6}Z$/, '').replace(/^coordinator-digest\/.*/, 'coordinator-digest')).sort();
    // Due while the server was down: reminders 03-05 12:00 and 03-06 10:00 to all three, the
    // at-due escalation and the roll-up at 03-06 12:00, the coordinator's digest at 03-07 12:00.
    expect(keys).toEqual(
      [
        ...['east', 'north', 'west'].flatMap((d) => [`${W1}/${d}/reminder-1d`, `${W1}/${d}/reminder-2h`, `${W1}/${d}/escalation-1`]),
        `${W1}/rollup`,
        'coordinator-digest',
      ].sort(),
    );
    for (const m of late) expect(campaignTimeOf(e, c.clock, m)).toBeGreaterThanOrEqual(Date.parse(local('03-07 13:00')));
    expect(new Set(late.map((m) => m.messageId)).size).toBe(late.length);
  });

  it('a recipient refused with 550 is not retried, is reported in the status, and the other recipients get the message', async () => {
    await e.sink.setFailure({ kind: 'reject-recipient', address: 'north-leader@demo.example' });
    const c = await startDemo();
    await c.at('03-06 12:30');
    const overdue = c.mine().filter((m) => campaignKey(m) === `${c.id}/${W1}/north/escalation-1@20240306T040000Z`);
    expect(overdue).toHaveLength(1);
    expect(overdue[0]!.envelope.rcptTo).toEqual(['north@demo.example']);
    // One RCPT attempt for the refused address, no retry.
    expect(e.sink.events.filter((ev) => ev.phase === 'rcpt' && ev.address === 'north-leader@demo.example')).toHaveLength(1);
    const { obligations } = await e.client.status(c.id);
    const north = obligations.find((o) => o.occurrence === W1 && o.department === 'north')!;
    const entry = north.deliveries.find((d) => d.step.startsWith('escalation-1'))!;
    expect(entry.sent).toEqual(['north@demo.example']);
    expect(entry.failed).toEqual([{ address: 'north-leader@demo.example', reason: expect.stringMatching(/^550/) }]);
    // The coordinator's digest one working day later names the refused address.
    await c.at('03-07 12:30');
    const digest = c.mine().find((m) => campaignKey(m).startsWith(`${c.id}/coordinator-digest/`))!;
    expect(digest.text).toContain('north-leader@demo.example');
    expect(digest.text).toContain('拒收');
  });
});
