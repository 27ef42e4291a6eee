import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../tools/harness/browser';

describe("Debian's chromium through playwright-core", () => {
  let server: Server;
  let browser: Browser;
  let url: string;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>春风行动 · 冒烟测试</title><p id="x">ok</p><script>document.getElementById("x").textContent="rendered by chromium"</script>');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
  });

  it('loads a page served on loopback, reads its title and the text its script wrote', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    expect(await page.title()).toBe('春风行动 · 冒烟测试');
    expect(await page.textContent('#x')).toBe('rendered by chromium');
    expect(browser.version()).toMatch(/^\d+\./);
  });
});
