/**
 * 零报告 end to end, on every path a department can take: the portal's own button (with its
 * confirming tick), `campaign submit --nothing` (its own process) and the client's update. What a
 * coordinator then sees: the matrix cell and the summary (page and CSV) saying 零报告, not missing.
 * Real parts: the Temporal dev server (global set-up), an in-process worker with real activities,
 * the portal in-process with its coordinator pages on the stack's database.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RequestRejectedError } from '../../client/campaign-client';
import type { Portal } from '../../portal/server';
import { STACK_SECRET, startAccountsPortal, startPortalStack, type PortalStack } from '../support/portal-stack';
import { childEnv, runCli } from '../support/run-cli';

const W1 = 'weekly-stats@2024-03-06';
const PW = 'nothing-to-report-pw-1';

describe('零报告 through the portal, the CLI and the client', () => {
  let stack: PortalStack;
  let portal: Portal;
  let url: string;
  let id: string;

  beforeAll(async () => {
    stack = await startPortalStack(inject('temporalAddress'), { portal: { maxUploadBytes: 64 * 1024, maxFiles: 3 } });
    id = await stack.startDemo();
    ({ portal, url } = await startAccountsPortal(stack, { coordinator: 'wang', password: PW, campaigns: [id] }));
  });
  afterAll(async () => {
    await portal?.close();
    await stack?.teardown();
  });

  const obligation = async (department: string) => (await stack.campaigns.status(id)).obligations.find((o) => o.department === department && o.occurrence === W1)!;

  async function logIn(): Promise<string> {
    const page = await fetch(`${url}/c/login`);
    const loginCookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())![1]!;
    const res = await fetch(`${url}/c/login`, { method: 'POST', redirect: 'manual', headers: { origin: url, cookie: loginCookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ csrf, user: 'wang', password: PW }) });
    expect(res.status).toBe(303);
    return res.headers.getSetCookie().map((c) => c.split(';')[0]).filter((c) => !c.endsWith('=')).join('; ');
  }

  it('the portal: a separate 零报告 form, refused without its tick, recorded with it; the matrix, the department page and the summary say 零报告', async () => {
    const token = stack.token(id, 'east');
    const page = await (await fetch(`${url}/d/${token}`)).text();
    const form = new RegExp(
      `<form method="post" action="/d/${token}/submit" enctype="multipart/form-data" class="nothing-form">\\s*<input type="hidden" name="csrf" value="([^"]+)">\\s*<input type="hidden" name="deadline" value="weekly-stats">\\s*<input type="hidden" name="occurrence" value="${W1}">\\s*<input type="hidden" name="key" value="([^"]+)">\\s*<input type="hidden" name="nothing" value="1">[\\s\\S]*?本期无相关数据，提交零报告[\\s\\S]*?<button type="submit" class="secondary">提交零报告</button>`,
    ).exec(page);
    expect(form, 'the 零报告 form of the first weekly table').not.toBeNull();
    const [, csrf, key] = form!;
    // The one-off report deadline (no statistics table) offers no 零报告.
    expect(page.match(/class="nothing-form"/g)).toHaveLength(1);
    const post = (fields: Record<string, string>) => {
      const fd = new FormData();
      for (const [k, v] of Object.entries(fields)) fd.append(k, v);
      return fetch(`${url}/d/${token}/submit`, { method: 'POST', body: fd, headers: { origin: url } });
    };
    const fields = { csrf: csrf!, deadline: 'weekly-stats', occurrence: W1, key: key!, nothing: '1' };

    const unticked = await post(fields);
    expect(unticked.status).toBe(422);
    expect(await unticked.text()).toContain('请勾选“本期无相关数据，提交零报告”确认后再提交');
    expect((await obligation('east')).versions).toHaveLength(0);

    const receipt = await post({ ...fields, 'confirm-nothing': '1' });
    expect(receipt.status).toBe(200);
    const receiptPage = await receipt.text();
    expect(receiptPage).toContain('已报送成功');
    expect(receiptPage).toContain('零报告（本期无相关数据）');
    const east = await obligation('east');
    expect(east.status).toBe('submitted');
    expect(east.versions).toHaveLength(1);
    expect(east.versions[0]).toMatchObject({ nothing: true, by: 'portal:east' });
    expect(east.versions[0]!.values).toBeUndefined();

    // Pressed again (the same key): the original receipt, no second version.
    expect(await (await post({ ...fields, 'confirm-nothing': '1' })).text()).toContain('此前已经收到');
    expect((await obligation('east')).versions).toHaveLength(1);

    // The department's own page marks the version.
    const again = await (await fetch(`${url}/d/${token}`)).text();
    expect(again).toMatch(new RegExp(`<tr data-occurrence="${W1}"[^]*?第1版 <span class="state st-nothing">零报告</span>`));

    const cookie = await logIn();
    const matrix = await (await fetch(`${url}/c/${id}`, { headers: { cookie } })).text();
    const eastRow = new RegExp(`<tr data-department="east">[^]*?</tr>`).exec(matrix)![0];
    const cell = new RegExp(`<td class="st-submitted" data-occurrence="${W1}" data-state="submitted">[^]*?</td>`).exec(eastRow)?.[0];
    expect(cell, 'the east cell of the first weekly table').toBeDefined();
    expect(cell).toContain('<span class="state st-nothing">零报告</span>');

    const summary = await (await fetch(`${url}/c/${id}/summary/${encodeURIComponent(W1)}`, { headers: { cookie } })).text();
    const row = /<tr><td>东区人社局<\/td>[^]*?<\/tr>/.exec(summary)![0];
    expect(row).toContain('零报告');
    // Week one: no earlier figures to carry, so its figures are empty, not zeros.
    expect(row).not.toMatch(/<td class="num">0<\/td>/);
    const csv = await (await fetch(`${url}/c/${id}/summary/${encodeURIComponent(W1)}.csv`, { headers: { cookie } })).text();
    expect(csv.split('\r\n').find((l) => l.startsWith('东区人社局'))).toMatch(/^东区人社局,零报告,/);
  });

  it('the CLI: `campaign submit --nothing` records a 零报告; with a report, or for a deadline without a table, the rules’ reason and exit 1', async () => {
    const env = childEnv({ TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_TASK_QUEUE: stack.taskQueue, CAMPAIGN_DATA_DIR: stack.dataDir, PORTAL_SECRET: STACK_SECRET });
    const withReport = await runCli(['submit', id, '--department', 'west', '--deadline', 'weekly-stats', '--occurrence', W1, '--nothing', '--report', '本周无活动'], env);
    expect(withReport.code, withReport.stderr).toBe(1);
    expect(withReport.stderr).toBe('campaign: 零报告表示「每周招聘活动情况」本期无相关数据，不能同时填写数字、报送内容或附件；如有数据，请按正常方式提交\n');
    const noTable = await runCli(['submit', id, '--department', 'west', '--deadline', 'contacts', '--nothing'], env);
    expect(noTable.code, noTable.stderr).toBe(1);
    expect(noTable.stderr).toBe('campaign: 「报送联系人及联系方式」没有统计表，不能提交零报告，请填写报送内容\n');
    expect((await obligation('west')).versions).toHaveLength(0);

    const ok = await runCli(['submit', id, '--department', 'west', '--deadline', 'weekly-stats', '--occurrence', W1, '--nothing'], env);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('version 1, 零报告 (nothing to report), on time');
    expect((await obligation('west')).versions[0]).toMatchObject({ nothing: true, version: 1 });
  });

  it('the client: a 零报告 with figures is refused by the workflow; a correction with figures after a 零报告 is version 2', async () => {
    const base = { department: 'north', deadline: 'weekly-stats', occurrence: W1, by: 'test' };
    const refused = await stack.campaigns.submit(id, { ...base, submissionId: 'north-n0', nothing: true, values: { fairs: '1', hired: '2' } }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RequestRejectedError);
    expect((refused as RequestRejectedError).refusal?.code).toBe('nothing-with-content');
    expect(await stack.campaigns.submit(id, { ...base, submissionId: 'north-n1', nothing: true })).toMatchObject({ version: 1, status: 'submitted', late: false });
    expect(await stack.campaigns.submit(id, { ...base, submissionId: 'north-f1', values: { fairs: '1', hired: '2', hired_women: '1' } })).toMatchObject({ version: 2 });
    const north = await obligation('north');
    expect(north.versions.map((v) => v.nothing ?? false)).toEqual([true, false]);
  });
});
