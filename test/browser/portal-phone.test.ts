/**
 * The pages as people read them: a department contact opening the link from the email on a phone
 * (390×844), the coordinator's matrix on a laptop (1,400 px) and on a phone. Measured in chromium:
 * nothing wider than the screen, dates and department names on one line, each deadline's title
 * once over its columns; an "any time" (随时报送) channel shown as a channel, never 逾期; and a
 * rehearsal that has ended saying so instead of showing a clock still running. The demo plan with
 * an open deadline added, against the dev server, a real worker and the portal with accounts.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import unzipper from 'unzipper';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium } from '../../tools/harness/browser';
import type { Portal } from '../../portal/server';
import { startAccountsPortal, startPortalStack, type PortalStack } from '../support/portal-stack';
import { until } from '../support/until';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PASSWORD = 'phone-test-coordinator-password';
const PHONE = { width: 390, height: 844 };
const LAPTOP = { width: 1400, height: 900 };
const CHANNEL = 'feedback';

/** The README's pictures go to docs/ only under `npm run screenshots` (SCREENSHOTS_DIR=docs). */
const SCREENSHOTS_DIR = process.env.SCREENSHOTS_DIR ? path.resolve(ROOT, process.env.SCREENSHOTS_DIR) : mkdtempSync(path.join(tmpdir(), 'portal-screenshots-'));

/** The demo plan with an "any time" channel beside its obligations. */
function withChannel(yaml: string): string {
  return `${yaml.trimEnd()}

  - id: ${CHANNEL}
    title: 随时报送工作动态、典型经验和意见建议
    from: [districts]
    submit: { report: true, attachments: false }
    schedule: { open: true }
`;
}

describe('the pages on a phone and on a laptop', () => {
  let stack: PortalStack;
  let portal: Portal;
  let browser: Browser;
  let url: string;
  let running: string;
  let finished: string;

  beforeAll(async () => {
    stack = await startPortalStack(inject('temporalAddress'));
    // A rehearsal played at a day a second: its three weeks are over in about half a minute.
    finished = await stack.startDemo(withChannel, { mode: 'rehearsal', scale: 1 / 86_400 });
    running = await stack.startDemo(withChannel);
    ({ portal, url } = await startAccountsPortal(stack, { coordinator: 'wang', password: PASSWORD, campaigns: [running, finished] }));
    await until('the rehearsal to end', async () => ((await stack.campaigns.info(finished)).state === 'completed' ? true : undefined), 110_000, 500);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await portal?.close();
    await stack?.teardown();
  });

  const departmentPage = async (campaign: string, department: string, viewport = PHONE): Promise<{ context: BrowserContext; page: Page }> => {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    const r = await page.goto(`${url}/d/${stack.token(campaign, department)}`);
    expect(r!.status()).toBe(200);
    return { context, page };
  };

  async function matrixPage(campaign: string, viewport: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    await page.goto(`${url}/c/login`);
    await page.fill('#user', 'wang');
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL(`${url}/c`), page.click('main button[type=submit]')]);
    expect((await page.goto(`${url}/c/${campaign}`))!.status()).toBe(200);
    return { context, page };
  }

  /** How many lines each element matched takes (an inline element broken over lines has one box per line). */
  const lines = (page: Page, selector: string) => page.locator(selector).evaluateAll((els) => els.map((e) => e.getClientRects().length));
  const pageWidth = (page: Page) => page.evaluate<number>('document.documentElement.scrollWidth');

  it('the department page at 390 px: nothing wider than the screen, every date on one line, each obligation a card with its state and action', async () => {
    const { context, page } = await departmentPage(running, 'east');
    expect(await pageWidth(page)).toBeLessThanOrEqual(PHONE.width);
    const rows = page.locator('#obligations tbody tr');
    expect(await rows.count()).toBeGreaterThanOrEqual(5);
    const dueLines = await lines(page, '#obligations .due');
    expect(dueLines.length).toBe(await rows.count());
    expect(dueLines.every((n) => n === 1)).toBe(true);
    // The dates in the form cards too.
    expect((await lines(page, 'section.card .when')).every((n) => n === 1)).toBe(true);
    // A card per obligation: its cells stacked, each within the screen, the header row hidden.
    expect(await page.locator('#obligations thead').isVisible()).toBe(false);
    const boxes = await page.locator('#obligations tbody td').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().right));
    expect(Math.max(...boxes)).toBeLessThanOrEqual(PHONE.width);
    const weekly = page.locator('#obligations tr[data-occurrence="weekly-stats@2024-03-06"]');
    expect(await weekly.locator('td[data-label="状态"]').textContent()).toContain('待报');
    const fill = weekly.locator('td[data-label="操作"] a.button');
    expect(await fill.textContent()).toBe('填报');
    const target = await fill.getAttribute('href');
    expect(await page.locator(`section.card${target}`).count()).toBe(1);
    // The submit button is a target a thumb can hit.
    const button = await page.locator('section.card form[action$="/submit"] button[type=submit]').first().boundingBox();
    expect(button!.height).toBeGreaterThanOrEqual(40);
    await page.screenshot({ path: path.join(SCREENSHOTS_DIR, 'portal-department-phone.png'), fullPage: true });
    await context.close();
  });

  it('an "any time" channel is a channel: 随时可报送 on the department page and in the matrix, never 逾期', async () => {
    const { context, page } = await departmentPage(running, 'west');
    const row = page.locator(`#obligations tr[data-occurrence^="${CHANNEL}@"]`);
    expect(await row.getAttribute('data-state')).toBe('channel');
    expect(await row.textContent()).toContain('随时可报送');
    expect(await row.textContent()).not.toContain('逾期');
    expect(await page.locator(`section.card[data-occurrence^="${CHANNEL}@"]`).textContent()).toContain('随时可报送');
    await context.close();

    const coord = await matrixPage(running, LAPTOP);
    const cells = coord.page.locator(`#matrix td[data-occurrence^="${CHANNEL}@"]`);
    expect(await cells.count()).toBe(3);
    expect(await cells.evaluateAll((els) => els.map((e) => e.getAttribute('data-state')))).toEqual(['channel', 'channel', 'channel']);
    expect(await coord.page.locator(`#matrix th[data-deadline="${CHANNEL}"]`).textContent()).toContain('随时报送');
    await coord.context.close();
  });

  it('the matrix: each deadline titled once over its dates, department names on one line (laptop and phone), the table scrolling inside the page', async () => {
    const plan = await stack.campaigns.plans.load((await stack.campaigns.info(running)).planRef);
    const weekly = plan.deadlines.find((d) => d.id === 'weekly-stats')!;
    for (const viewport of [LAPTOP, PHONE]) {
      const { context, page } = await matrixPage(running, viewport);
      const head = page.locator('#matrix thead');
      expect(await head.locator(`th[data-deadline="weekly-stats"]`).count()).toBe(1);
      expect(await head.locator(`th[data-deadline="weekly-stats"]`).getAttribute('colspan')).toBe(String(weekly.occurrences.length));
      expect(((await head.textContent())!.match(/每周招聘活动情况/g) ?? []).length).toBe(1);
      for (const occ of weekly.occurrences) expect(await head.locator(`th[data-occurrence="${occ.key}"]`).count()).toBe(1);
      expect(await lines(page, '#matrix tbody th.dept a')).toEqual([1, 1, 1]);
      expect(await pageWidth(page)).toBeLessThanOrEqual(viewport.width);
      if (viewport === PHONE) {
        // Scrolled sideways, the department names stay in view.
        await page.locator('.table-scroll').evaluate((e) => e.scrollBy(600, 0));
        const name = await page.locator('#matrix tbody th.dept').first().boundingBox();
        expect(name!.x).toBeGreaterThanOrEqual(0);
        expect(name!.x).toBeLessThan(40);
      }
      await context.close();
    }
  });

  it('a rehearsal that has ended says so instead of running its clock on; its channel is not overdue', async () => {
    const { context, page } = await departmentPage(finished, 'north');
    const said = await page.textContent('#campaign-time');
    expect(said).toContain('活动已结束');
    expect(said).toContain('2024年3月24日');
    expect(await page.textContent('main')).not.toContain(`${new Date().getUTCFullYear()}年`);
    expect(await page.locator('section.card form').count()).toBe(0);
    const row = page.locator(`#obligations tr[data-occurrence^="${CHANNEL}@"]`);
    expect(await row.getAttribute('data-state')).toBe('channel');
    expect(await row.textContent()).not.toContain('逾期');
    // The obligations nobody submitted are overdue, as they are.
    expect(await page.locator('#obligations tr[data-occurrence="contacts@2024-03-08"]').getAttribute('data-state')).toBe('overdue');
    await new Promise((r) => setTimeout(r, 1600));
    await page.reload();
    expect(await page.textContent('#campaign-time')).toBe(said);
    await context.close();

    const coord = await matrixPage(finished, LAPTOP);
    expect(await coord.page.textContent('#campaign-time')).toContain('活动已结束');
    expect(await coord.page.locator(`#matrix td[data-occurrence^="${CHANNEL}@"]`).evaluateAll((els) => els.map((e) => e.getAttribute('data-state')))).toEqual(['channel', 'channel', 'channel']);
    // Its coordinator archives it with one click: a ZIP whose manifest names every file it holds.
    const [download] = await Promise.all([coord.page.waitForEvent('download'), coord.page.click('#archive')]);
    expect(download.suggestedFilename()).toBe(`${finished}-归档.zip`);
    const zip = await unzipper.Open.file((await download.path())!);
    const names = zip.files.map((f) => f.path);
    expect(names).toContain('index.html');
    const manifest = JSON.parse((await zip.files.find((f) => f.path === 'manifest.json')!.buffer()).toString('utf8')) as { files: Array<{ path: string; sha256: string }> };
    for (const f of manifest.files) {
      const entry = zip.files.find((e) => e.path === f.path)!;
      expect(createHash('sha256').update(await entry.buffer()).digest('hex'), f.path).toBe(f.sha256);
    }
    // A running campaign has no archive yet.
    expect((await coord.page.request.get(`${url}/c/${running}/archive`)).status()).toBe(409);
    await coord.context.close();
  });
});
