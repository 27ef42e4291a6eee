/**
 * The real `campaign` command against the real Temporal dev server: every verb runs as its own
 * process (`node cli/campaign.mjs ...`), the worker too (`campaign worker`), mail goes to a real
 * SMTP server on loopback. The demo plan is played as a rehearsal at 1 campaign day = 30 s, slow
 * enough that every step (submit, excuse, amend, pause, cancel) lands while the campaign runs even
 * on a busy 2-core machine; the campaign is cancelled at the end; history and the rest come after.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { campaignNowMs, type CampaignClock } from '../../obligations/clock';
import { freePort } from '../../tools/harness/free-port';
import { childEnv, ROOT, runCli, spawnCampaign } from '../support/run-cli';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink';
import { uniqueId } from '../support/temporal';
import { until } from '../support/until';

const DEMO = path.join(ROOT, 'definitions', 'demo.yaml');
const W1 = 'weekly-stats@2024-03-06';

/** Polls `fn` (a `campaign` command or two) every 300 ms for at most 20 s. */
const untilCli = <T>(what: string, fn: () => Promise<T | undefined>) => until(what, fn, 20_000, 300);

const STACK = /^\s+at .+[(:]\d+/m;

describe('the campaign CLI against the dev server, with a worker process', () => {
  let sink: SmtpSink;
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let worker: ChildProcess | undefined;
  let workerExit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  let workerLog = '';
  const id = `demo-${uniqueId('cli')}`;
  const workflowId = `campaign/${id}`;
  const cli = (...args: string[]) => runCli(args, env);
  const statusJson = async () => {
    const r = await cli('status', id, '--json');
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as { info: { campaignId: string; paused: boolean; state: string }; obligations: Array<{ department: string; occurrence: string; deadline: string; status: string; versions: unknown[] }> };
  };

  beforeAll(async () => {
    sink = await startSmtpSink();
    dataDir = mkdtempSync(path.join(tmpdir(), 'campaign-cli-'));
    env = childEnv({
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_WEB_UI_URL: inject('temporalUiUrl') || 'http://127.0.0.1:8233',
      TEMPORAL_TASK_QUEUE: uniqueId('cli-campaigns'),
      CAMPAIGN_DATA_DIR: dataDir,
      PORTAL_SECRET: 'cli-test-secret-cli-test-secret-0123456789',
      SMTP_URL: sink.url,
      SMTP_FROM: '春风行动办公室 <noreply@campaign.example>',
    });
    worker = spawnCampaign(['worker'], env);
    workerExit = new Promise((resolve) => worker!.once('exit', (code, signal) => resolve({ code, signal })));
    const started = new Promise<void>((resolve, reject) => {
      const onData = (b: Buffer) => {
        workerLog += b.toString();
        if (workerLog.includes('campaign worker: started')) resolve();
      };
      worker!.stdout!.on('data', onData);
      worker!.stderr!.on('data', onData);
      void workerExit.then(({ code }) => reject(new Error(`the worker exited (${code}) before starting:\n${workerLog}`)));
    });
    await started;
  });

  afterAll(async () => {
    if (worker && worker.exitCode === null && worker.signalCode === null) {
      worker.kill('SIGKILL');
      await workerExit;
    }
    await sink?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts the demo plan as a rehearsal and prints ids, the Web UI link, sizes and wall duration', async () => {
    const r = await cli('start', DEMO, '--rehearse', '1d=30s', '--workflow-id', id);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('started campaign demo');
    expect(r.stdout).toContain(workflowId);
    expect(r.stdout).toContain(`/namespaces/default/workflows/${encodeURIComponent(workflowId)}`);
    expect(r.stdout).toMatch(/3 departments, 12 obligations .*1 shard workflow/);
    expect(r.stdout).toMatch(/plays in about 11 min of wall time/);

    const [again, status, list, human] = await Promise.all([
      cli('start', DEMO, '--rehearse', '1d=30s', '--workflow-id', id),
      statusJson(),
      untilCli('the campaign in campaign list', async () => {
        const l = await cli('list', '--json');
        const rows = JSON.parse(l.stdout) as Array<{ workflowId: string; campaignId: string; title: string; status: string }>;
        return rows.find((x) => x.workflowId === workflowId);
      }),
      untilCli('the campaign in the human list', async () => {
        const l = await cli('list');
        return l.stdout.includes(workflowId) ? l : undefined;
      }),
    ]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already running/);
    expect(again.stderr).toContain(`campaign status ${id}`);
    expect(again.stderr).toContain('--workflow-id');
    expect(again.stderr).not.toMatch(STACK);

    expect(status.info.campaignId).toBe('demo');
    expect(status.obligations).toHaveLength(12);
    expect(list).toMatchObject({ campaignId: 'demo', title: '演示活动（2024年3月）', status: 'RUNNING' });

    expect(human.stdout).toMatch(new RegExp(`${workflowId}\\s+演示活动（2024年3月）\\s+\\S+\\s+running`));
  });

  it('submits a form for east from a YAML file, idempotently, and refuses figures that do not add up', async () => {
    const form = path.join(dataDir, 'east.yaml');
    writeFileSync(form, 'values:\n  fairs: 2\n  hired: 40\n  hired_women: 15\n  remark: 第一周\n');
    const args = ['submit', id, '--department', 'east', '--deadline', 'weekly-stats', '--occurrence', W1, '--file', form];
    const first = await cli(...args);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/received: 东区人社局 \(east\) — 每周招聘活动情况 \(weekly-stats@2024-03-06\)/);
    expect(first.stdout).toMatch(/version 1, (on time|LATE)/);
    const submissionId = /submission id (\S+)/.exec(first.stdout)![1];

    const bad = path.join(dataDir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ fairs: 1, hired: 10, hired_women: 12 }));
    const [again, third, invalid, excuse, amendNoYes] = await Promise.all([
      cli(...args, '--json'),
      cli(...args, '--json'),
      cli('submit', id, '--department', 'west', '--deadline', 'weekly-stats', '--occurrence', W1, '--file', bad),
      cli('excuse', id, '--department', 'north', '--occurrence', 'contacts', '--reason', '北区联系人已在启动会上报送'),
      cli('amend', id, amendedPlan()),
    ]);
    // Re-running the same command: the same receipt, nothing submitted twice.
    expect(again.code, again.stderr).toBe(0);
    const receipt = JSON.parse(again.stdout) as { submissionId: string; version: number; occurrence: string; receivedAt: string };
    expect(receipt).toMatchObject({ submissionId, version: 1, occurrence: W1, department: 'east', duplicate: true });
    expect(JSON.parse(third.stdout)).toEqual(receipt);

    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('hired_women');
    expect(invalid.stderr).not.toMatch(STACK);
    expect(invalid.stderr).not.toMatch(/internal error/);

    expect(excuse.code, excuse.stderr).toBe(0);
    expect(excuse.stdout).toMatch(/excused 北区人社局 \(north\) from 报送联系人及联系方式 \(contacts@2024-03-08\)/);

    // No terminal and no --yes: the diff is shown, nothing is applied.
    expect(amendNoYes.code).toBe(1);
    expect(amendNoYes.stdout).toContain('+ department south (南区人社局)');
    expect(amendNoYes.stderr).toMatch(/re-run with --yes/);

    const asked = Date.now();
    const status = await statusJson();
    const answered = Date.now();
    // Campaign time is now, not the workflow's last activation (it sleeps between instants).
    const { clock, campaignNow } = status.info as unknown as { clock: CampaignClock; campaignNow: string };
    expect(Date.parse(campaignNow)).toBeGreaterThanOrEqual(Math.floor(campaignNowMs(clock, asked)));
    expect(Date.parse(campaignNow)).toBeLessThanOrEqual(Math.ceil(campaignNowMs(clock, answered)));
    const east = status.obligations.find((o) => o.occurrence === W1 && o.department === 'east')!;
    expect(east.versions).toHaveLength(1);
    expect(['submitted', 'late']).toContain(east.status);
    expect(status.obligations.find((o) => o.deadline === 'contacts' && o.department === 'north')!.status).toBe('excused');
    expect(status.obligations.find((o) => o.occurrence === W1 && o.department === 'west')!.versions).toHaveLength(0);
  });

  it('amends the running campaign with a fourth department', async () => {
    const r = await cli('amend', id, amendedPlan(), '--yes');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('+ department south (南区人社局)');
    expect(r.stdout).toContain('obligations: 12 -> 16 (+4 added, -0 removed)');
    expect(r.stdout).toMatch(/departments added: south/);
    await untilCli('16 obligations', async () => ((await statusJson()).obligations.length === 16 ? true : undefined));
  });

  it('pauses and resumes', async () => {
    const p = await cli('pause', id);
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout).toMatch(/paused campaign demo/);
    const human = await untilCli('the campaign paused', async () => {
      const st = await cli('status', id);
      return /PAUSED/.test(st.stdout) ? st : undefined;
    });
    expect(human.stdout).toMatch(/东区人社局 east\s+(已报|迟报) \d\d-\d\d \d\d:\d\d/);
    expect(human.stdout).toMatch(/北区人社局 north .*免报/);
    expect(human.stdout).toMatch(/totals: 16 obligations/);
    const r = await cli('resume', id);
    expect(r.code, r.stderr).toBe(0);
    await untilCli('the campaign resumed', async () => (!(await statusJson()).info.paused ? true : undefined));
  });

  it('cancels (only with --yes without a terminal); list shows it cancelled', async () => {
    const refused = await cli('cancel', id);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/--yes/);
    const r = await cli('cancel', id, '--yes');
    expect(r.code, r.stderr).toBe(0);
    const row = await untilCli('the campaign cancelled in campaign list', async () => {
      const l = await cli('list', '--json');
      const rows = JSON.parse(l.stdout) as Array<{ workflowId: string; state: string; status: string }>;
      const mine = rows.find((x) => x.workflowId === workflowId);
      return mine?.status === 'CANCELLED' && mine.state === 'cancelled' ? mine : undefined;
    });
    expect(row.status).toBe('CANCELLED');
  });

  it('shows the audit history: launch notices, the submission, the excuse, pause, amendment, cancellation', async () => {
    const r = await cli('history', id);
    expect(r.code, r.stderr).toBe(0);
    const out = r.stdout;
    for (const dept of ['东区人社局 (east)', '西区人社局 (west)', '北区人社局 (north)', '南区人社局 (south)']) {
      expect(out).toMatch(new RegExp(`\\d{4}-\\d\\d-\\d\\d 周. \\d\\d:\\d\\d\\s+engine\\s+launch notice to ${dept.replace(/[()]/g, '\\$&')}: sent to`));
    }
    expect(out).toMatch(/cli:\S+\s+东区人社局 \(east\) submitted 每周招聘活动情况 \(weekly-stats@2024-03-06\): version 1, (on time|LATE) — fairs=2, hired=40, hired_women=15/);
    expect(out).toMatch(/receipt to 东区人社局 \(east\) for 每周招聘活动情况 \(weekly-stats@2024-03-06\): sent to east@demo.example/);
    expect(out).toMatch(/excused 北区人社局 \(north\) from 报送联系人及联系方式 \(contacts@2024-03-08\): 北区联系人已在启动会上报送/);
    expect(out).toMatch(/amended the plan .*: departments \+south/);
    expect(out).toMatch(/paused the campaign/);
    expect(out).toMatch(/resumed the campaign/);
    expect(out).toMatch(/cancellation requested/);
    expect(out).not.toMatch(/submitted .*hired_women=12/); // the refused one never reached the history
    expect(out).toContain(`/namespaces/default/workflows/${encodeURIComponent(`${workflowId}/shard-000`)}`);
    expect(out).toContain(`/namespaces/default/workflows/${encodeURIComponent(`${workflowId}/shard-001`)}`);

    const json = await cli('history', id, '--json');
    const h = JSON.parse(json.stdout) as { entries: Array<{ kind: string; actor: string; when: string }> };
    expect(h.entries.filter((e) => e.kind === 'submission')).toHaveLength(1);
    // The same command run twice more: answered with the first receipt, shown as repeats.
    expect(h.entries.filter((e) => e.kind === 'repeated-submission')).toHaveLength(2);
    expect(h.entries.find((e) => e.kind === 'started')!.when).toMatch(/^2024-03-0[34] /);

    // The launch notices really went out over SMTP.
    const to = sink.messages.flatMap((m) => m.envelope.rcptTo);
    for (const a of ['east@demo.example', 'west@demo.example', 'north@demo.example', 'south@demo.example']) expect(to).toContain(a);
  });

  it('reports an unknown campaign with exit 1', async () => {
    const r = await cli('status', 'nope');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no campaign 'nope'/);
    expect(r.stderr).not.toMatch(STACK);
  });

  it('exits 69 with one line when Temporal cannot be reached', async () => {
    const port = await freePort();
    const r = await runCli(['list'], { ...env, TEMPORAL_ADDRESS: `127.0.0.1:${port}` });
    expect(r.code).toBe(69);
    expect(r.stderr).toBe(`campaign: cannot reach Temporal at 127.0.0.1:${port}: is the dev server running? (npm start)\n`);
    expect(r.stdout).toBe('');
  });

  it('stops the worker gracefully on SIGTERM (exit 0 within a few seconds)', async () => {
    const t0 = Date.now();
    worker!.kill('SIGTERM');
    const exit = await Promise.race([workerExit, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`the worker did not stop within 15 s:\n${workerLog}`)), 15_000))]);
    expect(exit, workerLog).toEqual({ code: 0, signal: null });
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(workerLog).toContain('campaign worker: stopped');
  });

  /** The demo plan with a fourth district, south. */
  function amendedPlan(): string {
    const file = path.join(dataDir, 'demo-4.yaml');
    const text = readFileSync(DEMO, 'utf8').replace(
      '\nforms:',
      `  - id: south
    name: 南区人社局
    groups: [districts]
    contacts: [{ name: 联络员, email: south@demo.example }]
    leaders: [{ name: 分管领导, email: south-leader@demo.example }]

forms:`,
    );
    writeFileSync(file, text);
    return file;
  }
});
