/**
 * `npm run demo` without a terminal, as CI runs it: the demo plan (three weeks) at a campaign day
 * per second, on free ports and a fresh data folder. It starts its own stack (dev server, inbox,
 * worker, portal), plays the departments, and must reach the final summary, print where the
 * summary XLSX is (a workbook exceljs opens), stop everything it started and exit 0 — printing
 * plain lines only.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, waitForPort } from '../../tools/harness/free-port';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('npm run demo (non-interactive)', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'campaign-demo-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('plays the demo plan to its final summary and prints where the XLSX is', async () => {
    const ports = { TEMPORAL_PORT: await freePort(), TEMPORAL_UI_PORT: await freePort(), INBOX_SMTP_PORT: await freePort(), INBOX_HTTP_PORT: await freePort(), PORTAL_PORT: await freePort() };
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (/^(TEMPORAL_|SMTP_|MAIL_|CAMPAIGN_|PORTAL_|WORKER_)/.test(k) && k !== 'TEMPORAL_CLI_PATH' && k !== 'TEMPORAL_TEST_SERVER_PATH') continue;
      env[k] = v;
    }
    for (const [k, v] of Object.entries(ports)) env[k] = String(v);

    const child = spawn(process.execPath, ['--import', 'tsx', 'tools/demo/main.ts', '--plan', 'definitions/demo.yaml', '--scale', '1d=1s', '--data-dir', dataDir], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGINT');
        reject(new Error(`the demo did not finish within 150 s\n${stdout}\n${stderr}`));
      }, 150_000);
      child.once('error', reject);
      child.once('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    expect(code, `${stdout}\n${stderr}`).toBe(0);

    // The URLs first, then the legend, the events, the end.
    expect(stdout).toContain(`Demo inbox        http://127.0.0.1:${ports.INBOX_HTTP_PORT}`);
    expect(stdout).toContain('Started campaign demo');
    expect(stdout).toMatch(/never +north/);
    expect(stdout).toMatch(/^ +XLSX upload +east \(/m);
    expect(stdout).toMatch(/^ +late +west \(/m);
    expect(stdout).toMatch(/launch +launch notices → east, west, north/);
    expect(stdout).toMatch(/reminder +1d before/);
    expect(stdout).toMatch(/overdue +“/);
    expect(stdout).toMatch(/roll-up +【汇总】/);
    expect(stdout).toMatch(/summary +【总结】/);
    // The departments' parts as README describes them: one uploads the XLSX template, one submits late.
    expect(stdout).toContain('by XLSX upload');
    expect(stdout).toMatch(/late +west submitted “[^”]+” through the portal form — late, /);
    // Without a terminal, a progress line every campaign week instead of the progress bar.
    expect(stdout).toMatch(/^2024-03-11 Mon 00:00 {2}── \d+% ── messages so far: launch 3, /m);
    expect(stdout).toContain('Campaign demo completed');
    // The engine's totals: 3 departments × (1 one-off + 3 weekly occurrences); north never submits.
    const totals = /^ +obligations +12: (\d+) on time, (\d+) late, 0 excused, (\d+) missing$/m.exec(stdout);
    expect(totals, stdout).not.toBeNull();
    const [onTime, late, missing] = totals!.slice(1).map(Number) as [number, number, number];
    expect(onTime + late + missing).toBe(12);
    expect(missing).toBeGreaterThanOrEqual(4);
    expect(stdout).toContain('stopped.');
    // Without a terminal: whole lines only, no progress bar redrawn in place.
    expect(stdout).not.toContain('\r');

    const xlsxPath = /^ +summary XLSX +(\S+)/m.exec(stdout)?.[1];
    expect(xlsxPath).toBeDefined();
    const file = path.resolve(ROOT, xlsxPath!);
    expect(existsSync(file)).toBe(true);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    expect(wb.worksheets.length).toBeGreaterThan(0);

    // Everything it started is stopped: its ports are free again.
    for (const port of Object.values(ports)) await expect(waitForPort(port, 200)).rejects.toThrow();
  }, 180_000);
});
