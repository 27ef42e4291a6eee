/**
 * The campaign worker in a process of its own, as `campaign worker` runs in production, for the
 * benchmarks that judge the worker's memory: the benchmark's process then holds only the client,
 * the load and the bookkeeping, and the worker's peak RSS is its own (the kernel's high-water mark,
 * VmHWM). The child measures itself (memory.ts: V8 heaps of the main and the workflow thread,
 * native, file-backed) and writes heap snapshots on request; it is started with thread-heaps.mjs
 * preloaded so that the SDK's workflow thread can be seen.
 *
 * The worker is built as `campaign worker` builds it (createCampaignWorker, its workflows bundled
 * the same way) with the dependencies of the tests and the other benchmarks (test/support/engine-env.ts
 * engineDependencies: the real activities, the stores on the same database as the benchmark's
 * process — SQLite in the shared data folder, or PostgreSQL — and the SMTP server's settings).
 * This file is both the parent's handle (startWorkerProcess) and the child's program.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { CampaignClient } from '../../client/campaign-client';
import { openStores, type Stores } from '../../store/stores';
import { createTimeSkippingEnv, uniqueId } from '../../test/support/temporal';
import { SEARCH_ATTRIBUTES } from '../harness/dev-server';
import type { MemoryBreakdown, MemoryWatch } from './memory';
import type { Rig } from './play-campaign';
import { startSinkProcess, type SinkProcess } from './sink-process';

const CHILD_FLAG = '--campaign-worker-child';
const HERE = path.dirname(fileURLToPath(import.meta.url));

export interface WorkerProcessOptions {
  /** The Temporal server (host:port) and namespace. */
  address: string;
  namespace: string;
  taskQueue: string;
  /** The stores: the SQLite file in this data folder, or the PostgreSQL database of databaseUrl. */
  dataDir: string;
  databaseUrl?: string;
  /** SMTP_* and MAIL_* settings. */
  mailEnv: Record<string, string>;
  /** More options for the child's node (e.g. --heap-prof). */
  nodeOptions?: string[];
  /** More environment for the child (e.g. MALLOC_ARENA_MAX). */
  env?: Record<string, string>;
  /** Another program to start node with (e.g. a script running `heaptrack node "$@"`), for experiments. */
  execPath?: string;
}

export interface WorkerMemory {
  /** The kernel's peak resident set of the worker process (VmHWM), and now (VmRSS). */
  peakRss: number;
  rss: number;
  /** The child's own sampling: RSS peak between marks, the full sample at the largest RSS, the largest of each part. */
  sampledPeakRss: number;
  atPeak?: MemoryBreakdown;
  largest: ReturnType<MemoryWatch['largest']>;
  last?: MemoryBreakdown;
}

export interface WorkerProcess {
  pid?: number;
  memory(): Promise<WorkerMemory>;
  /** Peak RSS the child sampled between two of its own clock marks (see mark()). */
  mark(): Promise<number>;
  peakBetween(from: number, to?: number): Promise<number>;
  snapshots(dir: string): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startWorkerProcess(opts: WorkerProcessOptions): Promise<WorkerProcess> {
  const execArgv = ['--import', 'tsx', '--import', pathToFileURL(path.join(HERE, 'thread-heaps.mjs')).href, ...(opts.nodeOptions ?? [])];
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [CHILD_FLAG], { execArgv, execPath: opts.execPath, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let seq = 0;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  child.on('message', (m: { id?: number; value?: unknown; error?: string }) => {
    if (m.id === undefined) return;
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (m.error) w?.reject(new Error(`worker process: ${m.error}`));
    else w?.resolve(m.value);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then((code) => {
    for (const w of waiting.values()) w.reject(new Error(`worker process exited (${code})`));
    waiting.clear();
  });
  const call = <T>(op: string, arg?: unknown): Promise<T> =>
    new Promise((resolve, reject) => {
      const id = ++seq;
      waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ id, op, arg });
    });
  try {
    await call('start', { ...opts, nodeOptions: undefined, env: undefined, execPath: undefined });
  } catch (err) {
    child.kill();
    throw err;
  }
  return {
    pid: child.pid,
    memory: () => call('memory'),
    mark: () => call('mark'),
    peakBetween: (from, to) => call('peakBetween', { from, to }),
    snapshots: (dir) => call('snapshots', dir),
    async stop() {
      await call('stop').catch(() => undefined);
      child.disconnect();
      await exited;
    },
  };
}

/** The time-skipping engine with the worker in a process of its own (the rehearsal's). */
export interface SeparateWorkerEngine extends Rig {
  sink: SinkProcess;
  worker: WorkerProcess;
  /** This process's stores on the same database as the worker's (the plans the client saves, the summary's blob). */
  stores: Stores;
  /** The SMTP and mail settings the worker was given. */
  mailEnv: Record<string, string>;
  teardown(): Promise<void>;
}

/**
 * Temporal's time-skipping test server, the SMTP server in a child process, the stores in a fresh
 * data folder (SQLite) or on `databaseUrl`, and the worker in a process of its own on them.
 */
export async function startSeparateWorkerEngine(opts: { databaseUrl?: string; mailEnv?: Record<string, string>; worker?: Pick<WorkerProcessOptions, 'nodeOptions' | 'env' | 'execPath'> } = {}): Promise<SeparateWorkerEngine> {
  const env = await createTimeSkippingEnv();
  const cleanup: Array<() => Promise<unknown>> = [() => env.teardown()];
  const undo = async () => {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
  };
  try {
    await registerSearchAttributes(env);
    const sink = await startSinkProcess();
    cleanup.push(() => sink.stop());
    const dataDir = mkdtempSync(path.join(tmpdir(), 'campaign-rehearsal-'));
    cleanup.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const stores = await openStores({ CAMPAIGN_DATA_DIR: dataDir, CAMPAIGN_DATABASE_URL: opts.databaseUrl });
    cleanup.push(() => stores.close());
    const taskQueue = uniqueId('campaigns');
    const mailEnv = sink.env(opts.mailEnv);
    const worker = await startWorkerProcess({
      address: env.address,
      namespace: env.namespace ?? 'default',
      taskQueue,
      dataDir,
      databaseUrl: opts.databaseUrl,
      mailEnv,
      ...opts.worker,
    });
    cleanup.push(() => worker.stop());
    return { env, campaigns: new CampaignClient(env.client, stores.plans, taskQueue), sink, worker, stores, mailEnv, teardown: undo };
  } catch (err) {
    await undo();
    throw err;
  }
}

/** The campaign workflows' search attributes on the test server (tools/harness/dev-server.ts registers them on the dev server). */
async function registerSearchAttributes(env: TestWorkflowEnvironment): Promise<void> {
  const indexedValueType: Record<string, number> = { Text: 1, Keyword: 2, Int: 3, Double: 4, Bool: 5, Datetime: 6, KeywordList: 7 };
  try {
    await env.connection.operatorService.addSearchAttributes({
      namespace: env.namespace ?? 'default',
      searchAttributes: Object.fromEntries(Object.entries(SEARCH_ATTRIBUTES).map(([name, type]) => [name, indexedValueType[type] ?? 2])),
    });
  } catch {
    // already registered
  }
}

/** VmHWM and VmRSS of this process, from /proc/self/status. */
function kernelRss(): { peak: number; now: number } {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { peak: kb('VmHWM'), now: kb('VmRSS') };
}

async function workerChildMain(): Promise<void> {
  const { DefaultLogger, NativeConnection, Runtime } = await import('@temporalio/worker');
  const { Client, Connection } = await import('@temporalio/client');
  const { engineDependencies } = await import('../../test/support/engine-env');
  const { createCampaignWorker } = await import('../../worker/create-worker');
  const { closeMailDependencies } = await import('../../worker/dependencies');
  const { watchMemory, writeHeapSnapshots } = await import('./memory');
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const memory = watchMemory();
  let stopAll: (() => Promise<void>) | undefined;

  const ops: Record<string, (arg: never) => Promise<unknown> | unknown> = {
    async start(o: WorkerProcessOptions) {
      const connection = await Connection.connect({ address: o.address });
      const client = new Client({ connection, namespace: o.namespace });
      const nativeConnection = await NativeConnection.connect({ address: o.address });
      const { deps, stores } = await engineDependencies({ dataDir: o.dataDir, smtpEnv: o.mailEnv, temporal: client, databaseUrl: o.databaseUrl });
      // No bundle given: the workflows are bundled as `campaign worker` bundles them (create-worker.ts).
      const worker = await createCampaignWorker({ connection: nativeConnection, namespace: o.namespace, taskQueue: o.taskQueue, deps });
      const running = worker.run();
      stopAll = async () => {
        worker.shutdown();
        await running.catch(() => undefined);
        closeMailDependencies(deps);
        await stores.close().catch(() => undefined);
        await nativeConnection.close().catch(() => undefined);
        await connection.close().catch(() => undefined);
      };
      return true;
    },
    memory(): WorkerMemory {
      const k = kernelRss();
      return { peakRss: k.peak, rss: k.now, sampledPeakRss: memory.peakRss(), atPeak: memory.atPeak(), largest: memory.largest(), last: memory.last() };
    },
    mark: () => performance.now(),
    peakBetween: ({ from, to }: { from: number; to?: number }) => memory.peakRss(from, to),
    snapshots: (dir: string) => writeHeapSnapshots(dir, { main: true }),
    async stop() {
      await memory.stop();
      await stopAll?.();
      return true;
    },
  };
  process.on('message', (m: { id: number; op: string; arg?: unknown }) => {
    const reply = (value: unknown) => process.send!({ id: m.id, value });
    Promise.resolve()
      .then(() => ops[m.op]!(m.arg as never))
      .then(reply, (err: Error) => process.send!({ id: m.id, error: err?.stack ?? String(err) }));
  });
  process.on('disconnect', () => {
    void (stopAll?.() ?? Promise.resolve()).finally(() => process.exit(0));
  });
}

const isMain = !!process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href;
if (isMain && process.argv.includes(CHILD_FLAG)) void workerChildMain();
