/**
 * Fault (5): the coordinator amends the plan (`campaign amend --yes`) while reminders are going
 * out: the SMTP server has the first of the Sunday 03-10 12:00 reminders and holds its 250 until
 * the amendment has been applied, so the shard takes the new plan with the old plan's batch still
 * in flight. The amendment adds a district (south), removes one (north) and adds a deadline (a
 * summary report due Friday 03-15 18:00).
 *
 * Plan test/faults/plans/two-weeks.yaml (9 obligations), amended to 12 in plan, at 1 day = 6 s.
 *
 * Asserted, exactly:
 * - what was sent before the amendment is never sent again, and from then on the new plan holds:
 *   the messages are the old plan's oracle up to the batch in flight, the new plan's after it, and
 *   south's launch notice when it joined — each accepted once;
 * - south's obligations already due when it joined (contacts, first week) are excused, its others
 *   owed; north's records stay (its contacts submission is kept) but leave the plan and the totals;
 * - the final states: east's first week and summary, south's second week on time, 2 excused,
 *   7 missing (totals 12 / 3 / 0 / 2 / 7); each week's summary totals equal the figures accepted.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Amendment } from '../../workflows/campaign.messages';
import type { Run } from '../support/run-cli';
import { until } from '../support/until';
import { expectEachMessageOnce, expectFinalSummary, expectedMessages, receivedRows, submittedAs } from './checks';
import { CONTACTS, ID, PLAN, W1, W2, WF, compile, keyOf, onFirstMessage, sleep, startRehearsal, untilCampaign, useStack } from './stack';

const SUMMARY = 'summary@2024-03-15';
/** The batch the amendment lands in. */
const FIRING = '2024-03-10T12:00:00+08:00';

/** The plan with south instead of north and a summary report due 03-15. */
function amendedPlan(dir: string): string {
  const text = readFileSync(PLAN, 'utf8');
  const north = /  - id: north\n(    .*\n)+/.exec(text)![0];
  const amended = text
    .replace(
      north,
      `  - id: south
    name: 南区人社局
    groups: [districts]
    contacts: [{ name: 联络员, email: south@faults.example }]
    leaders: [{ name: 分管领导, email: south-leader@faults.example }]
`,
    )
    .concat(
      `
  - id: summary
    title: 活动总结
    quote: 3月15日前报送活动总结
    from: [districts]
    submit: { report: true, attachments: false }
    schedule: { date: 2024-03-15 }
`,
    );
  const file = path.join(dir, 'two-weeks-amended.yaml');
  writeFileSync(file, amended);
  return file;
}

describe('fault: the plan is amended while reminders are being sent', () => {
  const stackOf = useStack('amend');

  it('never re-sends, takes the new plan from then on, and the summary adds up', async () => {
    const stack = stackOf();
    const t0 = Date.now();
    const amendedFile = amendedPlan(stack.dir);
    const next = compile(amendedFile);
    const { plan, clock } = await startRehearsal(stack);

    await untilCampaign(clock, '2024-03-04T02:00:00+08:00');
    const eastW1Figures = { fairs: 2, hired: 25, hired_women: 10 };
    const [eastW1, northContacts] = await Promise.all([
      stack.submit(ID, { department: 'east', deadline: 'weekly-stats', occurrence: W1, values: eastW1Figures }),
      stack.submit(ID, { department: 'north', deadline: 'contacts', report: '联络员：赵六' }),
    ]);
    expect([eastW1.late, northContacts.late]).toEqual([false, false]);

    // The amendment, while the 03-10 12:00 reminders are being sent (the first one's 250 held, at
    // most 15 s: the mailer's socket timeout is 20 s).
    let amend: Run | undefined;
    let appliedWhileHeld = false;
    const held = await onFirstMessage(
      stack.sink,
      (m) => new RegExp(`^${ID}/${W2}/[a-z]+/reminder-3d$`).test(keyOf(m)),
      async () => {
        const running = stack.cli(['amend', ID, amendedFile, '--yes', '--json']).then((r) => (amend = r));
        await Promise.race([running, sleep(15_000)]);
        appliedWhileHeld = amend !== undefined;
      },
    );
    expect(keyOf(held)).toMatch(/reminder-3d$/);
    await until('the amendment to finish', () => amend, 60_000);
    expect(amend!.code, amend!.stderr).toBe(0);
    const { amendment } = JSON.parse(amend!.stdout) as { amendment: Amendment };
    expect(amendment).toMatchObject({ added: ['south'], removed: ['north'] });
    const amendedAt = Date.parse(amendment.at);
    // It was applied while the batch was in flight (the shard was still sending it).
    expect(appliedWhileHeld).toBe(true);
    expect(amendedAt).toBeGreaterThan(Date.parse(FIRING));

    // Under the new plan: south's second week and east's summary report, on time.
    await untilCampaign(clock, new Date(Math.max(amendedAt, Date.parse('2024-03-11T14:00:00+08:00'))).toISOString());
    const southW2Figures = { fairs: 4, hired: 33, hired_women: 17 };
    const [southW2, eastSummary] = await Promise.all([
      stack.submit(ID, { department: 'south', deadline: 'weekly-stats', occurrence: W2, values: southW2Figures }),
      stack.submit(ID, { department: 'east', deadline: 'summary', report: '东区活动总结：共举办招聘会5场' }),
    ]);
    expect([southW2.late, eastSummary.late]).toEqual([false, false]);

    const status = await stack.client.status(ID);
    const result = await stack.result(WF, 300_000);
    const wall = Date.now() - t0;

    // Messages: the old plan's up to the batch in flight, the new plan's after it, south's launch.
    const cut = Date.parse(FIRING);
    const before = expectedMessages(plan, [eastW1, northContacts].map(submittedAs)).filter((r) => r.atMs <= cut);
    const southExcused = [CONTACTS, W1].map((occurrence) => ({ occurrence, department: 'south', at: amendedAt, excused: true }));
    const after = expectedMessages(next, [...[eastW1, southW2, eastSummary].map(submittedAs), ...southExcused]).filter((r) => r.atMs > cut);
    const expected = [...before, ...after].map((r) => r.row).concat('launch launch/south to:south@faults.example').sort();
    await expectEachMessageOnce(stack, ID, expected);
    // North's messages all belong to the old plan up to the batch in flight; south's to the new one.
    const beforeRows = new Set(before.map((r) => r.row));
    const received = receivedRows(stack.sink, ID);
    expect(received.filter((r) => r.includes('north@') && !beforeRows.has(r))).toEqual([]);
    const afterRows = new Set(after.map((r) => r.row));
    expect(received.filter((r) => r.includes('south@') && !afterRows.has(r))).toEqual(['launch launch/south to:south@faults.example']);

    // North's records are kept (its submission is not lost) but are out of the plan.
    const northViews = status.obligations.filter((o) => o.department === 'north');
    expect(northViews.map((o) => [o.occurrence, o.inPlan, o.versions.length]).sort()).toEqual([
      [CONTACTS, false, 1],
      [W1, false, 0],
      [W2, false, 0],
    ]);
    expect(status.obligations.filter((o) => o.department === 'south' && o.status === 'excused').map((o) => o.occurrence).sort()).toEqual([CONTACTS, W1]);

    const table = await expectFinalSummary(stack.blobs, result, { obligations: 12, onTime: 3, late: 0, excused: 2, missing: 7 }, {
      [CONTACTS]: { east: 'pending', west: 'pending', south: 'excused' },
      [W1]: { east: 'submitted', west: 'pending', south: 'excused' },
      [W2]: { east: 'pending', west: 'pending', south: 'submitted' },
      [SUMMARY]: { east: 'submitted', west: 'pending', south: 'pending' },
    });
    expect(table(W1).totals).toEqual({ ...eastW1Figures, remark: null });
    expect(table(W2).totals).toEqual({ ...southW2Figures, remark: null });
    expect(table(W1).missing).toEqual(['west']);
    expect(table(SUMMARY).missing).toEqual(['west', 'south']);

    console.log(
      `amend-while-firing: amended at ${new Date(amendedAt).toISOString()} (batch of ${FIRING} in flight); ${expected.length} messages, each once; ${(wall / 1000).toFixed(0)} s`,
    );
  });
});
