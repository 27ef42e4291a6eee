/**
 * Fault (3): the SMTP server is down for a stretch of campaign time — a whole campaign day, from
 * Wednesday 03-06 06:00 to Thursday 03-07 06:00, through the due day of both first deadlines — and
 * comes back on the same port. Nothing in the engine is told: sends fail with "connection
 * refused", Temporal retries the activities (10 s, then 20 s…), the ledger skips what went out.
 *
 * Plan test/faults/plans/two-weeks.yaml (9 obligations) at 1 campaign day = 6 s.
 *
 * Asserted, exactly:
 * - every message the timeline calls for arrived, and nothing else (the oracle's rows): what fell
 *   due during the outage came after it, and a receipt for a submission made during the outage too;
 * - each (Message-ID, recipient) was accepted exactly once, and the ledger records each `sent`
 *   with no unconfirmed attempt (a refused connection is a definite "not sent");
 * - the ledger shows the outage: the messages tried while the server was down — the 03-06 10:00
 *   reminders (west and north; east had submitted) and the 12:00 roll-up — took exactly 2 SMTP
 *   attempts, every other message exactly 1;
 * - the final states: east's first week and west's second week on time, north's contacts late,
 *   6 missing (totals 9 / 2 / 1 / 0 / 6); each week's summary totals equal the figures accepted.
 */
import { describe, expect, it } from 'vitest';
import { expectEachMessageOnce, expectFinalSummary, expectedMessages, ledgerIdle, rowsOf, submittedAs } from './checks';
import { CONTACTS, ID, W1, W2, WF, cliSubmit, startRehearsal, untilCampaign, useStack } from './stack';

const DOWN = '2024-03-06T06:00:00+08:00';
const UP = '2024-03-07T06:00:00+08:00';

describe('fault: the SMTP server is down for a campaign day', () => {
  const stackOf = useStack('smtp');

  it('delivers everything due in the outage once after it, and the summary adds up', async () => {
    const stack = stackOf();
    const t0 = Date.now();
    const { plan, clock } = await startRehearsal(stack);

    await untilCampaign(clock, '2024-03-04T02:00:00+08:00');
    const eastW1Figures = { fairs: 2, hired: 30, hired_women: 11 };
    const eastW1 = await stack.submit(ID, { department: 'east', deadline: 'weekly-stats', occurrence: W1, values: eastW1Figures });
    expect(eastW1.late).toBe(false);

    // Down at 03-06 06:00 (nothing is being sent then: the last batch was 03-05 18:00).
    await untilCampaign(clock, DOWN);
    await ledgerIdle(stack.stores.db);
    await stack.sink.setFailure({ kind: 'down' });
    const before = stack.sink.messages.length;

    // During the outage west submits its second week: accepted now, its receipt mailed after.
    await untilCampaign(clock, '2024-03-06T14:00:00+08:00');
    const westW2Figures = { fairs: 1, hired: 9, hired_women: 4 };
    const westW2 = await stack.submit(ID, { department: 'west', deadline: 'weekly-stats', occurrence: W2, values: westW2Figures });
    expect(westW2.late).toBe(false);
    expect(Date.parse(westW2.receivedAt)).toBeLessThan(Date.parse(UP));

    // Back at 03-07 06:00 on the same port: nothing arrived while it was down.
    await untilCampaign(clock, UP);
    expect(stack.sink.messages.length).toBe(before);
    await stack.sink.setFailure({ kind: 'none' });

    // After it: north's contacts, late, with the CLI (the weekend, between two of its escalations).
    await untilCampaign(clock, '2024-03-08T22:00:00+08:00');
    const northContacts = await cliSubmit(stack, ID, ['--department', 'north', '--deadline', 'contacts', '--report', '联络员：李四']);
    expect(northContacts.late).toBe(true);

    const result = await stack.result(WF, 300_000);
    const wall = Date.now() - t0;

    const expected = expectedMessages(plan, [eastW1, westW2, northContacts].map(submittedAs));
    const counts = await expectEachMessageOnce(stack, ID, rowsOf(expected));
    expect(counts.filter((c) => c.record?.state !== 'sent' || c.record.unconfirmedAttempts !== 0)).toEqual([]);
    // Tried during the outage (the first attempt refused, the retry after it delivered): the
    // 03-06 10:00 reminders and the 12:00 roll-up; everything else went out at its first attempt.
    const retried = counts.filter((c) => c.record!.attempts !== 1).map((c) => `${c.key} ${c.recipient} x${c.record!.attempts}`);
    expect(retried).toEqual([
      `${ID}/${W1}/north/reminder-2h north@faults.example x2`,
      `${ID}/${W1}/rollup office@faults.example x2`,
      `${ID}/${W1}/west/reminder-2h west@faults.example x2`,
    ]);

    const table = await expectFinalSummary(stack.blobs, result, { obligations: 9, onTime: 2, late: 1, excused: 0, missing: 6 }, {
      [CONTACTS]: { east: 'pending', west: 'pending', north: 'late' },
      [W1]: { east: 'submitted', west: 'pending', north: 'pending' },
      [W2]: { east: 'pending', west: 'submitted', north: 'pending' },
    });
    expect(table(W1).totals).toEqual({ ...eastW1Figures, remark: null });
    expect(table(W2).totals).toEqual({ ...westW2Figures, remark: null });
    expect(table(W1).missing).toEqual(['west', 'north']);
    expect(table(W2).missing).toEqual(['east', 'north']);

    console.log(`smtp-outage: ${expected.length} messages, each once; ${retried.length} tried during the outage and delivered after it; ${(wall / 1000).toFixed(0)} s`);
  });
});
