/**
 * Fault (2): the Temporal dev server itself stops in the middle of a rehearsal — while a batch of
 * reminders is being sent: the SMTP server holds its 250 to the first of them meanwhile — stays
 * down for a stretch of campaign time (5 s, most of a campaign day) and comes back from its SQLite
 * file on the same port. The worker process keeps running throughout; the batch finishes against
 * the restarted server. (Were the server down for more than ~10 s after a batch finished, the SDK
 * would give up reporting it and Temporal would retry the batch after its 2-minute heartbeat
 * timeout — the ledger then skips every message — which would only make this test slower.)
 *
 * Plan test/faults/plans/two-weeks.yaml (3 districts, a one-off report due 03-06 18:00 and a weekly
 * table due Wednesdays 12:00; 9 obligations) played at 1 campaign day = 6 s.
 *
 * Asserted, exactly:
 * - every message the timeline calls for arrived, and nothing else (the oracle's rows);
 * - each (Message-ID, recipient) was accepted by the SMTP server exactly once, and the ledger
 *   records every one of them `sent` with no unconfirmed attempt; no activity needed a second
 *   attempt: a server outage is not a reason to send anything twice;
 * - a submission attempted through the CLI while the server is down fails loudly (exit 69, one
 *   line) and records nothing; the same command run after the restart is accepted once (version 1,
 *   late) and a third run gets the same receipt;
 * - the final states: east submitted contacts and the first week on time, west the first week late,
 *   the 6 others missing (totals 9 / 2 on time / 1 late / 0 excused / 6 missing), and the summary's
 *   totals for each week equal the sum of the figures accepted for it.
 */
import { describe, expect, it } from 'vitest';
import type { Run } from '../support/run-cli';
import { activityAttempts, expectEachMessageOnce, expectFinalSummary, expectedMessages, rowsOf, submittedAs, weekTotals } from './checks';
import { CONTACTS, ID, W1, W2, WF, cliSubmit, formFile, keyOf, onFirstMessage, sleep, startRehearsal, untilCampaign, useStack } from './stack';

describe('fault: the Temporal dev server stops mid-send and restarts from its SQLite file', () => {
  const stackOf = useStack('server');

  it('loses nothing, sends nothing twice, and the summary adds up', async () => {
    const stack = stackOf();
    const t0 = Date.now();
    const { plan, clock } = await startRehearsal(stack);

    // Before the outage: east submits its contacts and the first week, on time.
    await untilCampaign(clock, '2024-03-04T02:00:00+08:00');
    const eastWeek = { fairs: 3, hired: 40, hired_women: 15 };
    const [eastContacts, eastW1] = await Promise.all([
      stack.submit(ID, { department: 'east', deadline: 'contacts', report: '联络员：张三，电话 010-0000000' }),
      stack.submit(ID, { department: 'east', deadline: 'weekly-stats', occurrence: W1, values: eastWeek }),
    ]);
    expect([eastContacts.late, eastW1.late]).toEqual([false, false]);

    // The server goes down while the 03-06 10:00 reminders are being sent: the SMTP server has the
    // first one and holds its 250 while the dev server stops, stays down for a stretch of campaign
    // time (5 s, most of a campaign day) and restarts from the same file on the same port. The
    // CLI is tried meanwhile. The reply is held at most 12 s (the mailer's socket timeout is 20 s).
    const westWeek = { fairs: 1, hired: 12, hired_women: 5 };
    const westArgs = ['--department', 'west', '--deadline', 'weekly-stats', '--occurrence', W1, '--file', formFile(stack, 'west-w1', westWeek)];
    let refused: Run | undefined;
    let downMs = 0;
    let restarted: Promise<void> | undefined;
    const hit = await onFirstMessage(
      stack.sink,
      (m) => new RegExp(`^${ID}/${W1}/[a-z]+/reminder-2h$`).test(keyOf(m)),
      async () => {
        const t = Date.now();
        await stack.stopServer();
        // While it is down, the CLI cannot submit: one line, exit 69, nothing recorded.
        refused = await stack.cli(['submit', ID, ...westArgs, '--json']);
        await sleep(t + 5_000 - Date.now());
        restarted = stack.startServer().then(() => void (downMs = Date.now() - t));
        await Promise.race([restarted, sleep(t + 12_000 - Date.now())]);
      },
    );
    await restarted;
    expect(keyOf(hit)).toMatch(/reminder-2h$/);
    expect(refused!.code).toBe(69);
    expect(refused!.stderr).toBe(`campaign: cannot reach Temporal at ${stack.address}: is the dev server running? (npm start)\n`);
    expect(refused!.stdout).toBe('');

    // After the restart: the command that failed, run again, is accepted once (late by then);
    // a third run is answered with the same receipt, marked as a duplicate: version 1 still.
    await untilCampaign(clock, '2024-03-08T20:00:00+08:00');
    const westW1 = await cliSubmit(stack, ID, westArgs);
    expect(westW1).toMatchObject({ department: 'west', occurrence: W1, version: 1, late: true, duplicate: false });
    const again = await cliSubmit(stack, ID, westArgs);
    expect(again).toEqual({ ...westW1, duplicate: true });

    const result = await stack.result(WF, 300_000);
    const wall = Date.now() - t0;

    // The batch in flight when the server stopped completed against the restarted server: no
    // activity of the campaign or its shard needed a second attempt.
    for (const wf of [WF, `${WF}/shard-000`]) {
      const attempts = await activityAttempts(stack.client.temporal, wf);
      expect(attempts.length).toBeGreaterThan(0);
      expect(attempts.filter((a) => a.attempt !== 1)).toEqual([]);
    }

    // Messages: exactly the oracle's, each accepted once, each recorded sent with no unconfirmed attempt.
    const expected = expectedMessages(plan, [eastContacts, eastW1, westW1].map(submittedAs));
    const counts = await expectEachMessageOnce(stack, ID, rowsOf(expected));
    expect(counts.filter((c) => c.record?.state !== 'sent' || c.record.unconfirmedAttempts !== 0)).toEqual([]);
    // The check against the refused submission: no receipt for it besides the one accepted later.
    expect(stack.sink.messages.filter((m) => new RegExp(`^${ID}/${W1}/west/receipt-`).test(keyOf(m)))).toHaveLength(1);

    // Final states and the summary.
    const table = await expectFinalSummary(stack.blobs, result, { obligations: 9, onTime: 2, late: 1, excused: 0, missing: 6 }, {
      [CONTACTS]: { east: 'submitted', west: 'pending', north: 'pending' },
      [W1]: { east: 'submitted', west: 'late', north: 'pending' },
      [W2]: { east: 'pending', west: 'pending', north: 'pending' },
    });
    expect(table(W1).totals).toEqual(weekTotals(eastWeek, westWeek));
    expect(table(W1).totals).toEqual({ fairs: 4, hired: 52, hired_women: 20, remark: null });
    expect(table(W1).missing).toEqual(['north']);
    expect(table(W2).totals).toEqual({ fairs: 0, hired: 0, hired_women: 0, remark: null });
    expect(table(W2).missing).toEqual(['east', 'west', 'north']);
    expect(table(CONTACTS).missing).toEqual(['west', 'north']);

    console.log(
      `server-restart: ${expected.length} messages, each once; server down ${(downMs / 1000).toFixed(1)} s mid-send; ` +
        `worker ${stack.workers[0]!.alive() ? 'survived' : 'DIED'}; ${(wall / 1000).toFixed(0)} s`,
    );
    // The worker process rode out the outage.
    expect(stack.workers).toHaveLength(1);
    expect(stack.workers[0]!.alive()).toBe(true);
  });
});
