/**
 * The portal against the real stack: the Temporal dev server (global set-up), an in-process worker
 * with real activities (SMTP sink, ledger, blob store in a temporary CAMPAIGN_DATA_DIR), the portal
 * in-process on a free port, and headless chromium. The demo plan runs in rehearsal at scale 1 from
 * 2024-03-05 09:00, so the first weekly table (due 03-06 12:00) is open.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, type Worker } from '@temporalio/worker';
import ExcelJS from 'exceljs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ActivityDeps } from '../../activities';
import { CampaignClient } from '../../client/campaign-client';
import { freePort } from '../../tools/harness/free-port';
import { launchChromium } from '../../tools/harness/browser';
import { parseMailConfig } from '../../config/mail';
import { loadPlanText } from '../../deadlines/load';
import { startPortal, type Portal } from '../../portal/server';
import { departmentLinkBuilder, signToken } from '../../mail/department-links';
import { AccountStore } from '../../store/accounts/account-store';
import { openStores, type Stores } from '../../store/stores';
import { createCampaignWorker, WORKFLOWS_PATH } from '../../worker/create-worker';
import { startSmtpSink, type ReceivedMessage, type SmtpSink } from '../support/smtp-sink';
import { uniqueId } from '../support/temporal';
import { closeMailDependencies, mailDependencies, storeDependencies } from '../../worker/dependencies';
import { storedFiles } from '../support/stored-files';

const SECRET = 'portal-test-secret-portal-test-secret!!';
const PASSWORD = 'correct-horse-battery-staple';
const MAX_UPLOAD = 64 * 1024;
const W1 = 'weekly-stats@2024-03-06';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PLAN_FILE = path.join(ROOT, 'definitions/demo.yaml');

/**
 * Where the pages' screenshots go: the README's pictures in docs/ only when asked for
 * (`npm run screenshots`, which sets SCREENSHOTS_DIR=docs), so that `npm test` leaves the working
 * tree clean; otherwise a temporary folder (the pages are still rendered and captured).
 */
const SCREENSHOTS_DIR = process.env.SCREENSHOTS_DIR ? path.resolve(ROOT, process.env.SCREENSHOTS_DIR) : mkdtempSync(path.join(tmpdir(), 'portal-screenshots-'));
function screenshotPath(name: string): string {
  return path.join(SCREENSHOTS_DIR, name);
}

/** A small but real PDF (one page, "Hello"), with a correct xref table. */
function tinyPdf(): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    '<< /Length 44 >>\nstream\nBT /F1 18 Tf 20 40 Td (Hello) Tj ET\nendstream',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(out));
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out);
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

describe('the portal: departments submit through the links in their emails, the coordinator follows', () => {
  let sink: SmtpSink;
  let connection: Connection;
  let nativeConnection: NativeConnection;
  let worker: Worker;
  let running: Promise<void>;
  let portal: Portal;
  let browser: Browser;
  let campaigns: CampaignClient;
  let dataDir: string;
  let stores: Stores;
  let deps: ActivityDeps;
  let campaignId: string;
  let portalUrl: string;
  const links: Record<string, string> = {};

  beforeAll(async () => {
    const address = inject('temporalAddress');
    dataDir = mkdtempSync(path.join(tmpdir(), 'campaign-portal-'));
    sink = await startSmtpSink();
    const mail = parseMailConfig(sink.env());
    stores = await openStores({ CAMPAIGN_DATA_DIR: dataDir });
    const { blobs, plans } = stores;
    const port = await freePort();
    portalUrl = `http://127.0.0.1:${port}`;
    const link = departmentLinkBuilder(portalUrl, SECRET);
    connection = await Connection.connect({ address });
    const client = new Client({ connection });
    deps = {
      ...mailDependencies(mail),
      ...storeDependencies(stores),
      links: (c, d) => link(c, d),
      coordinatorLink: (c) => `${portalUrl}/c/${c}`,
      temporal: client,
      now: () => new Date(),
    };
    const taskQueue = uniqueId('portal');
    nativeConnection = await NativeConnection.connect({ address });
    const bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: { log() {}, info() {}, warn() {}, debug() {}, trace() {}, error() {} } });
    worker = await createCampaignWorker({ connection: nativeConnection, taskQueue, deps, workflowBundle: bundle });
    running = worker.run();
    campaigns = new CampaignClient(client, plans, taskQueue);
    portal = await startPortal(
      {
        secret: SECRET,
        baseUrl: portalUrl,
        bootstrapAdmin: { login: 'coordinator', password: PASSWORD },
        maxUploadBytes: MAX_UPLOAD,
        maxFiles: 3,
        temporalWebUiUrl: inject('temporalUiUrl') || 'http://127.0.0.1:8233',
        namespace: 'default',
        log: () => undefined,
      },
      { campaigns, blobs, accounts: new AccountStore(stores.db) },
      { port },
    );
    campaignId = uniqueId('portal');
    const r = loadPlanText(readFileSync(PLAN_FILE, 'utf8').replace(/^  id: demo$/m, `  id: ${campaignId}`), 'demo.yaml');
    if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
    await campaigns.start(r.plan, { workflowId: `campaign/${campaignId}`, clock: { mode: 'rehearsal', scale: 1, startAt: '2024-03-05T09:00:00+08:00' } });
    // The launch notices, as the departments receive them; the links are taken from these emails.
    const deadline = Date.now() + 60_000;
    while (Object.keys(links).length < 3 && Date.now() < deadline) {
      await sink.waitFor(sink.messages.length + 1, 60_000).catch(() => undefined);
      for (const m of sink.messages) {
        const key = m.headers['x-campaign-key'] ?? '';
        const dept = new RegExp(`^${campaignId}/launch/([a-z]+)/`).exec(key)?.[1];
        const found = m.text?.match(/https?:\/\/[^\s]+\/d\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/)?.[0];
        if (dept && found) links[dept] = found;
      }
    }
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await campaigns?.cancel(campaignId).catch(() => undefined);
    await portal?.close();
    worker?.shutdown();
    await running?.catch(() => undefined);
    if (deps) closeMailDependencies(deps);
    await stores?.close();
    await nativeConnection?.close();
    await connection?.close();
    await sink?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const eastObligation = async (dept = 'east', occurrence = W1) => (await campaigns.status(campaignId)).obligations.find((o) => o.department === dept && o.occurrence === occurrence)!;
  const weeklyCard = (page: Page) => page.locator(`section#occ-${W1.replace(/[^A-Za-z0-9_-]/g, '-')}`);

  async function loginCoordinator(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${portalUrl}/c/login`);
    await page.fill('#user', 'coordinator');
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL(`${portalUrl}/c`), page.click('button[type=submit]')]);
    return { context, page };
  }

  it('east: opens the link from its launch email, gets a field error with its other values kept, corrects it, attaches a PDF, submits; the coordinator sees it submitted', async () => {
    expect(Object.keys(links).sort()).toEqual(['east', 'north', 'west']);
    expect(links.east!.startsWith(`${portalUrl}/d/`)).toBe(true);
    const blobsBefore = await storedFiles(stores.db);
    const context = await browser.newContext();
    const page = await context.newPage();
    const first = await page.goto(links.east!);
    expect(first!.status()).toBe(200);
    expect(first!.headers()['content-security-policy']).toContain("default-src 'self'");
    expect(first!.headers()['referrer-policy']).toBe('no-referrer');
    expect(await page.textContent('#department-name')).toBe('东区人社局');
    const body = await page.textContent('body');
    expect(body).not.toContain('西区');
    expect(body).not.toContain('北区');
    // The plan takes files for the weekly table (submit.attachments: true) but not for the contacts report.
    expect(await weeklyCard(page).locator('input[name="attachments"]').count()).toBe(1);
    expect(await page.locator('section[data-occurrence="contacts@2024-03-08"] input[name="attachments"]').count()).toBe(0);

    const card = weeklyCard(page);
    await card.locator('input[name="v.fairs"]').fill('3');
    await card.locator('input[name="v.hired"]').fill('10');
    await card.locator('input[name="v.hired_women"]').fill('12');
    await card.locator('input[name="v.remark"]').fill('本周两场专场招聘');
    await Promise.all([page.waitForNavigation(), card.locator('form[action$="/submit"]:not(.nothing-form) button[type=submit]').click()]);
    await page.waitForSelector('[data-error-for="hired_women"]');
    const card2 = weeklyCard(page);
    expect(await card2.locator('[data-error-for="hired_women"]').textContent()).toContain('女性人数');
    expect(await card2.locator('input[name="v.fairs"]').inputValue()).toBe('3');
    expect(await card2.locator('input[name="v.hired"]').inputValue()).toBe('10');
    expect(await card2.locator('input[name="v.hired_women"]').inputValue()).toBe('12');
    expect(await card2.locator('input[name="v.remark"]').inputValue()).toBe('本周两场专场招聘');
    expect(await storedFiles(stores.db)).toEqual(blobsBefore);
    mkdirSync(path.join(ROOT, 'docs'), { recursive: true });
    await page.screenshot({ path: screenshotPath('portal-department.png'), fullPage: true });

    await card2.locator('input[name="v.hired_women"]').fill('4');
    const pdf = tinyPdf();
    await card2.locator('input[name="attachments"]').setInputFiles({ name: '招聘会现场照片说明.pdf', mimeType: 'application/pdf', buffer: pdf });
    await Promise.all([page.waitForNavigation(), card2.locator('form[action$="/submit"]:not(.nothing-form) button[type=submit]').click()]);
    expect(await page.textContent('h1')).toBe('报送成功');
    expect(await page.textContent('.receipt')).toContain('东区人社局');
    expect(await page.textContent('body')).toContain('招聘会现场照片说明.pdf');
    expect(await storedFiles(stores.db)).toMatchObject({ blobs: blobsBefore.blobs + 1, uploads: 0 });

    const ob = await eastObligation();
    expect(ob.status).toBe('submitted');
    expect(ob.versions).toHaveLength(1);
    expect(ob.versions[0]!.values).toMatchObject({ fairs: 3, hired: 10, hired_women: 4, remark: '本周两场专场招聘' });
    expect(ob.versions[0]!.attachments).toEqual([expect.objectContaining({ name: '招聘会现场照片说明.pdf', size: pdf.length, type: 'application/pdf' })]);
    expect(ob.versions[0]!.by).toBe('portal:east');

    // The receipt email, sent by the workflow, arrives at the SMTP server.
    const deadline = Date.now() + 30_000;
    let receipt: ReceivedMessage | undefined;
    while (!receipt && Date.now() < deadline) {
      receipt = sink.messages.find((m) => (m.headers['x-campaign-key'] ?? '').startsWith(`${campaignId}/${W1}/east/receipt-`));
      if (!receipt) await new Promise((r) => setTimeout(r, 200));
    }
    expect(receipt?.to.map((a) => a.address)).toEqual(['east@demo.example']);
    await context.close();

    const coord = await loginCoordinator();
    const matrix = await coord.page.goto(`${portalUrl}/c/${campaignId}`);
    expect(matrix!.status()).toBe(200);
    const cell = coord.page.locator(`tr[data-department="east"] td[data-occurrence="${W1}"]`);
    expect(await cell.getAttribute('data-state')).toBe('submitted');
    expect(await cell.textContent()).toContain('已报');
    expect(await coord.page.locator(`tr[data-department="west"] td[data-occurrence="${W1}"]`).getAttribute('data-state')).toBe('pending');

    // Drill-down: the version with its attachment, which downloads byte for byte.
    await coord.page.goto(`${portalUrl}/c/${campaignId}/d/east`);
    const href = await coord.page.locator('a[download]').first().getAttribute('href');
    const file = await coord.context.request.get(`${portalUrl}${href}`);
    expect(file.status()).toBe(200);
    expect(Buffer.from(await file.body()).equals(pdf)).toBe(true);
    // Summary: the 总计 row and the missing departments; the CSV download.
    await coord.page.goto(`${portalUrl}/c/${campaignId}/summary/${encodeURIComponent(W1)}`);
    expect(await coord.page.textContent('#summary')).toContain('总计');
    expect(await coord.page.textContent('#missing')).toContain('西区人社局');
    const csv = await coord.context.request.get(`${portalUrl}/c/${campaignId}/summary/${encodeURIComponent(W1)}.csv`);
    expect(await csv.text()).toContain('东区人社局,submitted');
    const xlsx = await coord.context.request.get(`${portalUrl}/c/${campaignId}/summary/${encodeURIComponent(W1)}.xlsx`);
    expect(xlsx.status()).toBe(200);
    expect(Buffer.from(await xlsx.body()).subarray(0, 2).toString()).toBe('PK');
    await coord.context.close();
  });

  it('west: downloads the Excel template, fills it in, uploads it through the page; the figures reach the workflow', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(links.west!);
    expect(await page.textContent('#department-name')).toBe('西区人社局');
    const href = await weeklyCard(page).locator('a.template-link').getAttribute('href');
    const res = await context.request.get(`${portalUrl}${href}`);
    expect(res.status()).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await res.body()) as unknown as ArrayBuffer);
    const meta = wb.getWorksheet('meta')!;
    const metaRows = new Map<string, unknown[]>();
    meta.eachRow((row) => metaRows.set(String(row.getCell(1).value), (row.values as unknown[]).slice(2)));
    expect(metaRows.get('departmentId')).toEqual(['west']);
    const sheet = wb.getWorksheet(String(metaRows.get('sheet')![0]))!;
    const dataRow = Number(metaRows.get('dataRow')![0]);
    const firstColumn = Number(metaRows.get('firstColumn')![0]);
    expect(String(sheet.getCell(dataRow, 1).value)).toContain('西区人社局');
    const figures: Record<string, number | string> = { fairs: 5, hired: 40, hired_women: 18, remark: '通过模板报送' };
    (metaRows.get('columns') as string[]).forEach((id, i) => {
      if (id in figures) sheet.getCell(dataRow, firstColumn + i).value = figures[id]!;
    });
    const filled = Buffer.from(await wb.xlsx.writeBuffer());

    const upload = weeklyCard(page).locator('form.upload-form');
    await upload.locator('input[name="xlsx"]').setInputFiles({ name: '西区-每周招聘活动情况表.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: filled });
    await Promise.all([page.waitForNavigation(), upload.locator('button[type=submit]').click()]);
    expect(await page.textContent('h1')).toBe('报送成功');
    const ob = await eastObligation('west');
    expect(ob.status).toBe('submitted');
    expect(ob.versions.at(-1)!.values).toMatchObject({ fairs: 5, hired: 40, hired_women: 18, remark: '通过模板报送' });

    // The same template for another department is refused (it names west).
    const north = await browser.newContext();
    const npage = await north.newPage();
    await npage.goto(links.north!);
    const nupload = weeklyCard(npage).locator('form.upload-form');
    await nupload.locator('input[name="xlsx"]').setInputFiles({ name: 'west.xlsx', mimeType: 'application/octet-stream', buffer: filled });
    await Promise.all([npage.waitForNavigation(), nupload.locator('button[type=submit]').click()]);
    expect(await npage.textContent('.form-errors')).toMatch(/其他单位|另一/);
    expect((await eastObligation('north')).versions).toHaveLength(0);
    await north.close();
    await context.close();
  });

  it('refuses forged, expired and other departments’ links, cross-site posts, oversized and disguised files — and stores nothing', async () => {
    const snapshot = async () => JSON.stringify((await campaigns.status(campaignId)).obligations.map((o) => [o.occurrence, o.department, o.status, o.versions.map((v) => v.submissionId)]));
    const before = await snapshot();
    const blobsBefore = await storedFiles(stores.db);
    const context = await browser.newContext();
    const page = await context.newPage();
    const eastToken = links.east!.split('/d/')[1]!;
    const westToken = links.west!.split('/d/')[1]!;

    // Forged (signature altered), malformed, expired.
    const forged = `${eastToken.slice(0, -3)}${eastToken.endsWith('AAA') ? 'BBB' : 'AAA'}`;
    let r = await page.goto(`${portalUrl}/d/${forged}`);
    expect(r!.status()).toBe(403);
    expect(await page.textContent('h1')).toBe('链接无效');
    expect(await page.textContent('body')).not.toContain('东区');
    r = await page.goto(`${portalUrl}/d/not-a-token`);
    expect(r!.status()).toBe(403);
    // A token for east signed with the right secret but for another campaign's payload is forged too.
    const tampered = `${Buffer.from(JSON.stringify([campaignId, 'west', 4102444800])).toString('base64url')}.${eastToken.split('.')[1]}`;
    r = await page.goto(`${portalUrl}/d/${tampered}`);
    expect(r!.status()).toBe(403);
    const expired = signToken(SECRET, { campaignId, departmentId: 'east', expiresAt: Math.floor(Date.now() / 1000) - 60 });
    r = await page.goto(`${portalUrl}/d/${expired}`);
    expect(r!.status()).toBe(403);
    expect(await page.textContent('h1')).toBe('链接已过期');
    expect(await page.textContent('body')).not.toContain('东区');

    // West's page shows west only; east's form posted with west's link (east's CSRF) is refused.
    await page.goto(links.west!);
    expect(await page.textContent('body')).not.toContain('东区');
    await page.goto(links.east!);
    const eastCsrf = await weeklyCard(page).locator('form[action$="/submit"]:not(.nothing-form) input[name=csrf]').inputValue();
    const post = (url: string, fields: Record<string, string>, headers: Record<string, string> = { origin: portalUrl }) => {
      const fd = new FormData();
      for (const [k, v] of Object.entries(fields)) fd.append(k, v);
      return fetch(url, { method: 'POST', body: fd, headers, redirect: 'manual' });
    };
    const figures = { deadline: 'weekly-stats', occurrence: W1, 'v.fairs': '9', 'v.hired': '9', 'v.hired_women': '1', department: 'east' };
    let res = await post(`${portalUrl}/d/${westToken}/submit`, { csrf: eastCsrf, ...figures });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('校验码不符');
    // Cross-site: foreign Origin with a valid token; missing CSRF; wrong CSRF; no Origin or Referer at all.
    res = await post(`${portalUrl}/d/${eastToken}/submit`, { csrf: eastCsrf, ...figures }, { origin: 'http://evil.example' });
    expect(res.status).toBe(403);
    res = await post(`${portalUrl}/d/${eastToken}/submit`, figures);
    expect(res.status).toBe(403);
    res = await post(`${portalUrl}/d/${eastToken}/submit`, { csrf: 'x'.repeat(43), ...figures });
    expect(res.status).toBe(403);
    res = await post(`${portalUrl}/d/${eastToken}/submit`, { csrf: eastCsrf, ...figures }, {});
    expect(res.status).toBe(403);
    // A real cross-site form post from another origin, in the browser (department and coordinator).
    const coord = await loginCoordinator();
    const coordCsrf = await (async () => {
      await coord.page.goto(`${portalUrl}/c/${campaignId}/d/north`);
      return coord.page.locator('form[action$="/excuse"] input[name=csrf]').first().inputValue();
    })();
    const evil: Server = createServer((req, resp) => {
      const target = req.url === '/coord' ? `${portalUrl}/c/${campaignId}/excuse` : `${portalUrl}/d/${eastToken}/submit`;
      const fields = req.url === '/coord' ? { csrf: coordCsrf, department: 'north', occurrence: W1, reason: 'evil' } : { csrf: eastCsrf, ...figures };
      resp.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      resp.end(`<!doctype html><form method="post" action="${target}">${Object.entries(fields).map(([k, v]) => `<input type="hidden" name="${k}" value="${v}">`).join('')}</form><script>document.forms[0].submit()</script>`);
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    const evilUrl = `http://localhost:${(evil.address() as AddressInfo).port}`;
    const deptResponse = page.waitForResponse((x) => x.url().endsWith('/submit'));
    await page.goto(`${evilUrl}/dept`);
    expect((await deptResponse).status()).toBe(403);
    expect(await page.textContent('body')).toContain('并非来自本平台');
    const coordResponse = coord.page.waitForResponse((x) => x.url().endsWith('/excuse'));
    await coord.page.goto(`${evilUrl}/coord`);
    expect((await coordResponse).status()).toBe(403);
    await new Promise((resolve) => evil.close(resolve));
    await coord.context.close();

    // One byte over the upload limit; an executable renamed .pdf; a .exe.
    await page.goto(links.east!);
    const over = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(MAX_UPLOAD + 1 - 9, 0x20)]);
    expect(over.length).toBe(MAX_UPLOAD + 1);
    let card = weeklyCard(page);
    await card.locator('input[name="v.fairs"]').fill('6');
    await card.locator('input[name="attachments"]').setInputFiles({ name: 'big.pdf', mimeType: 'application/pdf', buffer: over });
    const bigResponse = page.waitForResponse((x) => x.url().endsWith('/submit'));
    await card.locator('form[action$="/submit"]:not(.nothing-form) button[type=submit]').click();
    expect((await bigResponse).status()).toBe(413);
    await page.waitForLoadState('load');
    expect(await page.textContent('body')).toContain('过大');
    expect(await page.textContent('body')).toContain('未保存任何内容');

    await page.goto(links.east!);
    card = weeklyCard(page);
    await card.locator('input[name="v.fairs"]').fill('6');
    const mz = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'), Buffer.alloc(200, 0)]);
    await card.locator('input[name="attachments"]').setInputFiles({ name: '报告.pdf', mimeType: 'application/pdf', buffer: mz });
    const exeResponse = page.waitForResponse((x) => x.url().endsWith('/submit'));
    await card.locator('form[action$="/submit"]:not(.nothing-form) button[type=submit]').click();
    expect((await exeResponse).status()).toBe(422);
    await page.waitForLoadState('load');
    expect(await weeklyCard(page).locator('.form-errors').textContent()).toContain('可执行程序');
    // The typed figure is kept, the executable is not.
    expect(await weeklyCard(page).locator('input[name="v.fairs"]').inputValue()).toBe('6');

    await weeklyCard(page).locator('input[name="attachments"]').setInputFiles({ name: 'setup.exe', mimeType: 'application/octet-stream', buffer: mz });
    const extResponse = page.waitForResponse((x) => x.url().endsWith('/submit'));
    await weeklyCard(page).locator('form[action$="/submit"]:not(.nothing-form) button[type=submit]').click();
    expect((await extResponse).status()).toBe(422);
    await page.waitForLoadState('load');
    expect(await weeklyCard(page).locator('.form-errors').textContent()).toContain('类型不允许');

    expect(await storedFiles(stores.db)).toEqual(blobsBefore);
    expect(await snapshot()).toBe(before);
    await context.close();
  });

  it('asks to confirm a decreasing cumulative figure, then accepts it; a double submit is one version', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(links.east!);
    const card = weeklyCard(page);
    // east's previous figures: fairs 3, hired 10 (cumulative).
    await card.locator('input[name="v.fairs"]').fill('2');
    await Promise.all([page.waitForNavigation(), card.locator('form[action$="/submit"]:not(.nothing-form) button[type=submit]').click()]);
    await page.waitForSelector('[data-warning-for="fairs"]');
    expect(await weeklyCard(page).locator('[data-warning-for="fairs"]').textContent()).toContain('累计数');
    expect((await eastObligation()).versions).toHaveLength(1);
    await weeklyCard(page).locator('[data-warning-for="fairs"] input[name=confirm]').check();
    const csrf = await weeklyCard(page).locator('form[action$="/submit"]:not(.nothing-form) input[name=csrf]').inputValue();
    await Promise.all([page.waitForNavigation(), weeklyCard(page).locator('form[action$="/submit"]:not(.nothing-form) button[type=submit]').click()]);
    expect(await page.textContent('h1')).toBe('报送成功');
    expect(await page.textContent('body')).toContain('第2版');
    const receiptId = (await page.textContent('body'))!.match(/portal-[0-9a-f]{40}/)?.[0];
    expect(receiptId).toBeTruthy();
    // The same form posted again (a double click, the browser resending it): the same submission id, no version 3.
    const fd = new FormData();
    const fields: Array<[string, string]> = [['csrf', csrf], ['deadline', 'weekly-stats'], ['occurrence', W1], ['v.fairs', '2'], ['v.hired', '10'], ['v.hired_women', '4'], ['v.remark', '本周两场专场招聘'], ['confirm', 'fairs'], ['report', '']];
    for (const [k, v] of fields) fd.append(k, v);
    const again = await fetch(`${links.east}/submit`, { method: 'POST', body: fd, headers: { origin: portalUrl } });
    expect(again.status).toBe(200);
    // Temporal answers the repeated update (same update id) with the first one's receipt.
    const text = await again.text();
    expect(text).toContain('第2版');
    expect(text).toContain(receiptId!);
    const ob = await eastObligation();
    expect(ob.versions).toHaveLength(2);
    expect(ob.versions[1]!.values).toMatchObject({ fairs: 2 });
    await context.close();
  });

  it('coordinator: excuses and extends through the drill-down forms; the matrix shows every state', async () => {
    const coord = await loginCoordinator();
    const page = coord.page;
    await page.goto(`${portalUrl}/c/${campaignId}/d/north`);
    const contacts = page.locator('section[data-occurrence="contacts@2024-03-08"]');
    await contacts.locator('input[name=reason]').fill('已电话报送联系人');
    await Promise.all([page.waitForNavigation(), contacts.locator('form[action$="/excuse"] button').click()]);
    expect((await eastObligation('north', 'contacts@2024-03-08')).status).toBe('excused');
    expect(await page.locator('section[data-occurrence="contacts@2024-03-08"]').textContent()).toContain('已电话报送联系人');

    await page.goto(`${portalUrl}/c/${campaignId}/d/west`);
    const west = page.locator('section[data-occurrence="contacts@2024-03-08"]');
    await west.locator('input[name=until]').fill('2024-03-12 18:00');
    await Promise.all([page.waitForNavigation(), west.locator('form[action$="/extend"] button').click()]);
    expect(Date.parse((await eastObligation('west', 'contacts@2024-03-08')).due)).toBe(Date.parse('2024-03-12T18:00:00+08:00'));
    // A rejected action is shown with its reason, nothing changes.
    await page.goto(`${portalUrl}/c/${campaignId}/d/east`);
    const east = page.locator('section[data-occurrence="contacts@2024-03-08"]');
    await east.locator('input[name=until]').fill('2024-03-01 18:00');
    await Promise.all([page.waitForNavigation(), east.locator('form[action$="/extend"] button').click()]);
    expect(await page.textContent('.alert')).toContain('already past');

    await page.goto(`${portalUrl}/c/${campaignId}`);
    expect(await page.locator(`tr[data-department="north"] td[data-occurrence="contacts@2024-03-08"]`).getAttribute('data-state')).toBe('excused');
    expect(await page.locator(`tr[data-department="west"] td[data-occurrence="${W1}"]`).getAttribute('data-state')).toBe('submitted');
    expect(await page.locator('a[href*="/namespaces/default/workflows/campaign%2F"]').count()).toBe(1);
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.screenshot({ path: screenshotPath('portal-matrix.png'), fullPage: true });
    await coord.context.close();
  });
});
