/**
 * One rule, one reason, every path: a submission the rules refuse (obligations/submission-rules.ts)
 * gets the same reason — in Chinese for a zh-CN plan — whether it came as a direct workflow update,
 * through the `campaign submit` command (its own process) or through the portal's HTTP interface.
 * Real parts: the Temporal dev server (global set-up), an in-process worker with real activities
 * (SMTP sink, ledger, blob store in a temporary CAMPAIGN_DATA_DIR), the portal in-process on a free
 * port. The refusal: a report over 20,000 characters, reachable on all three paths.
 */
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RequestRejectedError } from '../../client/campaign-client';
import { describeRefusal, REPORT_MAX_CHARS, type SubmissionRefusal } from '../../obligations/submission-rules';
import { submitUpdate } from '../../workflows/department-shard.messages';
import { multipartBody, postStream, STACK_SECRET, startPortalStack, type PortalStack } from '../support/portal-stack';
import { storedFiles } from '../support/stored-files';
import { childEnv, runCli } from '../support/run-cli';

const CONTACTS = 'contacts@2024-03-08';
/** 22,572 characters: over the limit by some 2,500. */
const LONG_REPORT = '联络员：张三，电话 010-0000000。'.repeat(1026);
const TOO_LONG: SubmissionRefusal = { code: 'report-too-long', params: { length: [...LONG_REPORT].length, max: REPORT_MAX_CHARS } };
/** The reason every path must give, worded once by the rules. */
const REASON = describeRefusal(TOO_LONG, 'zh-CN');

describe('a submission the rules refuse gets the same reason on every path', () => {
  let stack: PortalStack;
  beforeAll(async () => {
    stack = await startPortalStack(inject('temporalAddress'), { portal: { maxUploadBytes: 64 * 1024, maxFiles: 3 } });
  });
  afterAll(async () => {
    await stack?.teardown();
  });

  const eastContacts = async (id: string) => (await stack.campaigns.status(id)).obligations.find((o) => o.department === 'east' && o.occurrence === CONTACTS)!;

  it('a direct workflow update: refused by the validator with the reason in the plan’s language, the refusal in its details', async () => {
    expect(REASON).toBe(`报送内容不超过20000字（本次${[...LONG_REPORT].length}字）`);
    const id = await stack.startDemo();
    const shard = await stack.campaigns.shardOf(id, 'east');
    const input = { submissionId: 'direct-1', department: 'east', deadline: 'contacts', occurrence: CONTACTS, report: LONG_REPORT, by: 'test' };
    const err = await stack.campaigns.temporal.workflow
      .getHandle(shard)
      .executeUpdate(submitUpdate, { args: [input] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    const failure = (err as WorkflowUpdateFailedError).cause as ApplicationFailure;
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure.type).toBe('InvalidSubmission');
    expect(failure.message).toBe(REASON);
    expect(failure.details?.[0]).toMatchObject({ refusal: TOO_LONG, reason: REASON });
    // Through the client, the refusal comes with the rejection and is worded the same way.
    const rejected = await stack.campaigns.submit(id, input).catch((e: unknown) => e);
    expect(rejected).toBeInstanceOf(RequestRejectedError);
    expect(describeRefusal((rejected as RequestRejectedError).refusal!, 'zh-CN')).toBe(REASON);
    expect((await eastContacts(id)).versions).toHaveLength(0);

    // The same refusal for an English plan is in English.
    const en = await stack.startDemo((y) => y.replace('language: zh-CN', 'language: en'));
    const enErr = (await stack.campaigns.temporal.workflow
      .getHandle(await stack.campaigns.shardOf(en, 'east'))
      .executeUpdate(submitUpdate, { args: [input] })
      .catch((e: unknown) => e)) as WorkflowUpdateFailedError;
    expect((enErr.cause as ApplicationFailure).message).toBe(`the report is ${[...LONG_REPORT].length} characters long; at most 20000 are accepted`);
    expect((enErr.cause as ApplicationFailure).details?.[0]).toMatchObject({ refusal: TOO_LONG, reason: `the report is ${[...LONG_REPORT].length} characters long; at most 20000 are accepted` });
  });

  it('the CLI (`campaign submit`, its own process): the same Chinese reason, exit 1, nothing stored', async () => {
    const id = await stack.startDemo();
    const env = childEnv({ TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_TASK_QUEUE: stack.taskQueue, CAMPAIGN_DATA_DIR: stack.dataDir, PORTAL_SECRET: STACK_SECRET });
    const blobsBefore = await storedFiles(stack.stores.db);
    const r = await runCli(['submit', id, '--department', 'east', '--deadline', 'contacts', '--occurrence', CONTACTS, '--report', LONG_REPORT], env);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toBe(`campaign: ${REASON}\n`);
    expect(await storedFiles(stack.stores.db)).toEqual(blobsBefore);
    expect((await eastContacts(id)).versions).toHaveLength(0);
  });

  it('the portal (HTTP, the department’s link): the same Chinese reason on the page, nothing stored', async () => {
    const id = await stack.startDemo();
    const portal = stack.portal!;
    const token = stack.token(id, 'east');
    const page = await fetch(`${portal.url}/d/${token}`);
    expect(page.status).toBe(200);
    const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())![1]!;
    const blobsBefore = await storedFiles(stack.stores.db);
    const fd = new FormData();
    for (const [k, v] of [['csrf', csrf], ['deadline', 'contacts'], ['occurrence', CONTACTS], ['report', LONG_REPORT]]) fd.append(k!, v!);
    const res = await fetch(`${portal.url}/d/${token}/submit`, { method: 'POST', body: fd, headers: { origin: portal.url } });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain(`<p>${REASON}。</p>`);
    expect(html).toContain('未保存任何内容');
    expect(await storedFiles(stack.stores.db)).toEqual(blobsBefore);
    expect((await eastContacts(id)).versions).toHaveLength(0);
  });

  it('the portal: a file over the upload limit gets the rules’ reason while it streams, even when the portal stops reading the body', async () => {
    const id = await stack.startDemo();
    const portal = stack.portal!;
    const link = `${portal.url}/d/${stack.token(id, 'east')}`;
    const csrf = /name="csrf" value="([^"]+)"/.exec(await (await fetch(link)).text())![1]!;
    const blobsBefore = await storedFiles(stack.stores.db);
    // 4 MiB, sent without a declared length, against 64 KiB per file and about 1.2 MiB per body:
    // refused at the file's limit, the body read no further than its own, the connection closed after the answer.
    const fields = { csrf, deadline: 'weekly-stats', occurrence: 'weekly-stats@2024-03-06', 'v.fairs': '1' };
    const boundary = '----refusals-test';
    const res = await postStream(`${link}/submit`, { 'content-type': `multipart/form-data; boundary=${boundary}`, origin: portal.url }, multipartBody(boundary, fields, { field: 'attachments', name: '现场照片.pdf', size: 4 * 1024 * 1024 }));
    expect(res.status).toBe(413);
    expect(res.headers.connection).toBe('close');
    const tooLarge: SubmissionRefusal = { code: 'attachment-too-large', params: { name: '现场照片.pdf', max: 64 * 1024 } };
    expect(res.body).toContain(`${describeRefusal(tooLarge, 'zh-CN')}。未保存任何内容`);
    expect(await storedFiles(stack.stores.db)).toEqual(blobsBefore);
    expect((await stack.campaigns.status(id)).obligations.find((o) => o.department === 'east' && o.occurrence === 'weekly-stats@2024-03-06')!.versions).toHaveLength(0);
  });
});
