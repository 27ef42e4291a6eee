/**
 * Faults of the storage under several machines (issue J): the delivery ledger is a table on one
 * PostgreSQL that every worker shares (mail/delivery/ledger.ts), and nothing else is shared.
 *
 * (a) Two workers, each with its own data folder (two machines' worth of separation) and its own
 *     SMTP login (so the SMTP server can tell who sent what), share one PostgreSQL and split a
 *     campaign's bursts between them; one is SIGKILLed mid-send — while the SMTP server holds the
 *     250 of every message it has on the wire (the window in which a sender cannot know). The
 *     other finishes the campaign, and takes the dead one's batches up after their heartbeat
 *     timeout (2 minutes), once the database has judged its claims expired (LEASE_MS, 30 s).
 * (b) The PostgreSQL server itself stops (a fast shutdown) early in a burst, stays down for 8 s
 *     and comes back on the same port and data; one worker with one SMTP connection, so most of
 *     the burst is still to send. A restart does not wait for a quiet moment: the test holds a lock
 *     on the ledger's table just before, so that statements of the worker are waiting inside open
 *     transactions when the server goes (without that the stop would mostly fall between two
 *     statements). What the worker had handed to the mailer goes out and the write of its outcome
 *     waits for the server (mail/delivery/ledger.ts retries it for 30 s); what needed the
 *     database meanwhile (the claims and writes cut off with the server, what fell due during the
 *     outage) fails and is retried by Temporal (10 s, then 20 s…). The worker process must live through it.
 *
 * Plan test/faults/plans/forty-districts.yaml (40 departments, one report: bursts of 40 messages)
 * started in shards of 5, so each burst is 8 batch activities (shared by the workers in (a)), at 1
 * campaign day = 6 s; the SMTP server takes 250 ms over each message, so a burst lasts a few seconds.
 *
 * Asserted, exactly:
 * - the distinct messages (one row per Message-ID) are the oracle's: nothing lost, nothing extra;
 *   the ledger has no row the SMTP server never saw, and every row is `sent`;
 * - copies: no (Message-ID, recipient) has more copies than 1 + its unconfirmed attempts; in (a)
 *   the messages that arrived twice are exactly those the killed worker had on the wire (at most
 *   its pool, 2), each twice, the first before the kill, the second from the other worker after;
 *   in (b) at most the rows `sending` when the server stopped (none expected: the outcome writes
 *   outlast the outage), and the message whose outcome write the lock held up is recorded `sent`,
 *   one attempt, after the restart;
 * - (a) both workers sent part of the bursts before the kill, each from its own data folder with
 *   the shared database; (b) the worker lived, some activity needed more than one attempt, and the
 *   burst's last message came after the server was back;
 * - the final summary (40 obligations, none submitted) is written and read back from the database.
 */
import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignWorkflowId, shardWorkflowId } from '../../obligations/shards';
import { parseRehearsal } from '../../obligations/clock';
import { withoutPassword } from '../../store/database/postgres';
import { startPostgres, type Postgres } from '../../tools/harness/postgres';
import { freshPostgresDatabase } from '../support/databases';
import { ROOT } from '../support/run-cli';
import type { ReceivedMessage } from '../support/smtp-sink';
import { until } from '../support/until';
import { activityAttempts, copyCounts, expectFinalSummary, expectedMessages, ledgerIdle, receivedRows, rowsOf, type CopyCount } from './checks';
import { compile, keyOf, sleep, startStack, type Proc, type Stack } from './stack';

const PLAN = path.join(ROOT, 'test', 'faults', 'plans', 'forty-districts.yaml');
const ID = 'burst';
const WF = campaignWorkflowId(ID);
const OCCURRENCE = 'contacts@2024-03-06';
/** 40 departments in shards of 5: 8 batch activities at each instant. */
const SHARD_SIZE = 5;
const SHARDS = 8;
/** How long the SMTP server takes over each message (before its 250). */
const SMTP_DELAY_MS = 250;
/** The bursts after the launch notices: the two reminders and the escalation at due. */
const BURST_KEY = new RegExp(`^${ID}/${OCCURRENCE}/d\\d\\d/(reminder-1d|reminder-2h|escalation-1@.*)$`);

/** Starts the plan as a rehearsal at 1d=6s in shards of 5, from this process. */
async function startBurst(stack: Stack) {
  const plan = compile(PLAN);
  const rehearsal = parseRehearsal('1d=6s');
  if ('error' in rehearsal) throw new Error(rehearsal.error);
  await stack.client.start(plan, { clock: { mode: 'rehearsal', scale: rehearsal.scale }, shardSize: SHARD_SIZE });
  return plan;
}

/** Nobody submits: 40 obligations missing, every department pending in the summary. */
async function expectNothingSubmitted(stack: Stack, plan: ReturnType<typeof compile>) {
  const result = await stack.result(WF, 480_000);
  await expectFinalSummary(stack.blobs, result, { obligations: 40, onTime: 0, late: 0, excused: 0, missing: 40 }, {
    [OCCURRENCE]: Object.fromEntries(plan.departments.map((d) => [d.id, 'pending'])),
  });
}

/** The copy counts, checked against the oracle and the ledger: every row sent, no copy beyond 1 + unconfirmed. */
async function checkedCopies(stack: Stack, plan: ReturnType<typeof compile>): Promise<{ counts: CopyCount[]; twice: CopyCount[]; unconfirmed: CopyCount[] }> {
  expect(receivedRows(stack.sink, ID)).toEqual(rowsOf(expectedMessages(plan, [])));
  await ledgerIdle(stack.stores.db);
  const { counts, unseen } = await copyCounts(stack.sink, ID, stack.stores.db);
  expect(unseen).toEqual([]);
  expect(counts.filter((c) => c.record?.state !== 'sent')).toEqual([]);
  expect(counts.filter((c) => c.copies > 1 + c.record!.unconfirmedAttempts)).toEqual([]);
  return { counts, twice: counts.filter((c) => c.copies > 1), unconfirmed: counts.filter((c) => c.record!.unconfirmedAttempts > 0) };
}

const senders = (messages: readonly ReceivedMessage[]) => {
  const out: Record<string, number> = {};
  for (const m of messages) out[m.user ?? 'anonymous'] = (out[m.user ?? 'anonymous'] ?? 0) + 1;
  return out;
};

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

describe('fault: two workers with separate data folders share one PostgreSQL, and one is SIGKILLed mid-send', () => {
  const POOL = 2;
  let stack: Stack | undefined;
  let databaseUrl: string;
  const machine = (name: string, on: Stack) => {
    const dataDir = path.join(on.dir, name);
    mkdirSync(dataDir, { recursive: true });
    return { name, dataDir, env: { SMTP_USER: name, SMTP_PASSWORD: `${name}-password`, SMTP_POOL_MAX_CONNECTIONS: String(POOL) } };
  };

  beforeAll(async () => {
    databaseUrl = await freshPostgresDatabase('faults_shared');
    stack = await startStack('shared', { databaseUrl, sink: { dataDelayMs: SMTP_DELAY_MS } });
  });
  afterAll(async () => {
    await stack?.teardown();
  });

  it('sends every message once but the killed worker’s in-flight ones (same Message-ID), and both workers sent', async () => {
    const s = stack!;
    const t0 = Date.now();
    const a = machine('machine-a', s);
    const b = machine('machine-b', s);
    const [workerA, workerB] = await Promise.all([s.startWorker(a), s.startWorker(b)]);
    for (const w of [workerA, workerB]) expect(w.output()).toContain(`database ${withoutPassword(databaseUrl)}`);

    // Kill A inside its first message of a burst: hold the 250 of every message A puts on the
    // wire until its pool is full (or 3 s), let its earlier outcomes reach the database, kill it.
    const held: ReceivedMessage[] = [];
    let killedAt = 0;
    let killing: Promise<void> | undefined;
    let beforeKill: Record<string, number> = {};
    const remove = s.sink.onReceived(async (m) => {
      if (killedAt || m.user !== a.name || !BURST_KEY.test(keyOf(m))) return;
      held.push(m);
      killing ??= (async () => {
        await until('worker A to fill its pool', () => (held.length >= POOL ? true : undefined), 3_000, 20).catch(() => undefined);
        await sleep(1_000);
        beforeKill = senders(s.sink.messages.filter((x) => keyOf(x).startsWith(`${ID}/`)));
        await s.killWorker(workerA);
        killedAt = Date.now();
      })();
      await killing;
    });

    const plan = await startBurst(s);
    await until('worker A killed mid-send', () => (killedAt ? true : undefined), 120_000, 100);
    remove();
    expect(workerB.alive(), workerB.output()).toBe(true);
    await expectNothingSubmitted(s, plan);
    const wall = Date.now() - t0;

    const { counts, twice, unconfirmed } = await checkedCopies(s, plan);
    // Sharing, not one idle worker: both had sent part of the bursts before the kill.
    expect(beforeKill[a.name] ?? 0).toBeGreaterThan(0);
    expect(beforeKill[b.name] ?? 0).toBeGreaterThan(0);
    // Two machines' worth of separation: neither data folder holds a database of its own.
    for (const m of [a, b]) expect(readdirSync(m.dataDir).filter((f) => /sqlite|\.db/.test(f))).toEqual([]);

    // What arrived twice is exactly what A had on the wire: each twice, the second copy from B after the kill.
    expect(held.length).toBeGreaterThan(0);
    expect(held.length).toBeLessThanOrEqual(POOL);
    expect(new Set(twice.map((c) => c.messageId))).toEqual(new Set(held.map((m) => m.messageId)));
    expect(twice.filter((c) => c.copies !== 2)).toEqual([]);
    for (const m of held) {
      const copies = s.sink.messages.filter((x) => x.messageId === m.messageId);
      expect(copies.map((x) => [keyOf(x), x.user])).toEqual([
        [keyOf(m), a.name],
        [keyOf(m), b.name],
      ]);
      expect(copies[1]!.receivedAt.getTime()).toBeGreaterThanOrEqual(killedAt);
    }

    const all = senders(s.sink.messages.filter((x) => keyOf(x).startsWith(`${ID}/`)));
    console.log(
      `shared-database (two workers): ${counts.length} (Message-ID, recipient) pairs, ${s.sink.messages.length} copies accepted; ` +
        `before the kill A sent ${beforeKill[a.name]} and B ${beforeKill[b.name]}, in all A ${all[a.name]} and B ${all[b.name]}; ` +
        `A killed holding ${held.length} on the wire (${held.map((m) => keyOf(m).replace(`${ID}/${OCCURRENCE}/`, '')).join(', ')}); ` +
        `${twice.length} sent twice, ${unconfirmed.length} rows with an unconfirmed attempt (${unconfirmed.length - twice.length} of them claimed by A but not yet on the wire); ` +
        `campaign done in ${seconds(wall)}`,
    );
  });
});

describe('fault: PostgreSQL restarted in the middle of a burst', () => {
  const DOWN_MS = 8_000;
  /**
   * One SMTP connection: the 8 batches send one message each at a time, so the burst (40 messages,
   * 250 ms each) lasts about 10 s and the server goes away with most of it still to send.
   */
  const POOL = 1;
  /** The burst's message whose 250 waits until the server is down: early in the burst. */
  const STOP_AT = 5;
  let postgres: Postgres | undefined;
  let stack: Stack | undefined;
  let worker: Proc;

  beforeAll(async () => {
    postgres = await startPostgres();
    stack = await startStack('postgres-restart', { databaseUrl: postgres.url, sink: { dataDelayMs: SMTP_DELAY_MS } });
    worker = await stack.startWorker({ env: { SMTP_POOL_MAX_CONNECTIONS: String(POOL) } });
  });
  afterAll(async () => {
    await stack?.teardown();
    await postgres?.stop();
  });

  it('waits out the outage, retries what failed, and finishes with nothing lost and nothing sent twice', async () => {
    const s = stack!;
    const pgServer = postgres!;
    const t0 = Date.now();
    const burst = (m: ReceivedMessage) => /\/reminder-1d$/.test(keyOf(m)) && keyOf(m).startsWith(`${ID}/`);

    // At the 5th reminder of the 03-05 18:00 burst a session of the test's takes a lock on the
    // ledger's table (reads go on, writes wait) and the reminder gets its 250: the worker's write
    // of its outcome, and the next claims, wait inside open transactions. Once one does, the server
    // stops — a restart does not wait for a quiet moment — stays down 8 s and starts again.
    const times = { first: 0, stopping: 0, down: 0, starting: 0, up: 0 };
    /** Rows `sending` (claimed, handed to the mailer) as the server is stopped: the most that could be sent twice. */
    let inFlight = -1;
    /** The worker's statements waiting on the lock when the server stopped. */
    let waiting = -1;
    let stoppedIn: ReceivedMessage | undefined;
    let outage: Promise<void> | undefined;
    const locker = new pg.Client({ connectionString: pgServer.url });
    locker.on('error', () => undefined); // the server goes away under it
    await locker.connect();
    const remove = s.sink.onReceived(async (m) => {
      if (stoppedIn || !burst(m)) return;
      times.first ||= Date.now();
      if (s.sink.messages.filter(burst).length < STOP_AT) return;
      stoppedIn = m;
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE deliveries IN SHARE MODE');
      outage = (async () => {
        const count = async (sql: string, params: unknown[]) => Number((await locker.query<{ n: string }>(sql, params)).rows[0]!.n);
        await until(
          'a statement of the worker waiting on the lock',
          async () => ((waiting = await count(`SELECT COUNT(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`, [])) > 0 ? true : undefined),
          10_000,
          20,
        );
        inFlight = await count(`SELECT COUNT(*) AS n FROM deliveries WHERE campaign_id = $1 AND state = 'sending'`, [ID]);
        times.stopping = Date.now();
        await pgServer.stopServer();
        times.down = Date.now();
        await sleep(DOWN_MS);
        times.starting = Date.now();
        await pgServer.startServer();
        times.up = Date.now();
      })();
    });

    const plan = await startBurst(s);
    await until('PostgreSQL stopped and started again', () => (times.up ? true : undefined), 120_000, 100);
    await outage;
    remove();
    await locker.end().catch(() => undefined);
    const burstRows = rowsOf(expectedMessages(plan, [])).filter((r) => r.startsWith('reminder-1d ')).length;
    const burstIds = () => new Set(s.sink.messages.filter(burst).map((m) => m.messageId)).size;
    const outcome = await until('the whole burst', () => (!worker.alive() ? 'the worker exited' : burstIds() === burstRows ? 'done' : undefined), 120_000, 100).catch((err: Error) => err.message);
    if (outcome !== 'done') throw new Error(`${outcome} (${burstIds()} of ${burstRows} of the burst arrived); the worker said:\n${worker.output().slice(-8000)}`);
    const burstDone = Math.max(...s.sink.messages.filter(burst).map((m) => m.receivedAt.getTime()));
    expect(burstDone).toBeGreaterThan(times.up);
    expect(worker.alive(), worker.output().slice(-5000)).toBe(true);
    await expectNothingSubmitted(s, plan);
    const wall = Date.now() - t0;

    const { counts, twice, unconfirmed } = await checkedCopies(s, plan);
    expect(waiting).toBeGreaterThan(0);
    expect(inFlight).toBeGreaterThan(0);
    expect(twice.length).toBeLessThanOrEqual(inFlight);
    // The message answered while the server was down: recorded sent, once, after the restart.
    const held = counts.filter((c) => c.messageId === stoppedIn!.messageId);
    expect(held.map((c) => [c.key, c.copies, c.record!.attempts, c.record!.unconfirmedAttempts])).toEqual([[keyOf(stoppedIn!), 1, 1, 0]]);
    expect(Date.parse(held[0]!.record!.sentAt!)).toBeGreaterThanOrEqual(times.starting);

    // What needed the database during the outage failed and was retried: the statements cut off
    // with the server, and what fell due meanwhile (the 03-06 16:00 and 18:00 instants).
    const attempts = (await Promise.all([WF, ...Array.from({ length: SHARDS }, (_, i) => shardWorkflowId(WF, i))].map((id) => activityAttempts(s.client.temporal, id)))).flat();
    const retried = attempts.filter((x) => x.attempt > 1);
    expect(retried.length).toBeGreaterThan(0);

    const during = s.sink.messages.filter((m) => burst(m) && m.receivedAt.getTime() > times.down && m.receivedAt.getTime() < times.up).length;
    const afterUp = s.sink.messages.filter((m) => keyOf(m).startsWith(`${ID}/`) && m.receivedAt.getTime() >= times.up).map((m) => m.receivedAt.getTime());
    console.log(
      `shared-database (PostgreSQL restart): ${counts.length} (Message-ID, recipient) pairs, ${s.sink.messages.length} copies accepted, ` +
        `${inFlight} in flight and ${waiting} statement(s) of the worker waiting when the server stopped, ${twice.length} sent twice, ${unconfirmed.length} rows with an unconfirmed attempt; ` +
        `burst's first message at 0, stop asked at +${seconds(times.stopping - times.first)} (the ${STOP_AT}th message), down at +${seconds(times.down - times.first)}, ` +
        `up at +${seconds(times.up - times.first)} (down ${seconds(times.up - times.down)}, the start took ${seconds(times.up - times.starting)}); ` +
        `${during} of the burst arrived while it was down; first message after it +${seconds(Math.min(...afterUp) - times.up)}, ` +
        `burst complete +${seconds(burstDone - times.up)} after it was back (${seconds(burstDone - times.first)} in all); ` +
        `${retried.length} activities needed more than one attempt (${retried.map((x) => `${x.type}×${x.attempt}`).join(', ')}); campaign done in ${seconds(wall)}`,
    );
  });
});
