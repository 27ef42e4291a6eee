/**
 * A Temporal server that hangs — up, but not answering — no longer leaves a department without an
 * answer. Before, a GET got nothing in 90 s and a POST nothing in 60 s; when the server came back
 * the submission was recorded and its receipt emailed, but the browser never showed a receipt.
 *
 * Real parts: the Temporal dev server (global set-up) and an in-process worker with real activities,
 * connected directly; the portal in-process, its Temporal client connected through a TCP proxy
 * (test/support/pausable-proxy.ts) that is made to hang: it keeps delivering what the portal sends
 * and holds back the server's answers — the submission reaches the server, its answer never comes.
 * The portal runs with its real deadlines (client/call-limits.ts PORTAL_DEADLINES).
 */
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CampaignClient } from '../../client/campaign-client';
import { PORTAL_DEADLINES } from '../../client/call-limits';
import { startPortal, type Portal } from '../../portal/server';
import { VIEW_TTL_MS } from '../../portal/routes/department-view';
import { freePort } from '../../tools/harness/free-port';
import { startPausableProxy, type PausableProxy } from '../support/pausable-proxy';
import { formsOf, outcomeOf, postForm, receiptOf } from '../support/portal-forms';
import { startPortalStack, STACK_SECRET, type PortalStack } from '../support/portal-stack';

const W1 = 'weekly-stats@2024-03-06';
const FIGURES: Array<[string, string]> = [['deadline', 'weekly-stats'], ['occurrence', W1], ['v.fairs', '3'], ['v.hired', '10'], ['v.hired_women', '4']];
/** Longest a portal answer may take while Temporal hangs: the submit's deadline and the look-up's, and some slack. */
const BOUND_MS = PORTAL_DEADLINES.submitMs + PORTAL_DEADLINES.queryMs + 10_000;

describe('the portal while Temporal hangs', () => {
  let stack: PortalStack;
  let proxy: PausableProxy;
  let connection: Connection;
  let portal: Portal;
  beforeAll(async () => {
    const address = inject('temporalAddress');
    stack = await startPortalStack(address);
    proxy = await startPausableProxy(address);
    connection = await Connection.connect({ address: proxy.address });
    const port = await freePort();
    portal = await startPortal(
      { secret: STACK_SECRET, baseUrl: `http://127.0.0.1:${port}`, maxUploadBytes: 1024 * 1024, maxFiles: 3, temporalWebUiUrl: 'http://127.0.0.1:8233', namespace: 'default', log: () => undefined },
      { campaigns: new CampaignClient(new Client({ connection }), stack.campaigns.plans, stack.taskQueue), blobs: stack.stores.blobs },
      { port },
    );
  });
  afterAll(async () => {
    proxy?.resume();
    await portal?.close();
    await connection?.close();
    await proxy?.close();
    await stack?.teardown();
  });

  const versionsOf = async (id: string, department: string) => (await stack.campaigns.status(id)).obligations.find((o) => o.department === department && o.occurrence === W1)!.versions;

  it('a post whose answer never comes says it cannot be known and that submitting again is safe; submitted again once Temporal answers, it gets its original receipt and no second version', async () => {
    const id = await stack.startDemo();
    const link = `${portal.url}/d/${stack.token(id, 'east')}`;
    const page = await (await fetch(link)).text();
    const { submit } = formsOf(page, W1);
    const fields: Array<[string, string]> = [['csrf', submit.csrf], ['key', submit.key], ...FIGURES];

    proxy.pause();
    let first;
    try {
      // Posted at once: the page's view is still fresh, so the submission itself is what goes unanswered.
      first = await postForm(`${link}/submit`, portal.url, fields, undefined, AbortSignal.timeout(BOUND_MS));
    } finally {
      proxy.resume();
    }
    expect(first.status).toBe(503);
    expect(Number(first.retryAfter)).toBeGreaterThan(0);
    expect(outcomeOf(first.body)).toBe('unknown');
    expect(first.body).toContain('暂时无法确认是否已收到');
    expect(first.body).toContain('再按一次“提交”是安全的：同一份报送只会记录一次，如果已经收到，将显示原回执，不会产生新版本');
    // The form comes back with the figures and the same key, so pressing submit again is the same submission.
    const again = formsOf(first.body, W1).submit;
    expect(again.key).toBe(submit.key);
    expect(first.body).toContain('name="v.fairs" data-field="fairs" value="3"');

    // The server got the submission while it hung and recorded it.
    await expect.poll(() => versionsOf(id, 'east'), { timeout: 30_000 }).toHaveLength(1);
    const recorded = (await versionsOf(id, 'east'))[0]!;

    const retry = await postForm(`${link}/submit`, portal.url, [['csrf', again.csrf], ['key', again.key], ...FIGURES]);
    expect(retry.status).toBe(200);
    expect(outcomeOf(retry.body)).toBe('already-received');
    expect(receiptOf(retry.body)).toEqual({ id: recorded.submissionId, version: 1 });
    expect(await versionsOf(id, 'east')).toHaveLength(1);
  });

  it('a page asked for while Temporal hangs answers with a page that says so, and the page is back once Temporal answers', async () => {
    const id = await stack.startDemo();
    const link = `${portal.url}/d/${stack.token(id, 'west')}`;
    expect((await fetch(link)).status).toBe(200);
    // Past the cache's life, so the page must ask Temporal.
    await new Promise((r) => setTimeout(r, VIEW_TTL_MS + 200));
    proxy.pause();
    let res: Response;
    let body: string;
    try {
      res = await fetch(link, { signal: AbortSignal.timeout(BOUND_MS) });
      body = await res.text();
    } finally {
      proxy.resume();
    }
    expect(res.status).toBe(503);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(outcomeOf(body)).toBe('page-unavailable');
    expect(body).toContain('<h1>暂时无法显示报送页面</h1>');
    expect(body).toContain('此前已经提交的报送不受影响');
    expect(body).not.toContain('西区');

    // A post in the same state says plainly it was not sent.
    await new Promise((r) => setTimeout(r, VIEW_TTL_MS + 200));
    proxy.pause();
    let post;
    try {
      post = await postForm(`${link}/submit`, portal.url, [['csrf', 'x'], ['key', 'abcdefghijklmnopqrstuv'], ...FIGURES], undefined, AbortSignal.timeout(BOUND_MS));
    } finally {
      proxy.resume();
    }
    expect(post.status).toBe(503);
    expect(outcomeOf(post.body)).toBe('not-sent');
    expect(post.body).toContain('没有发送');
    expect(post.body).toContain('不会产生重复报送');

    await expect.poll(async () => (await fetch(link)).status, { timeout: 30_000 }).toBe(200);
    expect(await versionsOf(id, 'west')).toHaveLength(0);
  });
});
