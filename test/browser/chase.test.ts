/**
 * The chase button (一键催报) in headless chromium against the real stack (Temporal dev server,
 * in-process worker sending to an SMTP sink, the portal with its accounts): a coordinator ticks a
 * department in a column and double-clicks that column's chase button — the department gets one
 * chase email, counted at the SMTP server; the same form sent again sends nothing more;
 * a fresh page's chase inside the hour is refused with the time the next is possible.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Portal } from '../../portal/server';
import { launchChromium } from '../../tools/harness/browser';
import { startAccountsPortal, startPortalStack, type PortalStack } from '../support/portal-stack';

const PW = 'a long enough passphrase';
const W1 = 'weekly-stats@2024-03-06';

describe('the matrix’s chase button in a browser', () => {
  let stack: PortalStack;
  let portal: Portal;
  let browser: Browser;
  let url: string;
  let id: string;

  beforeAll(async () => {
    stack = await startPortalStack(inject('temporalAddress'));
    id = await stack.startDemo();
    ({ portal, url } = await startAccountsPortal(stack, { coordinator: 'wang', password: PW, campaigns: [id] }));
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await portal?.close();
    await stack?.teardown();
  });

  const chaseMails = () => stack.sink.messages.filter((m) => (m.headers['x-campaign-key'] ?? '').startsWith(`${id}/${W1}/`) && (m.headers['x-campaign-key'] ?? '').includes('/chase-'));

  it('tick north, double-click: one email to north; the same form sent again: nothing; a new chase inside the hour: refused with the time', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${url}/c/login`);
    await page.fill('#user', 'wang');
    await page.fill('#password', PW);
    await Promise.all([page.waitForURL(`${url}/c`), page.click('main button[type=submit]')]);
    await page.goto(`${url}/c/${id}`);
    await page.locator(`#matrix tr[data-department="north"] td[data-occurrence="${W1}"] input[name="department"]`).check();
    const button = page.locator(`#chase-bar form[data-occurrence="${W1}"] button`);
    expect(await button.textContent()).toContain('（3）');
    const form = page.locator(`#chase-bar form[data-occurrence="${W1}"]`);
    const csrf = await form.locator('input[name=csrf]').inputValue();
    const chaseId = await form.locator('input[name=chase]').inputValue();
    let posted = 0;
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url() === `${url}/c/${id}/chase`) posted++;
    });
    await button.dblclick();
    await page.waitForSelector('#chase-result');
    // chromium sends a double-clicked form once (the second click lands on a page already
    // navigating); the same form sent twice at once is the HTTP test's (test/devserver/chase.test.ts)
    expect(posted).toBeGreaterThanOrEqual(1);
    await expect.poll(() => chaseMails().length, { timeout: 20_000 }).toBe(1);
    expect(chaseMails()[0]!.subject).toContain('【催报】');
    expect(chaseMails()[0]!.text).toContain('北区人社局');
    // The same form sent again (a retried POST): the same chase id, nothing more sent.
    const retried = await context.request.post(`${url}/c/${id}/chase`, { form: { csrf, occurrence: W1, chase: chaseId, department: 'north' }, headers: { origin: url }, maxRedirects: 0 });
    expect(retried.status()).toBe(200);
    expect(await retried.text()).toContain('未再次发送');
    await new Promise((done) => setTimeout(done, 1500));
    expect(chaseMails()).toHaveLength(1);
    // A fresh page: a new chase of north inside the hour is refused, with the time.
    await page.goto(`${url}/c/${id}`);
    await page.locator(`#matrix tr[data-department="north"] td[data-occurrence="${W1}"] input[name="department"]`).check();
    await Promise.all([page.waitForSelector('.alert'), page.locator(`#chase-bar form[data-occurrence="${W1}"] button`).click()]);
    expect(await page.locator('.alert').textContent()).toMatch(/一小时内已催报过（北区人社局），下次可催报时间：2024年3月5日/);
    expect(chaseMails()).toHaveLength(1);
    await context.close();
  });
});
