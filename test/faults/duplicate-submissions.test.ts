/**
 * Fault (4): the same submission arrives twice — through the portal (a double click: the form
 * posted twice at once, then once more) and through the CLI (the same command run twice at once,
 * then again) — and across the two channels (the portal's receipt id given to the CLI).
 *
 * The portal and the worker run as processes, as in `npm start`; each department's link is taken
 * from its launch notice at the SMTP server. Plan test/faults/plans/two-weeks.yaml (9 obligations)
 * at 1 campaign day = 6 s.
 *
 * Asserted, exactly:
 * - east's first week posted 3 times (2 at once) through the portal: one submission (version 1),
 *   one receipt id shown 3 times, one receipt email; the same for its contacts report posted twice;
 * - west's `campaign submit` for the second week run 3 times (2 at once): one submission, the same
 *   receipt 3 times, one receipt email; west's late contacts submitted twice at once: one;
 * - north's second week through the portal, then the CLI with the portal's receipt id
 *   (`--submission-id`): the portal's receipt, nothing new. Then the CLI without an id (its own
 *   key, a hash of the content — a different key from the portal's): a new version 2 with the same
 *   figures — a correction, with its own receipt email — which neither changes north's on-time
 *   state nor counts twice in the totals;
 * - 13 attempts, 6 versions, 6 receipt emails; every message of the timeline and no other, each
 *   accepted once;
 * - final states: east's first week and contacts, west's and north's second week on time, west's
 *   contacts late, 4 missing (totals 9 / 4 / 1 / 0 / 4); the first week's summary totals are
 *   east's figures, the second week's the sum of west's and north's (north's latest version, once).
 */
import { describe, expect, it } from 'vitest';
import { until } from '../support/until';
import { expectEachMessageOnce, expectFinalSummary, expectedMessages, rowsOf, weekTotals, type Submitted } from './checks';
import { CONTACTS, ID, W1, W2, WF, cliSubmit, formFile, keyOf, portalLinks, startRehearsal, untilCampaign, useStack } from './stack';

interface PortalReceipt {
  status: number;
  submissionId?: string;
  version?: number;
  late: boolean;
}

describe('fault: the same submission twice, through the portal and the CLI', () => {
  const stackOf = useStack('dupes', { portal: true });

  it('records each submission once, and the summary adds up', async () => {
    const stack = stackOf();
    const t0 = Date.now();
    /** Posts a department's form the way its page does (CSRF token from the page, same Origin). */
    const portalPost = async (link: string, fields: Record<string, string>): Promise<PortalReceipt> => {
      const page = await fetch(link);
      expect(page.status).toBe(200);
      const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1];
      expect(csrf).toBeTruthy();
      const fd = new FormData();
      fd.append('csrf', csrf!);
      for (const [k, v] of Object.entries(fields)) fd.append(k, v);
      const res = await fetch(`${link}/submit`, { method: 'POST', body: fd, headers: { origin: stack.portalUrl } });
      const text = await res.text();
      return {
        status: res.status,
        submissionId: /portal-[0-9a-f]{40}/.exec(text)?.[0],
        version: Number(/第(\d+)版/.exec(text)?.[1] ?? NaN),
        late: text.includes('迟报（'),
      };
    };
    const weekFields = (occurrence: string, v: { fairs: number; hired: number; hired_women: number }) => ({
      deadline: 'weekly-stats',
      occurrence,
      'v.fairs': String(v.fairs),
      'v.hired': String(v.hired),
      'v.hired_women': String(v.hired_women),
      'v.remark': '',
      report: '',
    });

    const { plan, clock } = await startRehearsal(stack);
    // Each department's own link, from its launch notice.
    const links = await until('the three launch notices with their links', () => {
      const l = portalLinks(stack.sink, ID, stack.portalUrl);
      return Object.keys(l).length === 3 ? l : undefined;
    });
    await untilCampaign(clock, '2024-03-04T01:00:00+08:00');

    // east, through the portal: its first week posted twice at once (a double click), then once more
    // (the browser resending it); its contacts report posted twice.
    const east = { fairs: 3, hired: 40, hired_women: 15 };
    const [eastPosts, eastContactsPosts] = await Promise.all([
      (async () => {
        const both = await Promise.all([portalPost(links.east!, weekFields(W1, east)), portalPost(links.east!, weekFields(W1, east))]);
        return [...both, await portalPost(links.east!, weekFields(W1, east))];
      })(),
      (async () => {
        const fields = { deadline: 'contacts', occurrence: CONTACTS, report: '联络员：张三，电话 010-0000000' };
        return [await portalPost(links.east!, fields), await portalPost(links.east!, fields)];
      })(),
    ]);
    for (const p of [...eastPosts, ...eastContactsPosts]) expect(p).toMatchObject({ status: 200, version: 1, late: false });
    expect(new Set(eastPosts.map((p) => p.submissionId)).size).toBe(1);
    expect(new Set(eastContactsPosts.map((p) => p.submissionId)).size).toBe(1);

    // The second week opens at 03-06 12:00; nothing is due for it before 03-10 12:00.
    await untilCampaign(clock, '2024-03-06T14:00:00+08:00');
    const west = { fairs: 1, hired: 12, hired_women: 5 };
    const north = { fairs: 2, hired: 21, hired_women: 9 };
    const westArgs = ['--department', 'west', '--deadline', 'weekly-stats', '--occurrence', W2, '--file', formFile(stack, 'west-w2', west)];
    const northFile = formFile(stack, 'north-w2', north);
    const [westRuns, northRuns] = await Promise.all([
      // west: the same command twice at once (a retried script), then once more.
      (async () => {
        const both = await Promise.all([cliSubmit(stack, ID, westArgs), cliSubmit(stack, ID, westArgs)]);
        return [...both, await cliSubmit(stack, ID, westArgs)];
      })(),
      // north: the portal, then the CLI with the portal's receipt id, then the CLI on its own key.
      (async () => {
        const viaPortal = await portalPost(links.north!, weekFields(W2, north));
        const sameId = await cliSubmit(stack, ID, ['--department', 'north', '--deadline', 'weekly-stats', '--occurrence', W2, '--file', northFile, '--submission-id', viaPortal.submissionId!]);
        const ownKey = await cliSubmit(stack, ID, ['--department', 'north', '--deadline', 'weekly-stats', '--occurrence', W2, '--file', northFile]);
        return { viaPortal, sameId, ownKey };
      })(),
    ]);
    // One of the three is the submission; the others get its receipt, marked as duplicates.
    const westFirst = westRuns.filter((r) => !r.duplicate);
    expect(westFirst).toHaveLength(1);
    for (const r of westRuns) expect(r).toEqual({ ...westFirst[0], duplicate: r !== westFirst[0] });
    expect(westRuns[2]).toMatchObject({ duplicate: true });
    expect(westFirst[0]).toMatchObject({ version: 1, late: false });
    expect(Date.parse(westRuns[0]!.receivedAt)).toBeLessThan(Date.parse('2024-03-10T12:00:00+08:00'));
    expect(northRuns.viaPortal).toMatchObject({ status: 200, version: 1, late: false });
    expect(northRuns.sameId).toMatchObject({ submissionId: northRuns.viaPortal.submissionId, version: 1, late: false, duplicate: true });
    expect(northRuns.ownKey).toMatchObject({ version: 2, status: 'submitted', duplicate: false });
    expect(northRuns.ownKey.submissionId).toMatch(/^cli-/);

    // West's contacts, late, submitted twice at once.
    await untilCampaign(clock, '2024-03-08T22:00:00+08:00');
    const westContactsArgs = ['--department', 'west', '--deadline', 'contacts', '--report', '联络员：王五'];
    const westContacts = await Promise.all([cliSubmit(stack, ID, westContactsArgs), cliSubmit(stack, ID, westContactsArgs)]);
    const westContactsFirst = westContacts.filter((r) => !r.duplicate);
    expect(westContactsFirst).toHaveLength(1);
    for (const r of westContacts) expect(r).toEqual({ ...westContactsFirst[0], duplicate: r !== westContactsFirst[0] });
    expect(westContactsFirst[0]).toMatchObject({ version: 1, late: true });

    // Versions as the shard holds them, before the campaign ends.
    const status = await stack.client.status(ID);
    const versions = Object.fromEntries(status.obligations.map((o) => [`${o.occurrence}|${o.department}`, o.versions.map((v) => v.submissionId)]));
    expect(versions).toEqual({
      [`${CONTACTS}|east`]: [eastContactsPosts[0]!.submissionId],
      [`${CONTACTS}|west`]: [westContacts[0]!.submissionId],
      [`${CONTACTS}|north`]: [],
      [`${W1}|east`]: [eastPosts[0]!.submissionId],
      [`${W1}|west`]: [],
      [`${W1}|north`]: [],
      [`${W2}|east`]: [],
      [`${W2}|west`]: [westRuns[0]!.submissionId],
      [`${W2}|north`]: [northRuns.viaPortal.submissionId, northRuns.ownKey.submissionId],
    });

    const result = await stack.result(WF, 300_000);
    const wall = Date.now() - t0;

    // The accepted versions with their campaign instants (the workflow's own receivedAt).
    const at = new Map(status.obligations.flatMap((o) => o.versions.map((v) => [v.submissionId, { occurrence: o.occurrence, department: o.department, at: Date.parse(v.receivedAt) }] as const)));
    const submitted: Submitted[] = [...at.values()];
    expect(submitted).toHaveLength(6);
    const expected = expectedMessages(plan, submitted);
    await expectEachMessageOnce(stack, ID, rowsOf(expected));
    const receipts = stack.sink.messages.filter((m) => /\/receipt-/.test(keyOf(m)));
    expect(receipts.map((m) => keyOf(m).replace(`${ID}/`, '').replace(/\/receipt-.*/, '')).sort()).toEqual(
      [`${CONTACTS}/east`, `${CONTACTS}/west`, `${W1}/east`, `${W2}/north`, `${W2}/north`, `${W2}/west`].sort(),
    );

    const table = await expectFinalSummary(stack.blobs, result, { obligations: 9, onTime: 4, late: 1, excused: 0, missing: 4 }, {
      [CONTACTS]: { east: 'submitted', west: 'late', north: 'pending' },
      [W1]: { east: 'submitted', west: 'pending', north: 'pending' },
      [W2]: { east: 'pending', west: 'submitted', north: 'submitted' },
    });
    expect(table(W1).totals).toEqual({ ...east, remark: null });
    expect(table(W1).missing).toEqual(['west', 'north']);
    // North's two versions carry the same figures: the latest counts, once.
    expect(table(W2).totals).toEqual(weekTotals(west, north));
    expect(table(W2).totals).toEqual({ fairs: 3, hired: 33, hired_women: 14, remark: null });
    expect(table(W2).missing).toEqual(['east']);

    console.log(`duplicate-submissions: 13 submit attempts -> 6 versions, 6 receipts; ${expected.length} messages, each once; ${(wall / 1000).toFixed(0)} s`);
  });
});
