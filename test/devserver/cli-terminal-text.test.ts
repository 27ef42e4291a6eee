/**
 * Other people's text reaches the coordinator's terminal through the `campaign` command: a plan
 * whose title and department name carry CR/LF, an ESC sequence and a bidi override (U+202E), and an
 * excuse whose reason does. Every verb that prints them (preview, start, list, excuse, status,
 * history) shows those characters escaped, on the line they belong to; --json still gives back the
 * exact text. Real parts: the dev server, `campaign worker` and every verb as their own processes.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { childEnv, ROOT, runCli, spawnCampaign } from '../support/run-cli';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink';
import { uniqueId } from '../support/temporal';
import { until } from '../support/until';

const TITLE = '演示活动\r\nFAKE: all submitted\u202Eabc\x1b[2J';
const TITLE_SHOWN = '演示活动\\r\\nFAKE: all submitted\\u202Eabc\\u001B[2J';
const EAST = '东区\u202E局人社';
const EAST_SHOWN = '东区\\u202E局人社';
const REASON = '已报送\r\n(forged line)\u2066';
const REASON_SHOWN = '已报送\\r\\n(forged line)\\u2066';

/** What must never reach the terminal raw. */
// eslint-disable-next-line no-control-regex
const RAW = /[\r\x1b\u202e\u2066]/;

describe('the CLI shows control and bidi characters in titles, names and reasons escaped', () => {
  let sink: SmtpSink;
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let worker: ChildProcess | undefined;
  let plan: string;
  const id = `demo-${uniqueId('tty')}`;
  const cli = (...args: string[]) => runCli(args, env);

  beforeAll(async () => {
    sink = await startSmtpSink();
    dataDir = mkdtempSync(path.join(tmpdir(), 'campaign-tty-'));
    env = childEnv({
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: uniqueId('tty-campaigns'),
      CAMPAIGN_DATA_DIR: dataDir,
      PORTAL_SECRET: 'tty-test-secret-tty-test-secret-0123456789',
      SMTP_URL: sink.url,
      SMTP_FROM: '春风行动办公室 <noreply@campaign.example>',
    });
    plan = path.join(dataDir, 'plan.yaml');
    const yaml = readFileSync(path.join(ROOT, 'definitions', 'demo.yaml'), 'utf8')
      .replace(/^ {2}title: .*$/m, `  title: ${JSON.stringify(TITLE)}`)
      .replace('name: 东区人社局', `name: ${JSON.stringify(EAST)}`);
    writeFileSync(plan, yaml);
    worker = spawnCampaign(['worker'], env);
    let log = '';
    await new Promise<void>((resolve, reject) => {
      const onData = (b: Buffer) => {
        log += b.toString();
        if (log.includes('campaign worker: started')) resolve();
      };
      worker!.stdout!.on('data', onData);
      worker!.stderr!.on('data', onData);
      worker!.once('exit', (code) => reject(new Error(`the worker exited (${code}):\n${log}`)));
    });
  });

  afterAll(async () => {
    await cli('cancel', id, '--yes').catch(() => undefined);
    if (worker && worker.exitCode === null) {
      const exited = new Promise((r) => worker!.once('exit', r));
      worker.kill('SIGTERM');
      await exited;
    }
    await sink?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('preview: the title on its own line, escaped', async () => {
    const preview = await cli('preview', plan);
    expect(preview.code, preview.stderr).toBe(0);
    expect(preview.stdout).not.toMatch(RAW);
    expect(preview.stdout.split('\n')[0]).toBe(`${TITLE_SHOWN} (demo)`);
  });

  it('start: the title on its own line, escaped', async () => {
    const started = await cli('start', plan, '--rehearse', '1d=30s', '--workflow-id', id);
    expect(started.code, started.stderr).toBe(0);
    expect(started.stdout).not.toMatch(RAW);
    expect(started.stdout.split('\n')[0]).toBe(`started campaign demo — ${TITLE_SHOWN}`);
  });

  it('list: one row per campaign, the title escaped; --json gives the exact title back', async () => {
    const list = await until('the campaign in campaign list', async () => {
      const r = await cli('list');
      return r.stdout.includes(`campaign/${id}`) ? r : undefined;
    });
    expect(list.stdout).not.toMatch(RAW);
    const row = list.stdout.split('\n').find((line) => line.includes(`campaign/${id}`))!;
    expect(row).toContain(TITLE_SHOWN);
    expect(row).toMatch(/running/);

    const json = await cli('list', '--json');
    expect(json.stdout).not.toMatch(RAW);
    const rows = JSON.parse(json.stdout) as Array<{ workflowId: string; title: string }>;
    expect(rows.find((r) => r.workflowId === `campaign/${id}`)!.title).toBe(TITLE);
  });

  it('excuse, status and history: the department name and the reason escaped', async () => {
    const excuse = await cli('excuse', id, '--department', 'east', '--occurrence', 'contacts', '--reason', REASON);
    expect(excuse.code, excuse.stderr).toBe(0);
    expect(excuse.stdout).not.toMatch(RAW);
    expect(excuse.stdout).toContain(`excused ${EAST_SHOWN} (east) from`);
    expect(excuse.stdout.trim().endsWith(REASON_SHOWN)).toBe(true);

    const status = await cli('status', id);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).not.toMatch(RAW);
    expect(status.stdout.split('\n')[0].startsWith(`${TITLE_SHOWN} (demo) — `)).toBe(true);
    const eastRow = status.stdout.split('\n').find((l) => l.startsWith(`${EAST_SHOWN} east `));
    expect(eastRow, status.stdout).toMatch(/免报/);

    const history = await until('the excuse in the history', async () => {
      const r = await cli('history', id);
      return r.stdout.includes('excused') ? r : undefined;
    });
    expect(history.stdout).not.toMatch(RAW);
    expect(history.stdout.split('\n')[0]).toContain(TITLE_SHOWN);
    const line = history.stdout.split('\n').find((l) => l.includes(`excused ${EAST_SHOWN}`))!;
    expect(line.endsWith(REASON_SHOWN)).toBe(true);
  });
});
