/**
 * Fault (1): the worker process is SIGKILLed twice during a rehearsal and started again each time:
 * once mid-campaign with nothing being sent (Monday 03-04, after the launch notices), once
 * mid-send — inside the SMTP transaction of the first of the reminders due Sunday 03-10 12:00,
 * after the SMTP server stored it and before it answered 250, the window in which the sender
 * cannot know.
 *
 * "Exactly once", as mail/delivery/ledger.ts states it: every message is accepted by the SMTP server at
 * least once, always under its one deterministic Message-ID; a second copy is possible only for a
 * message whose send was in flight when the worker died (its ledger record was left `sending`,
 * and the retry resends it once, counting it in `unconfirmedAttempts`) — at most the messages then
 * in flight (the batch had 2; the send concurrency is SMTP_POOL_MAX_CONNECTIONS = 5).
 *
 * The killed batch's activity is taken up again only after its heartbeat timeout (2 minutes), so
 * this scenario takes about three minutes. A submission made meanwhile (with the CLI) is accepted at
 * once; the shard, still held at 03-10 12:00, then sends nothing more to that department for it.
 *
 * Plan test/faults/plans/two-weeks.yaml (9 obligations) at 1 campaign day = 6 s.
 *
 * Asserted, exactly:
 * - the distinct messages (one row per Message-ID) are the oracle's: nothing lost, nothing extra;
 * - the message the worker died in arrived exactly twice, with the same Message-ID; every message
 *   that arrived twice was in that batch, arrived at most twice, and is recorded with an
 *   unconfirmed attempt; no (Message-ID, recipient) has more copies than 1 + its unconfirmed
 *   attempts; the idle kill caused no copy at all;
 * - no submission was lost: the 3 made between the kills and the 1 made while the batch was held
 *   are in the final states, which are: east's second week on time, west's contacts, north's and
 *   west's first week late, 5 missing (totals 9 / 1 / 3 / 0 / 5); each week's summary totals
 *   equal the sum of the figures accepted for it.
 */
import { describe, expect, it } from 'vitest';
import { until } from '../support/until';
import { copyCounts, expectFinalSummary, expectedMessages, ledgerIdle, receivedRows, rowsOf, submittedAs, weekTotals } from './checks';
import { CONTACTS, ID, W1, W2, WF, cliSubmit, formFile, keyOf, onFirstMessage, startRehearsal, untilCampaign, useStack } from './stack';

/** The batch the worker dies in: the second week's three-day reminders (Sunday 03-10 12:00). */
const BATCH = '2024-03-10T12:00:00+08:00';
const BATCH_KEY = new RegExp(`^${ID}/${W2}/[a-z]+/reminder-3d$`);

describe('fault: the worker is SIGKILLed mid-campaign and mid-send, and started again', () => {
  const stackOf = useStack('worker');

  it('goes on with nothing lost, at most the in-flight messages sent again (same Message-ID), and the summary adds up', async () => {
    const stack = stackOf();
    const t0 = Date.now();
    const { plan, clock } = await startRehearsal(stack);

    // Kill 1, mid-campaign, nothing in flight: the launch notices are out, the next batch is 03-05 12:00.
    await until('the three launch notices', () => (stack.sink.messages.filter((m) => /\/launch\/[a-z]+\/launch$/.test(keyOf(m))).length === 3 ? true : undefined));
    await untilCampaign(clock, '2024-03-04T06:00:00+08:00');
    await ledgerIdle(stack.stores.db);
    const beforeKill1 = stack.sink.messages.length;
    await stack.killWorker();
    await stack.startWorker();

    // Between the kills, on the weekend (no message due for these obligations until 03-10 12:00):
    // east's second week on time, west's contacts and north's first week late (from this process:
    // they must land in that window).
    await untilCampaign(clock, '2024-03-08T22:00:00+08:00');
    const eastW2Figures = { fairs: 5, hired: 60, hired_women: 20 };
    const northW1Figures = { fairs: 1, hired: 8, hired_women: 3 };
    const [eastW2, westContacts, northW1] = await Promise.all([
      stack.submit(ID, { department: 'east', deadline: 'weekly-stats', occurrence: W2, values: eastW2Figures }),
      stack.submit(ID, { department: 'west', deadline: 'contacts', report: '联络员：王五' }),
      stack.submit(ID, { department: 'north', deadline: 'weekly-stats', occurrence: W1, values: northW1Figures }),
    ]);
    for (const r of [eastW2, westContacts, northW1]) expect(Date.parse(r.receivedAt)).toBeLessThan(Date.parse('2024-03-10T12:00:00+08:00'));
    expect([eastW2.late, westContacts.late, northW1.late]).toEqual([false, true, true]);

    // Kill 2, mid-send: inside the first SMTP transaction of the 03-10 12:00 batch, before the 250.
    let killedAt = 0;
    const hit = await onFirstMessage(stack.sink, (m) => BATCH_KEY.test(keyOf(m)), async () => {
      await stack.killWorker();
      killedAt = Date.now();
    });
    await stack.startWorker();
    const restartedAt = Date.now();

    // While the batch is held up, west submits its first week (late) with the CLI, which waits for
    // the new worker; that accepts it at once.
    const westW1Figures = { fairs: 2, hired: 15, hired_women: 6 };
    const cliStarted = Date.now();
    const westW1 = await cliSubmit(stack, ID, ['--department', 'west', '--deadline', 'weekly-stats', '--occurrence', W1, '--file', formFile(stack, 'west-w1', westW1Figures)]);
    const cliMs = Date.now() - cliStarted;
    expect(westW1).toMatchObject({ version: 1, late: true });

    const result = await stack.result(WF, 420_000);
    const wall = Date.now() - t0;

    // The distinct messages are the oracle's.
    const submitted = [eastW2, westContacts, northW1].map(submittedAs);
    // The shard had sent up to the batch (inclusive) when it took west's first week: nothing after.
    submitted.push({ occurrence: W1, department: 'west', at: Date.parse(westW1.receivedAt), shardAt: Date.parse(BATCH) + 1 });
    const expected = expectedMessages(plan, submitted);
    expect(receivedRows(stack.sink, ID)).toEqual(rowsOf(expected));

    // Copies: the stated bound, exactly.
    const { counts, unseen } = await copyCounts(stack.sink, ID, stack.stores.db);
    expect(unseen).toEqual([]);
    expect(counts.filter((c) => c.record?.state !== 'sent')).toEqual([]);
    expect(counts.filter((c) => c.copies > 1 + c.record!.unconfirmedAttempts)).toEqual([]);
    const twice = counts.filter((c) => c.copies > 1);
    expect(twice.filter((c) => c.copies !== 2 || !BATCH_KEY.test(c.key))).toEqual([]);
    // The reminder the worker died in (one recipient, the department's contact): twice.
    expect(counts.filter((c) => c.messageId === hit.messageId).map((c) => [c.key, c.copies, c.record!.unconfirmedAttempts])).toEqual([[keyOf(hit), 2, 1]]);
    const twiceMessages = new Set(twice.map((c) => c.messageId));
    expect(twiceMessages.size).toBeLessThanOrEqual(2);
    for (const id of twiceMessages) {
      const copies = stack.sink.messages.filter((m) => m.messageId === id);
      expect(copies).toHaveLength(2);
      expect(keyOf(copies[1]!)).toBe(keyOf(copies[0]!));
      // The first copy went out before the kill, the second from the worker started after it.
      expect(copies[0]!.receivedAt.getTime()).toBeLessThanOrEqual(killedAt);
      expect(copies[1]!.receivedAt.getTime()).toBeGreaterThanOrEqual(restartedAt);
    }
    // The idle kill: nothing sent twice from before it.
    expect(twice.filter((c) => stack.sink.messages.findIndex((m) => m.messageId === c.messageId) < beforeKill1)).toEqual([]);

    // Final states and summary.
    const table = await expectFinalSummary(stack.blobs, result, { obligations: 9, onTime: 1, late: 3, excused: 0, missing: 5 }, {
      [CONTACTS]: { east: 'pending', west: 'late', north: 'pending' },
      [W1]: { east: 'pending', west: 'late', north: 'late' },
      [W2]: { east: 'submitted', west: 'pending', north: 'pending' },
    });
    expect(table(W1).totals).toEqual(weekTotals(northW1Figures, westW1Figures));
    expect(table(W1).totals).toEqual({ fairs: 3, hired: 23, hired_women: 9, remark: null });
    expect(table(W1).missing).toEqual(['east']);
    expect(table(W2).totals).toEqual({ ...eastW2Figures, remark: null });
    expect(table(W2).missing).toEqual(['west', 'north']);

    console.log(
      `worker-kill: ${expected.length} distinct messages; killed idle after ${beforeKill1} and mid-send in ${keyOf(hit)}; ` +
        `${twiceMessages.size} message(s) sent twice (${twice.map((c) => `${c.key.replace(`${ID}/`, '')} to ${c.recipient}`).join(', ')}); ` +
        `west's submission during the hold took ${(cliMs / 1000).toFixed(1)} s (accepted at ${westW1.receivedAt}); ${(wall / 1000).toFixed(0)} s`,
    );
  });
});
