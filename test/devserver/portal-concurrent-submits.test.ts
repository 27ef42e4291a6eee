/**
 * Many presses of "submit" at once are one submission, and the portal answers every one of them
 * with a receipt — never 500. Before, 100 identical posts at once got 34 × 500 "系统繁忙" (the page
 * view's queries timed out in the server behind the submissions on the same shard) and a
 * department that saw it did not know whether it had reported.
 *
 * Real parts: the Temporal dev server (global set-up), an in-process worker with real activities,
 * the portal in-process on a free port, posts over HTTP as a browser sends them.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startPortal, type Portal } from '../../portal/server';
import { freePort } from '../../tools/harness/free-port';
import { startPortalStack, STACK_SECRET, type PortalStack } from '../support/portal-stack';
import { formsOf, outcomeOf, postForm, receiptOf } from '../support/portal-forms';

const W1 = 'weekly-stats@2024-03-06';
const FIGURES: Array<[string, string]> = [['deadline', 'weekly-stats'], ['occurrence', W1], ['v.fairs', '3'], ['v.hired', '10'], ['v.hired_women', '4']];

describe('concurrent submissions through the portal', () => {
  let stack: PortalStack;
  beforeAll(async () => {
    stack = await startPortalStack(inject('temporalAddress'), { portal: { maxUploadBytes: 1024 * 1024, maxFiles: 3 } });
  });
  afterAll(async () => {
    await stack?.teardown();
  });

  const versionsOf = async (id: string, department: string) => (await stack.campaigns.status(id)).obligations.find((o) => o.department === department && o.occurrence === W1)!.versions;

  it('300 identical posts at once: no error, one version, every answer the receipt or the “already received” receipt with the same number', async () => {
    const id = await stack.startDemo();
    const portal = stack.portal!;
    const link = `${portal.url}/d/${stack.token(id, 'east')}`;
    const { submit } = formsOf(await (await fetch(link)).text(), W1);
    const fields: Array<[string, string]> = [['csrf', submit.csrf], ['key', submit.key], ...FIGURES];
    const answers = await Promise.all(Array.from({ length: 300 }, () => postForm(`${link}/submit`, portal.url, fields)));

    expect(answers.filter((a) => a.status !== 200).map((a) => `${a.status} ${outcomeOf(a.body)}`)).toEqual([]);
    const outcomes = answers.map((a) => outcomeOf(a.body));
    expect(outcomes.filter((o) => o === 'recorded')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'already-received')).toHaveLength(299);
    const receipts = new Set(answers.map((a) => JSON.stringify(receiptOf(a.body))));
    expect(receipts.size).toBe(1);
    const versions = await versionsOf(id, 'east');
    expect(versions).toHaveLength(1);
    expect(JSON.parse([...receipts][0]!)).toEqual({ id: versions[0]!.submissionId, version: 1 });

    // Pressed again later, even with other figures typed in meanwhile: the original receipt, no second version.
    const again = await postForm(`${link}/submit`, portal.url, [['csrf', submit.csrf], ['key', submit.key], ...FIGURES.slice(0, 2), ['v.fairs', '5'], ['v.hired', '12'], ['v.hired_women', '4']]);
    expect(again.status).toBe(200);
    expect(outcomeOf(again.body)).toBe('already-received');
    expect(again.body).toContain('此前已经收到，以下是原回执');
    expect(receiptOf(again.body)).toEqual({ id: versions[0]!.submissionId, version: 1 });
    expect(await versionsOf(id, 'east')).toHaveLength(1);
  });

  it('the page shown right after a submission has its receipt (the cached view is forgotten); a new page is a new key, a correction a second version', async () => {
    const id = await stack.startDemo();
    const portal = stack.portal!;
    const link = `${portal.url}/d/${stack.token(id, 'west')}`;
    const before = await (await fetch(link)).text();
    expect(before).not.toContain('报送第1版');
    const first = formsOf(before, W1).submit;
    const answer = await postForm(`${link}/submit`, portal.url, [['csrf', first.csrf], ['key', first.key], ...FIGURES]);
    expect(outcomeOf(answer.body)).toBe('recorded');
    // At once, well within the cache's second or two.
    const after = await (await fetch(link)).text();
    expect(after).toContain('<span class="state st-submitted">已报</span>');
    expect(after).toContain('报送第1版；如需更正');
    const second = formsOf(after, W1).submit;
    expect(second.key).not.toBe(first.key);
    const correction = await postForm(`${link}/submit`, portal.url, [['csrf', second.csrf], ['key', second.key], ...FIGURES.slice(0, 2), ['v.fairs', '4'], ['v.hired', '11'], ['v.hired_women', '4']]);
    expect(outcomeOf(correction.body)).toBe('recorded');
    expect(receiptOf(correction.body)?.version).toBe(2);
    expect((await versionsOf(id, 'west')).map((v) => v.values?.fairs)).toEqual([3, 4]);
  });

  it('beyond its waiting line the portal answers 503 with Retry-After and says nothing was sent — and what every answer says is what was recorded', async () => {
    const id = await stack.startDemo();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    // One call at a time, nobody waits: the line is full as soon as two posts need Temporal at once.
    const portal: Portal = await startPortal(
      { secret: STACK_SECRET, baseUrl: url, maxUploadBytes: 1024 * 1024, maxFiles: 3, temporalWebUiUrl: 'http://127.0.0.1:8233', namespace: 'default', log: () => undefined },
      { campaigns: stack.campaigns, blobs: stack.stores.blobs },
      { port, calls: { limits: { concurrent: 1, perWorkflow: 1, waiting: 0 } } },
    );
    try {
      const departments = ['east', 'west', 'north'];
      const pages = new Map<string, { link: string; csrf: string }>();
      for (const d of departments) {
        const link = `${url}/d/${stack.token(id, d)}`;
        pages.set(d, { link, csrf: formsOf(await (await fetch(link)).text(), W1).submit.csrf });
      }
      // 30 posts at once, 10 per department, each with a key of its own (as from ten pages): each one a submission of its own.
      const posts = departments.flatMap((d) =>
        Array.from({ length: 10 }, (_, i) => {
          const p = pages.get(d)!;
          return postForm(`${p.link}/submit`, url, [['csrf', p.csrf], ['key', `${d}-press-${i}-0123456789abcdef`], ...FIGURES]).then((a) => ({ d, a }));
        }),
      );
      const answers = await Promise.all(posts);
      expect(answers.filter(({ a }) => a.status === 500)).toEqual([]);
      const busy = answers.filter(({ a }) => a.status === 503);
      expect(busy.length).toBeGreaterThan(0);
      for (const { a } of busy) {
        expect(outcomeOf(a.body)).toBe('not-sent');
        expect(a.body).toContain('没有发送');
        expect(a.body).toContain('没有保存任何内容');
        expect(Number(a.retryAfter)).toBeGreaterThan(0);
      }
      for (const d of departments) {
        const recorded = answers.filter((x) => x.d === d && x.a.status === 200);
        expect(recorded.every(({ a }) => outcomeOf(a.body) === 'recorded')).toBe(true);
        expect((await versionsOf(id, d)).map((v) => v.submissionId).sort()).toEqual(recorded.map(({ a }) => receiptOf(a.body)!.id).sort());
      }
    } finally {
      await portal.close();
    }
  });
});
