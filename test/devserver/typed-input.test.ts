/**
 * What a department types, through the real portal over HTTP (Temporal dev server, an in-process
 * worker with real activities, the portal in-process on a free port with the coordinator enabled):
 *
 * - an attachment named with 100 emoji + .jpeg (once cut inside a surrogate pair, its download
 *   answered 500) is kept under a name cut between emoji, and the coordinator downloads it: 200,
 *   the same bytes, a Content-Disposition that decodes to that name; a name with a bidi override
 *   is kept without it;
 * - a POST whose Origin matches the Host it forged (both evil.example) is refused, 403, nothing
 *   stored — on the department's page and on the coordinator's;
 * - 0x20, 1e2 and +50 in a 非负整数 field are refused with the number rule as the reason; 1,000 is
 *   stored as 1000;
 * - the CLI (`campaign submit --file`, its own process): a figure written as text in the YAML goes
 *   through the same rule ('1e2' refused with its reason, '1,000' stored as 1000);
 * - a file one byte over the limit reads as over the limit.
 */
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { numberNotationRule } from '../../obligations/form-data';
import { attachmentFileName, describeRefusal } from '../../obligations/submission-rules';
import { startPortal, type Portal } from '../../portal/server';
import { AccountStore } from '../../store/accounts/account-store';
import { freePort } from '../../tools/harness/free-port';
import { STACK_SECRET, startPortalStack, type PortalStack } from '../support/portal-stack';
import { storedFiles } from '../support/stored-files';
import { childEnv, runCli } from '../support/run-cli';

const W1 = 'weekly-stats@2024-03-06';
const PASSWORD = 'typed-input-coordinator-password';
const LIMIT = 64 * 1024;
const EMOJI_NAME = `${'😀'.repeat(100)}.jpeg`;
/** A JPEG as the sniffer knows one (FF D8 FF …), with bytes that are not all alike. */
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 37) % 256)), Buffer.from([0xff, 0xd9])]);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

describe('what a department types, through the portal', () => {
  let stack: PortalStack;
  let portal: Portal;
  beforeAll(async () => {
    stack = await startPortalStack(inject('temporalAddress'));
    const port = await freePort();
    portal = await startPortal(
      {
        secret: STACK_SECRET,
        baseUrl: `http://127.0.0.1:${port}`,
        bootstrapAdmin: { login: 'coordinator', password: PASSWORD },
        maxUploadBytes: LIMIT,
        maxFiles: 3,
        temporalWebUiUrl: 'http://127.0.0.1:8233',
        namespace: 'default',
        log: () => undefined,
      },
      { campaigns: stack.campaigns, blobs: stack.stores.blobs, accounts: new AccountStore(stack.stores.db) },
      { port },
    );
  });
  afterAll(async () => {
    await portal?.close();
    await stack?.teardown();
  });

  /** East's link for a campaign (one token per campaign: its CSRF token is bound to it). */
  const links = new Map<string, string>();
  const link = (id: string) => links.get(id) ?? links.set(id, `${portal.url}/d/${stack.token(id, 'east')}`).get(id)!;
  /** The form's CSRF token, once the page shows the form (a campaign just started may need a moment for its shards). */
  const csrfOf = async (url: string, cookie?: string) => {
    for (let attempt = 0; ; attempt++) {
      const page = await (await fetch(url, cookie ? { headers: { cookie } } : {})).text();
      const token = /name="csrf" value="([^"]+)"/.exec(page)?.[1];
      if (token) return token;
      if (attempt >= 50) throw new Error(`no form on ${url} after ${attempt} tries:\n${page.slice(0, 500)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const weekly = async (id: string) => (await stack.campaigns.status(id)).obligations.find((o) => o.department === 'east' && o.occurrence === W1)!;
  const weeklyForm = (csrf: string, fields: Record<string, string>) => {
    const fd = new FormData();
    for (const [k, v] of Object.entries({ csrf, deadline: 'weekly-stats', occurrence: W1, ...fields })) fd.append(k, v);
    return fd;
  };
  /** Logs the coordinator in; returns the session cookie. */
  const login = async () => {
    const page = await fetch(`${portal.url}/c/login`);
    const nonce = page.headers.getSetCookie().find((c) => c.startsWith('portal_login='))!.split(';')[0]!;
    const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())![1]!;
    const res = await fetch(`${portal.url}/c/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: nonce, origin: portal.url, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf, user: 'coordinator', password: PASSWORD }).toString(),
    });
    expect(res.status).toBe(303);
    return res.headers.getSetCookie().find((c) => c.startsWith('portal_sid='))!.split(';')[0]!;
  };
  /** A POST as a forger sends it: any Host and Origin it likes, straight to the portal's address. */
  const forged = (path: string, headers: Record<string, string>, body: Buffer) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${portal.url}${path}`, { method: 'POST', headers: { ...headers, host: 'evil.example', origin: 'http://evil.example', 'content-length': String(body.length) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      req.end(body);
    });

  it('keeps 100 emoji + .jpeg under a name cut between emoji, and the coordinator downloads it (200, same bytes, the name in Content-Disposition)', async () => {
    const id = await stack.startDemo();
    const csrf = await csrfOf(link(id));
    const fd = weeklyForm(csrf, { 'v.fairs': '2', 'v.hired': '10', 'v.hired_women': '4' });
    fd.append('attachments', new Blob([JPEG], { type: 'image/jpeg' }), EMOJI_NAME);
    fd.append('attachments', new Blob([PDF], { type: 'application/pdf' }), '招聘会说明\u202efdp.pdf');
    const res = await fetch(`${link(id)}/submit`, { method: 'POST', body: fd, headers: { origin: portal.url } });
    const page = await res.text();
    expect(res.status, page).toBe(200);
    expect(page).toContain('已报送成功');

    const cut = attachmentFileName(EMOJI_NAME);
    expect(cut).toBe(`${'😀'.repeat(62)}.jpeg`);
    const [version] = (await weekly(id)).versions;
    expect(version!.attachments!.map((a) => [a.name, a.size, a.type])).toEqual([
      [cut, JPEG.length, 'image/jpeg'],
      ['招聘会说明fdp.pdf', PDF.length, 'application/pdf'],
    ]);

    const session = await login();
    const dept = await (await fetch(`${portal.url}/c/${id}/d/east`, { headers: { cookie: session } })).text();
    expect(dept).toContain(cut);
    expect(dept).toContain('招聘会说明fdp.pdf');
    expect(dept).not.toContain('\u202e');
    const hrefs = [...dept.matchAll(/href="(\/c\/[^"]+\/file\/[0-9a-f]{64})"/g)].map((m) => m[1]!);
    expect(hrefs).toHaveLength(2);
    const download = await fetch(`${portal.url}${hrefs[0]}`, { headers: { cookie: session } });
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(JPEG)).toBe(true);
    const disposition = download.headers.get('content-disposition')!;
    expect(disposition).toBe(`attachment; filename="download.jpeg"; filename*=UTF-8''${'%F0%9F%98%80'.repeat(62)}.jpeg`);
    expect(decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(disposition)![1]!)).toBe(cut);
  });

  it('refuses a POST whose Origin matches the Host it forged (403), on the department’s page and the coordinator’s, storing nothing', async () => {
    const id = await stack.startDemo();
    const csrf = await csrfOf(link(id));
    const fd = weeklyForm(csrf, { 'v.fairs': '2' });
    fd.append('attachments', new Blob([PDF], { type: 'application/pdf' }), '说明.pdf');
    // The same body a browser would send, with its CSRF token: only Origin and Host are forged.
    const encoded = new Response(fd);
    const body = Buffer.from(await encoded.arrayBuffer());
    const blobsBefore = await storedFiles(stack.stores.db);
    const dept = await forged(`${new URL(link(id)).pathname}/submit`, { 'content-type': encoded.headers.get('content-type')! }, body);
    expect(dept.status).toBe(403);
    expect(dept.body).toContain('并非来自本平台');
    expect(await storedFiles(stack.stores.db)).toEqual(blobsBefore);
    expect((await weekly(id)).versions).toHaveLength(0);

    const session = await login();
    const coordinatorCsrf = await csrfOf(`${portal.url}/c/${id}/d/east`, session);
    const excuse = new URLSearchParams({ csrf: coordinatorCsrf, department: 'east', occurrence: W1, reason: '伪造' }).toString();
    const coord = await forged(`/c/${id}/excuse`, { cookie: session, 'content-type': 'application/x-www-form-urlencoded' }, Buffer.from(excuse));
    expect(coord.status).toBe(403);
    expect(coord.body).toContain(`请从 ${portal.url} 打开本平台`);
    expect((await weekly(id)).status).toBe('pending');

    // The same two requests from the portal's own origin go through.
    const ok = await fetch(`${link(id)}/submit`, { method: 'POST', body: fd, headers: { origin: portal.url } });
    expect(ok.status).toBe(200);
    expect((await weekly(id)).versions).toHaveLength(1);
  });

  it('refuses 0x20, 1e2 and +50 in a 非负整数 field with the number rule, and stores 1,000 as 1000', async () => {
    const id = await stack.startDemo();
    const csrf = await csrfOf(link(id));
    for (const given of ['0x20', '1e2', '+50']) {
      const res = await fetch(`${link(id)}/submit`, { method: 'POST', body: weeklyForm(csrf, { 'v.fairs': given, 'v.hired': '10' }), headers: { origin: portal.url } });
      const page = await res.text();
      expect(res.status, page).toBe(422);
      const message = `「招聘会场次」须为非负整数（填写了“${given}”）：${numberNotationRule('zh-CN', 'count')}`;
      expect(page).toContain(`<p>${describeRefusal({ code: 'figures-invalid', params: { fieldErrors: [{ field: 'fairs', code: 'not-a-count', params: { label: '招聘会场次', given }, message }] } }, 'zh-CN')}。</p>`);
      expect(page).toContain('未保存任何内容');
      expect((await weekly(id)).versions).toHaveLength(0);
    }
    const res = await fetch(`${link(id)}/submit`, { method: 'POST', body: weeklyForm(csrf, { 'v.fairs': '1,000', 'v.hired': '１２', 'v.hired_women': '3' }), headers: { origin: portal.url } });
    expect(res.status, await res.text()).toBe(200);
    expect((await weekly(id)).versions[0]!.values).toMatchObject({ fairs: 1000, hired: 12, hired_women: 3 });
  });

  it('the CLI reads a figure written as text in its YAML by the same rule: 1e2 refused with the rule, 1,000 stored as 1000', async () => {
    const id = await stack.startDemo();
    const env = childEnv({ TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_TASK_QUEUE: stack.taskQueue, CAMPAIGN_DATA_DIR: stack.dataDir, PORTAL_SECRET: STACK_SECRET });
    const file = path.join(stack.dataDir, 'figures.yaml');
    const submit = () => runCli(['submit', id, '--department', 'east', '--deadline', 'weekly-stats', '--occurrence', W1, '--file', file], env);
    writeFileSync(file, "values:\n  fairs: '1e2'\n  hired: 10\n");
    const refused = await submit();
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toContain(`「招聘会场次」须为非负整数（填写了“1e2”）：${numberNotationRule('zh-CN', 'count')}`);
    expect((await weekly(id)).versions).toHaveLength(0);
    writeFileSync(file, "values:\n  fairs: '1,000'\n  hired: 10\n");
    const accepted = await submit();
    expect(accepted.code, accepted.stderr).toBe(0);
    expect((await weekly(id)).versions[0]!.values).toMatchObject({ fairs: 1000, hired: 10 });
  });

  it('a file one byte over the limit reads as over the limit, nothing stored', async () => {
    const id = await stack.startDemo();
    const csrf = await csrfOf(link(id));
    const fd = weeklyForm(csrf, { 'v.fairs': '2' });
    fd.append('attachments', new Blob([PDF, Buffer.alloc(LIMIT + 1 - PDF.length, 0x20)], { type: 'application/pdf' }), '现场照片.pdf');
    const blobsBefore = await storedFiles(stack.stores.db);
    const res = await fetch(`${link(id)}/submit`, { method: 'POST', body: fd, headers: { origin: portal.url } });
    expect(res.status).toBe(413);
    expect(await res.text()).toContain('文件“现场照片.pdf”过大，单个文件不得超过 64 KiB。未保存任何内容');
    expect(await storedFiles(stack.stores.db)).toEqual(blobsBefore);
    expect((await weekly(id)).versions).toHaveLength(0);
  });
});
