/**
 * The worker process (`campaign worker`): one connection to Temporal, the real dependencies
 * (SMTP, the stores on the database: ledger, blobs, plans), the campaign task queue. Stops
 * gracefully on SIGTERM/SIGINT: the SDK's runtime catches the signals (its default
 * `shutdownSignals`), the worker stops polling, lets the running activities finish (grace time in
 * create-worker.ts), then the mailer, the connections and the database are closed and the process
 * exits 0.
 */
import { DefaultLogger, NativeConnection, Runtime, type LogLevel } from '@temporalio/worker';
import { parseEnv, temporalConnectionOptions, type AppEnv } from '../config/env';
import { ConfigError } from '../config/errors';
import { formatAddress, parseMailConfig } from '../config/mail';
import { connectClient } from '../client/connect';
import { DatabaseError } from '../store/database/database';
import { dataDir, openStores, secureDataDir, type Stores } from '../store/stores';
import { buildDependencies, closeMailDependencies } from './dependencies';
import { createCampaignWorker } from './create-worker';

/** Raised for problems the operator must fix (configuration, unreachable server); `unavailable` = exit 69. */
export class WorkerStartError extends Error {
  constructor(
    message: string,
    readonly unavailable = false,
  ) {
    super(message);
    this.name = 'WorkerStartError';
  }
}

export interface RunWorkerOptions {
  /** Environment variables (default: process.env), parsed once here. */
  environment?: Record<string, string | undefined>;
  /** One line per start/stop/warning (default: stderr). */
  log?: (line: string) => void;
  /** Level of the SDK's own log (default WARN); only applied if the SDK runtime is not installed yet. */
  sdkLogLevel?: LogLevel;
  /** Stops the worker when aborted (besides SIGTERM/SIGINT). */
  signal?: AbortSignal;
}

function unreachable(env: AppEnv): WorkerStartError {
  return new WorkerStartError(`cannot reach Temporal at ${env.TEMPORAL_ADDRESS}: is the dev server running? (npm start)`, true);
}

export async function runWorker(opts: RunWorkerOptions = {}): Promise<void> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const environment = opts.environment ?? process.env;
  let env: AppEnv;
  try {
    env = parseEnv(environment);
  } catch (err) {
    if (err instanceof ConfigError) throw new WorkerStartError(err.message);
    throw err;
  }
  let mail;
  try {
    mail = parseMailConfig(environment);
  } catch (err) {
    if (err instanceof ConfigError) throw new WorkerStartError(err.message);
    throw err;
  }
  if (!env.PORTAL_SECRET) {
    throw new WorkerStartError('PORTAL_SECRET is not set: the department links in every email are signed with it (at least 32 characters; generate one with: openssl rand -hex 32)');
  }
  // The embedded database (ledger, plans, attachments) is in the data folder: private to this user (store/stores.ts).
  let stores: Stores;
  try {
    secureDataDir(env);
    stores = await openStores(env);
  } catch (err) {
    if (err instanceof ConfigError) throw new WorkerStartError(err.message);
    if (err instanceof DatabaseError) throw new WorkerStartError(err.message, true);
    throw err;
  }

  try {
    Runtime.install({ logger: new DefaultLogger(opts.sdkLogLevel ?? 'WARN') });
  } catch {
    // Already installed (a test, or a host process that set up its own logging).
  }

  let connection: NativeConnection;
  try {
    connection = await NativeConnection.connect(temporalConnectionOptions(env));
  } catch {
    await stores.close().catch(() => undefined);
    throw unreachable(env);
  }
  let client: Awaited<ReturnType<typeof connectClient>> | undefined;
  let deps: ReturnType<typeof buildDependencies> | undefined;
  try {
    try {
      client = await connectClient(env);
    } catch {
      throw unreachable(env);
    }
    deps = buildDependencies(env, client.client, stores, mail);
    const worker = await createCampaignWorker({
      connection,
      namespace: env.TEMPORAL_NAMESPACE,
      taskQueue: env.TEMPORAL_TASK_QUEUE,
      deps,
      maxConcurrentActivityTaskExecutions: env.WORKER_MAX_CONCURRENT_ACTIVITIES,
    });
    // A mail server that is down now may be up in a minute: deliveries are retried by Temporal, so
    // an SMTP failure at start-up is a warning, never a reason not to run.
    const mailer = deps.mailer;
    void mailer.verify().then(
      () => log(`campaign worker: SMTP ${mail.host}:${mail.port} OK (sending as ${formatAddress(mail.from)})`),
      (err: Error) => log(`campaign worker: warning: SMTP ${mail.host}:${mail.port} not reachable now (${err.message.split('\n')[0]}); messages will be retried`),
    );
    const onAbort = () => worker.shutdown();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    log(`campaign worker: started on task queue '${env.TEMPORAL_TASK_QUEUE}' (Temporal ${env.TEMPORAL_ADDRESS}, namespace ${env.TEMPORAL_NAMESPACE}, data ${dataDir(env)}, database ${stores.db.location}); Ctrl-C to stop`);
    try {
      await worker.run();
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
    }
    log('campaign worker: stopped');
  } finally {
    if (deps) closeMailDependencies(deps);
    await client?.connection.close().catch(() => undefined);
    await connection.close().catch(() => undefined);
    await stores.close().catch(() => undefined);
  }
}
