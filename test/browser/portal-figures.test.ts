/**
 * The figures at a glance (/c/<id>/figures) as a coordinator and a viewer see them on a phone
 * (390×844): a bar per department for its on-time rate, and a line chart per cumulative figure of
 * the weekly table (the total and each department), with the numbers the submissions make. The demo
 * plan played from Wednesday 6 March 2024 11:00 at ten minutes a second: two districts send the
 * first weekly table before its 12:00 deadline, the third after it, then two send the second week's.
 * Against the dev server, a real worker and the portal with accounts.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium } from '../../tools/harness/browser';
import type { Portal } from '../../portal/server';
import { startAccountsPortal, startPortalStack, type PortalStack } from '../support/portal-stack';
import { until } from '../support/until';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PASSWORD = 'figures-test-password';
const PHONE = { width: 390, height: 844 };
const SCREENSHOTS_DIR = process.env.SCREENSHOTS_DIR ? path.resolve(ROOT, process.env.SCREENSHOTS_DIR) : mkdtempSync(path.join(tmpdir(), 'portal-screenshots-'));
const W06 = 'weekly-stats@2024-03-06';
const W13 = 'weekly-stats@2024-03-13';

describe('the figures page', () => {
  let stack: PortalStack;
  let portal: Portal;
  let browser: Browser;
  let url: string;
  let id: string;

  beforeAll(async () => {
    stack = await startPortalStack(inject('temporalAddress'));
    id = await stack.startDemo(undefined, { mode: 'rehearsal', scale: 1 / 600, startAt: '2024-03-06T11:00:00+08:00' });
    ({ portal, url } = await startAccountsPortal(stack, { coordinator: 'wang', viewer: 'li', password: PASSWORD, campaigns: [id] }));
    const submit = (department: string, occurrence: string, fairs: number, hired: number) =>
      stack.campaigns.submit(id, { submissionId: `${department}-${occurrence}`, department, deadline: 'weekly-stats', occurrence, values: { fairs, hired, hired_women: 0 }, by: 'test' });
    await submit('east', W06, 2, 10);
    await submit('north', W06, 3, 12);
    await until('the first week to be due', async () => (Date.parse((await stack.campaigns.info(id)).campaignNow) > Date.parse('2024-03-06T12:05:00+08:00') ? true : undefined), 60_000, 250);
    await submit('west', W06, 1, 3);
    await submit('east', W13, 5, 25);
    await submit('north', W13, 4, 20);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await portal?.close();
    await stack?.teardown();
  });

  async function figuresAs(login: string): Promise<Page> {
    const context = await browser.newContext({ viewport: PHONE });
    const page = await context.newPage();
    await page.goto(`${url}/c/login`);
    await page.fill('#user', login);
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL(`${url}/c`), page.click('main button[type=submit]')]);
    expect((await page.goto(`${url}/c/${id}`))!.status()).toBe(200);
    await Promise.all([page.waitForURL(`${url}/c/${id}/figures`), page.click('#figures-link')]);
    return page;
  }

  const attr = (page: Page, selector: string, name: string) => page.locator(selector).evaluateAll((els, n) => els.map((e) => e.getAttribute(n)), name);

  it('a coordinator: on-time bars and the weekly trend lines with the submitted figures, within 390 px', async () => {
    const page = await figuresAs('wang');
    // The first week is the only obligation due: east and north on time, west late (by a few minutes).
    expect(await attr(page, '#ontime-chart rect.bar', 'data-department')).toEqual(['east', 'west', 'north']);
    expect(await attr(page, '#ontime-chart rect.bar', 'data-rate')).toEqual(['1.000', '0.000', '1.000']);
    const widths = (await attr(page, '#ontime-chart rect.bar', 'width')).map(Number);
    expect(widths[0]).toBeGreaterThan(150);
    expect(widths[1]).toBe(0);
    expect(await page.locator('#ontime-chart').textContent()).toContain('东区人社局');
    expect(await page.locator('#timeliness tr[data-department="west"] td[data-label="迟报"]').textContent()).toBe('1');
    // A few minutes after 12:00 the same day (the clock runs ten minutes a second).
    expect(await page.locator('#timeliness tr[data-department="west"] td[data-label="迟报时长"]').textContent()).toMatch(/^平均\d+分钟，最多\d+分钟（当天）$/);

    // 招聘会场次 and 签订就业协议人数, each: the total thick, one thin line a department, labelled.
    expect(await attr(page, 'svg.trend-chart', 'data-column')).toEqual(['fairs', 'hired']);
    const series = (column: string, which: string) => attr(page, `svg.trend-chart[data-column="${column}"] g.series${which}`, 'data-values');
    expect(await series('fairs', '[data-series="total"]')).toEqual(['6,9,']);
    expect(await series('fairs', '[data-series="department"]')).toEqual(['2,5,', '1,,', '3,4,']);
    expect(await series('hired', '[data-series="total"]')).toEqual(['25,45,']);
    expect(await page.locator('svg.trend-chart[data-column="fairs"] g[data-series="total"] polyline').count()).toBe(1);
    const legend = await page.locator('svg.trend-chart[data-column="hired"]').textContent();
    expect(legend).toContain('合计 45');
    expect(legend).toContain('西区人社局 3');

    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
    // The charts scale to the screen: as wide as the page's content, not their 360-unit drawing.
    const chartWidth = await page.locator('svg.trend-chart').first().evaluate((e) => e.getBoundingClientRect().width);
    expect(chartWidth).toBeGreaterThan(300);
    expect(chartWidth).toBeLessThanOrEqual(PHONE.width);
    await page.screenshot({ path: path.join(SCREENSHOTS_DIR, 'portal-figures.png'), fullPage: true });
    await page.context().close();
  });

  it('a viewer reads the same page', async () => {
    const page = await figuresAs('li');
    expect(await attr(page, '#ontime-chart rect.bar', 'data-rate')).toEqual(['1.000', '0.000', '1.000']);
    expect(await page.locator('svg.trend-chart').count()).toBe(2);
    await page.context().close();
  });
});
