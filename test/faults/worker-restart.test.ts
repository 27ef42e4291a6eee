import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CampaignClient } from '../../client/campaign-client';
import { campaignInstants } from '../../obligations/campaign-instants';
import { loadPlanFile } from '../../deadlines/load';
import type { CompiledPlan } from '../../deadlines/timeline';
import { openStores, type Stores } from '../../store/stores';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink';
import { uniqueId } from '../support/temporal';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The message keys the plan's timeline calls for when nobody submits: a launch notice per
 * department, every reminder and every department-facing escalation rung of every obligation, a
 * roll-up per occurrence, a coordinator digest per instant of a coordinator rung, the weekly
 * digests and the final summary. Derived from the compiled timeline (tested against the notices
 * elsewhere), independently of the engine's own bookkeeping.
 */
function expectedKeys(plan: CompiledPlan): string[] {
  const id = plan.campaign.id;
  const keys: string[] = plan.departments.map((d) => `${id}/launch/${d.id}/launch`);
  for (const d of plan.deadlines) {
    for (const occ of d.occurrences) {
      for (const dept of d.departments) {
        for (const r of occ.reminders) keys.push(`${id}/${occ.key}/${dept}/reminder-${r.before}`);
        for (const e of occ.escalations) if (e.to[0] !== 'coordinator') keys.push(`${id}/${occ.key}/${dept}/escalation-${e.step}@${e.at}`);
      }
    }
  }
  for (const i of campaignInstants(plan)) {
    if (i.kind === 'rollup') keys.push(`${id}/${i.occurrence}/rollup`);
    else keys.push(`${id}/${i.kind}/*`);
  }
  keys.push(`${id}/final-summary/final-summary`);
  return keys.sort();
}

/** A received key, with escalation instants normalised to the plan's ISO form and digest steps folded. */
function normalise(key: string): string {
  const m = /^(.*\/escalation-\d+)@(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(key);
  if (m) {
    const utc = Date.UTC(+m[2]!, +m[3]! - 1, +m[4]!, +m[5]!, +m[6]!, +m[7]!);
    return `${m[1]}@${new Date(utc + 8 * 3_600_000).toISOString().replace('Z', '+08:00')}`;
  }
  return key.replace(/\/(coordinator-digest|weekly-digest)\/[^/]+$/, '/$1/*');
}

describe('a worker killed in the middle of a rehearsal (real dev server, real SMTP, worker processes)', () => {
  let sink: SmtpSink;
  let dataDir: string;
  let connection: Connection;
  let client: CampaignClient;
  let stores: Stores | undefined;
  let taskQueue: string;
  const workers: Array<{ child: ChildProcess; ready: Promise<void> }> = [];

  const startWorker = () => {
    const child = spawn(process.execPath, [path.join(ROOT, 'cli/campaign.mjs'), 'worker'], {
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        TEMPORAL_TASK_QUEUE: taskQueue,
        CAMPAIGN_DATA_DIR: dataDir,
        PORTAL_SECRET: 'worker-restart-test-secret-0123456789',
        SMTP_URL: sink.url,
        SMTP_FROM: '春风行动办公室 <noreply@campaign.example>',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const ready = new Promise<void>((resolve, reject) => {
      // The worker logs to stderr.
      child.stderr!.on('data', (b: Buffer) => {
        output += b.toString();
        if (output.includes('started on task queue')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready:\n${output}`)));
    });
    child.stdout!.resume();
    const worker = { child, ready };
    workers.push(worker);
    return worker;
  };

  async function untilReceived(n: number, timeoutMs = 120_000) {
    const deadline = Date.now() + timeoutMs;
    while (sink.messages.length < n) {
      if (Date.now() > deadline) throw new Error(`only ${sink.messages.length} of ${n} messages arrived`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  beforeAll(async () => {
    sink = await startSmtpSink();
    dataDir = mkdtempSync(path.join(tmpdir(), 'campaign-restart-'));
    taskQueue = uniqueId('restart');
    connection = await Connection.connect({ address: inject('temporalAddress') });
    stores = await openStores({ CAMPAIGN_DATA_DIR: dataDir });
    client = new CampaignClient(new Client({ connection }), stores.plans, taskQueue);
  });
  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    await connection?.close();
    await stores?.close();
    await sink?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('goes on under a new worker with nothing lost, and at most the messages in flight at the kill sent again (same Message-ID)', async () => {
    const result = loadPlanFile(path.join(ROOT, 'definitions/demo.yaml'));
    if (!result.ok) throw new Error('demo plan does not compile');
    const plan = result.plan;
    plan.campaign.id = uniqueId('restart');
    const first = startWorker();
    await first.ready;
    // 1 campaign day = 3 s: the three-week demo plays in about a minute.
    const { handle } = await client.start(plan, { workflowId: `campaign/${plan.campaign.id}`, clock: { mode: 'rehearsal', scale: 3 / 86_400 } });
    // Kill it without warning once the campaign is under way (launch notices and the first reminders out).
    await untilReceived(10);
    const exited = new Promise((r) => first.child.once('exit', r));
    first.child.kill('SIGKILL');
    await exited;
    const sentBeforeKill = sink.messages.length;
    await new Promise((r) => setTimeout(r, 3_000));
    await startWorker().ready;
    const outcome = await handle.result();

    const received = sink.messages.map((m) => normalise(m.headers['x-campaign-key'] ?? ''));
    const expected = expectedKeys(plan);
    const extra = received.length - expected.length;
    console.log(`worker killed after ${sentBeforeKill} of ${received.length} messages (${extra} sent twice); the new worker sent the rest`);
    expect(sentBeforeKill).toBeGreaterThan(0);
    expect(sentBeforeKill).toBeLessThan(received.length);
    // Nothing lost, nothing that should not have been sent.
    expect([...new Set(received)].sort()).toEqual([...new Set(expected)].sort());
    // The stated bound (mail/delivery/ledger.ts): a SIGKILL between the server's 250 and the ledger write can
    // make each message then in flight go out once more — at most the send concurrency (5) — and a
    // copy always carries the original's Message-ID, so mail programs show it once.
    expect(extra).toBeGreaterThanOrEqual(0);
    expect(extra).toBeLessThanOrEqual(5);
    const idsByKey = new Map<string, Set<string | undefined>>();
    for (const m of sink.messages) {
      const key = m.headers['x-campaign-key'] ?? '';
      idsByKey.set(key, (idsByKey.get(key) ?? new Set()).add(m.messageId));
    }
    for (const ids of idsByKey.values()) expect(ids.size).toBe(1);
    expect(outcome.totals).toMatchObject({ obligations: 12, missing: 12 });
  }, 480_000);
});
