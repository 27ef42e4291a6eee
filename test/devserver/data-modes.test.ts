/**
 * The data folder is readable by its owner only: the department links in the demo inbox's mail,
 * the embedded database (submitted attachments, plans, the delivery ledger), the portal's secret
 * and the Temporal dev server's SQLite database were all 0644 in 0755 folders, open to every user
 * of the machine. Real processes write there here — `campaign worker`, `campaign start`,
 * `campaign portal`, and the tools' stack (`npm start`: dev server on a SQLite file, demo inbox,
 * worker process, portal) — and what they created must be 0600 (files) in 0700 (folders); a folder
 * left open by an earlier version is closed at start-up.
 */
import type { ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { openStores } from '../../store/stores';
import { freePort } from '../../tools/harness/free-port';
import { Stack } from '../../tools/harness/stack';
import { childEnv, ROOT, runCli, spawnCampaign } from '../support/run-cli';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink';
import { uniqueId } from '../support/temporal';
import { until } from '../support/until';

const DEMO = path.join(ROOT, 'definitions', 'demo.yaml');

/** Every file and folder under `root` (itself included) with its permission bits, as `path 0600`. */
function modes(root: string): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    const st = statSync(p);
    out.push(`${path.relative(root, p) || '.'}${st.isDirectory() ? '/' : ''} 0${(st.mode & 0o777).toString(8)}`);
    if (st.isDirectory()) for (const e of readdirSync(p).sort()) walk(path.join(p, e));
  };
  walk(root);
  return out;
}

/** Files under `dir` (recursively) whose name matches. */
const filesIn = (dir: string, name: RegExp) => modes(dir).filter((line) => !line.includes('/ ') && name.test(line.split(' ')[0]!));

/** The embedded database's files (campaign.sqlite and, while it is open, its -wal and -shm). */
const DATABASE_FILE = /^campaign\.sqlite(-wal|-shm)? /;

/** A data folder as an earlier version left it: 0755, a 0755 subfolder, a 0644 file in it. */
function openDataDir(sub: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'campaign-modes-'));
  chmodSync(dir, 0o755);
  mkdirSync(path.join(dir, sub), { mode: 0o755 });
  chmodSync(path.join(dir, sub), 0o755);
  writeFileSync(path.join(dir, sub, 'earlier.txt'), 'from an earlier version', { mode: 0o644 });
  chmodSync(path.join(dir, sub, 'earlier.txt'), 0o644);
  return dir;
}

/** Waits for `text` in a child's output; rejects when it exits first. */
function waitForOutput(child: ChildProcess, text: string): Promise<string> {
  let log = '';
  return new Promise((resolve, reject) => {
    const onData = (b: Buffer) => {
      log += b.toString();
      if (log.includes(text)) resolve(log);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited (${code}) before printing '${text}':\n${log}`)));
  });
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

describe('the campaign command keeps the data folder private', () => {
  let sink: SmtpSink | undefined;
  const children: ChildProcess[] = [];
  const dirs: string[] = [];
  afterAll(async () => {
    for (const c of children) await stop(c);
    await sink?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('campaign worker and campaign start: folders 0700, files 0600, an earlier open folder closed', async () => {
    sink = await startSmtpSink();
    const dataDir = openDataDir('inbox');
    dirs.push(dataDir);
    const env = childEnv({
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: uniqueId('modes'),
      CAMPAIGN_DATA_DIR: dataDir,
      PORTAL_SECRET: 'modes-test-secret-modes-test-secret-0123456789',
      SMTP_URL: sink.url,
      SMTP_FROM: '春风行动办公室 <noreply@campaign.example>',
    });
    const worker = spawnCampaign(['worker'], env);
    children.push(worker);
    await waitForOutput(worker, 'campaign worker: started');
    // Closed at start-up; the earlier file keeps its mode, unreachable behind its folders; the database it opened, 0600.
    expect(modes(dataDir).filter((line) => !DATABASE_FILE.test(line))).toEqual(['./ 0700', 'inbox/ 0700', 'inbox/earlier.txt 0644']);
    expect(modes(dataDir).filter((line) => DATABASE_FILE.test(line))).toContain('campaign.sqlite 0600');

    const id = uniqueId('modes');
    const started = await runCli(['start', DEMO, '--rehearse', '1d=30s', '--workflow-id', id], env);
    expect(started.code, started.stderr).toBe(0);
    // The launch notices go out: the worker records them in the delivery ledger (the database) as it sends them.
    await until('the launch notices', () => (sink!.messages.length >= 3 ? true : undefined), 60_000, 300);
    const cancelled = await runCli(['cancel', id, '--yes'], env);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    await stop(worker);

    const all = modes(dataDir).filter((line) => !line.startsWith('inbox/earlier.txt'));
    expect(all.filter((line) => line.includes('/ ')).every((line) => line.endsWith(' 0700')), all.join('\n')).toBe(true);
    const files = all.filter((line) => !line.includes('/ '));
    // The plan `start` stored and the ledger's records: in the database.
    expect(files, all.join('\n')).toContain('campaign.sqlite 0600');
    expect(files.every((line) => line.endsWith(' 0600')), all.join('\n')).toBe(true);
    const stores = await openStores({ CAMPAIGN_DATA_DIR: dataDir });
    try {
      // The launch notices the worker sent, recorded in the delivery ledger.
      expect(Number((await stores.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM deliveries WHERE state = 'sent'`))!.n)).toBeGreaterThanOrEqual(3);
    } finally {
      await stores.close();
    }
  });

  it('campaign portal closes an open data folder before it serves', async () => {
    const dataDir = openDataDir('inbox');
    dirs.push(dataDir);
    const portal = spawnCampaign(
      ['portal'],
      childEnv({
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        CAMPAIGN_DATA_DIR: dataDir,
        PORTAL_SECRET: 'modes-test-secret-modes-test-secret-0123456789',
        PORTAL_PORT: String(await freePort()),
      }),
    );
    children.push(portal);
    await waitForOutput(portal, 'portal listening');
    expect(modes(dataDir).filter((line) => !DATABASE_FILE.test(line))).toEqual(['./ 0700', 'inbox/ 0700', 'inbox/earlier.txt 0644']);
    expect(modes(dataDir).filter((line) => DATABASE_FILE.test(line)).every((line) => line.endsWith(' 0600'))).toBe(true);
    await stop(portal);
  });

  it('refuses a shared folder (sticky and world-writable, like /tmp) as CAMPAIGN_DATA_DIR, and leaves it as it is', async () => {
    const shared = mkdtempSync(path.join(tmpdir(), 'campaign-shared-'));
    dirs.push(shared);
    chmodSync(shared, 0o1777);
    const r = await runCli(['worker'], childEnv({ CAMPAIGN_DATA_DIR: shared, PORTAL_SECRET: 'modes-test-secret-modes-test-secret-0123456789', SMTP_URL: 'smtp://127.0.0.1:1', SMTP_FROM: 'x <x@campaign.example>' }));
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('every user may write to');
    expect(statSync(shared).mode & 0o7777).toBe(0o1777);
  });
});

describe('the tools’ stack (npm start, npm run demo) keeps the data folder private', () => {
  let stack: Stack | undefined;
  let dataDir: string | undefined;
  afterEach(async () => {
    await stack?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('the SQLite databases, the inbox’s mail, the secrets, the worker’s log: 0600 in 0700', async () => {
    dataDir = openDataDir('inbox');
    const ports = { temporal: await freePort(), ui: await freePort(), smtp: await freePort(), inbox: await freePort(), portal: await freePort() };
    stack = new Stack({ dataDir, ports, workerOutput: { file: path.join(dataDir, 'logs', 'worker.log') }, portalLog: () => undefined });
    await stack.start();
    const id = uniqueId('modes');
    const started = await runCli(['start', DEMO, '--rehearse', '1d=30s', '--workflow-id', id], stack.env);
    expect(started.code, started.stderr).toBe(0);
    // The launch notices reach the demo inbox as .eml files, each with a live department link.
    await until('the launch notices in the demo inbox', () => (filesIn(path.join(dataDir!, 'inbox'), /\.eml$/).length >= 3 ? true : undefined), 60_000, 300);
    const cancelled = await runCli(['cancel', id, '--yes'], stack.env);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    await stack.stop();

    const all = modes(dataDir).filter((line) => !line.startsWith('inbox/earlier.txt'));
    const shown = all.join('\n');
    for (const name of ['temporal.sqlite', 'campaign.sqlite', 'portal-secret', 'coordinator-password', 'logs/worker.log']) expect(all, shown).toContain(`${name} 0600`);
    expect(all.filter((line) => line.includes('/ ')).every((line) => line.endsWith(' 0700')), shown).toBe(true);
    const files = all.filter((line) => !line.includes('/ '));
    expect(files.some((line) => /^inbox\/.*\.eml /.test(line)), shown).toBe(true);
    expect(files.every((line) => line.endsWith(' 0600')), shown).toBe(true);
  });
});
