/**
 * A throw-away PostgreSQL server for the tests and the fault suite: the storage that leaves Temporal
 * (delivery ledger, blobs, plans) runs on SQLite by default and on PostgreSQL when workers run on
 * several machines, and the PostgreSQL path is tested against the real server, not a mock. This
 * starts Debian's server programs (found by tools/scripts/bootstrap.mjs) on a free loopback port
 * with a fresh data folder under os.tmpdir(); stop() removes it all.
 *
 * The server can be stopped and started again on the same port and data (restart(), or
 * stopServer() … startServer() to keep it down a while), so a test can take the database away
 * mid-campaign and see the product reconnect with its data intact.
 *
 * PostgreSQL refuses to run as root: as root (CI containers, this project's machines) initdb and
 * the server run as Debian's `postgres` user — spawned with that uid directly, not through
 * su/runuser, whose watching parent turns our fast-shutdown signal into SIGTERM and then SIGKILL.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './free-port';
import { optionalToolPath, toolPath } from './tool-paths';

export const SUPERUSER = 'campaign';
const DEFAULT_DATABASE = 'campaign';
const LOG_TAIL_LINES = 40;

export interface PostgresOptions {
  /** TCP port on 127.0.0.1; a free one when absent. */
  port?: number;
  /** The database `url` names, created on start (default `campaign`). */
  database?: string;
  /** How long the server may take to accept connections, each start (default 30 s). */
  startTimeoutMs?: number;
  /**
   * Flush every commit to disk as a production server does (fsync and full-page writes on, the
   * server's defaults): for the benchmarks, which compare PostgreSQL with SQLite's synchronous=FULL.
   * Default false: throw-away test data, see below.
   */
  durable?: boolean;
}

/**
 * How the server is stopped: `fast` ends the sessions and checkpoints (pg_ctl's default); `immediate`
 * is a crash (no checkpoint: the next start replays the write-ahead log).
 */
export type StopMode = 'fast' | 'immediate';

export interface RestartOptions {
  mode?: StopMode;
  /** How long the server stays down between stop and start (default 0). */
  downForMs?: number;
}

export interface Postgres {
  /** postgres://campaign@127.0.0.1:<port>/<database>: the superuser, trusted on loopback. */
  url: string;
  port: number;
  dataDir: string;
  /** The server's own output (every start appends to it). */
  logFile: string;
  /** Whether the server process is running. */
  readonly running: boolean;
  /** A fresh, empty database on this server; returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server, keeping port and data; a no-op when it is down. */
  stopServer(opts?: { mode?: StopMode }): Promise<void>;
  /** Starts the server again on the same port and data; a no-op when it runs. */
  startServer(): Promise<void>;
  /** stopServer(), a pause when asked, startServer(). */
  restart(opts?: RestartOptions): Promise<void>;
  /** Stops the server and removes its data, socket and log folders. */
  stop(): Promise<void>;
}

/** PostgreSQL could not be set up, started or stopped; `logTail` is the end of what it said. */
export class PostgresStartError extends Error {
  constructor(
    message: string,
    readonly logTail = '',
  ) {
    super(logTail ? `${message}\n--- the end of its log ---\n${logTail}` : message);
    this.name = 'PostgresStartError';
  }
}

/**
 * The server programs: what bootstrap recorded (or POSTGRES_BIN_DIR), else the newest
 * /usr/lib/postgresql/<major>/bin that Debian installed, else the tool-paths error naming bootstrap.
 */
export function postgresBinDir(): string {
  const recorded = optionalToolPath('postgresBin');
  if (recorded) return toolPath('postgresBin');
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'postgres'))) : [];
  majors.sort((a, b) => Number(b) - Number(a));
  return majors.length ? join(root, majors[0], 'bin') : toolPath('postgresBin');
}

/** The URL of `name` on the server `serverUrl` points to, after creating it there (empty). */
export async function createDatabaseAt(serverUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}

/** Whom initdb and the server run as: ourselves, or Debian's `postgres` user when we are root. */
async function serverUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const { stdout } = await promisify(execFile)('getent', ['passwd', 'postgres']);
    const [, , uid, gid] = stdout.trim().split(':');
    return { uid: Number(uid), gid: Number(gid) };
  } catch {
    throw new PostgresStartError(
      "PostgreSQL refuses to run as root, and there is no 'postgres' user to run it as (Debian's postgresql package creates one).",
    );
  }
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-LOG_TAIL_LINES).join('\n');
  } catch {
    return '';
  }
}

/**
 * A test run that ends without stop() (a crash, a kill by a CI timeout, a forgotten teardown) must
 * not leave a server running and its 40 MB folder behind. Node has no hook for being killed, so a
 * small shell waits on a pipe from this process: when the pipe closes, it stops whichever server
 * runs on the data folder (postmaster.pid, checked against the process's command line) and removes
 * the folders. stop() kills it before cleaning up itself.
 */
function startWatchdog(dataDir: string, base: string): ChildProcess {
  const script = [
    'read _',
    'pid=$(head -n 1 "$1/postmaster.pid" 2>/dev/null)',
    'if [ -n "$pid" ] && grep -qa -- "$1" "/proc/$pid/cmdline" 2>/dev/null; then',
    '  kill -QUIT "$pid"; i=0',
    '  while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done',
    'fi',
    'rm -rf "$2"',
  ].join('\n');
  const watchdog = spawn('sh', ['-c', script, 'postgres-watchdog', dataDir, base], { stdio: ['pipe', 'ignore', 'ignore'] });
  watchdog.on('error', () => undefined);
  watchdog.unref();
  (watchdog.stdin as unknown as { unref(): void }).unref();
  return watchdog;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts a throw-away PostgreSQL (initdb, server, one database) and waits until it accepts connections. */
export async function startPostgres(opts: PostgresOptions = {}): Promise<Postgres> {
  const bin = postgresBinDir();
  const user = await serverUser();
  const database = opts.database ?? DEFAULT_DATABASE;
  const startTimeoutMs = opts.startTimeoutMs ?? 30_000;
  const base = mkdtempSync(join(tmpdir(), 'campaign-postgres-'));
  const dataDir = join(base, 'data');
  const socketDir = join(base, 'socket');
  const logFile = join(base, 'server.log');
  mkdirSync(dataDir, { mode: 0o700 });
  mkdirSync(socketDir, { mode: 0o700 });
  if (user) for (const dir of [base, dataDir, socketDir]) chownSync(dir, user.uid, user.gid);
  // No PG* variables of ours (PGDATA, PGPORT…) reach the server programs.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PG')));
  const as = { ...user, env, cwd: base };
  const watchdog = startWatchdog(dataDir, base);
  const removeAll = () => {
    watchdog.kill('SIGKILL');
    rmSync(base, { recursive: true, force: true });
  };

  try {
    // C locale and UTF8: the same sorting on every machine; --no-sync: the data is thrown away.
    await promisify(execFile)(
      join(bin, 'initdb'),
      ['-D', dataDir, '-U', SUPERUSER, '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'],
      as,
    );
  } catch (err) {
    removeAll();
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new PostgresStartError(`initdb failed: ${e.message.split('\n')[0]}`, `${e.stdout ?? ''}${e.stderr ?? ''}`.trim());
  }

  let port = opts.port ?? (await freePort());
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const adminUrl = () => `postgres://${SUPERUSER}@127.0.0.1:${port}/postgres`;

  /** Starts the server process; `firstStart`: a taken port is reported so that another is tried. */
  const launch = async (firstStart: boolean): Promise<'ready' | 'port taken'> => {
    const fd = openSync(logFile, 'a');
    const server = spawn(
      join(bin, 'postgres'),
      [
        '-D', dataDir, '-p', String(port), '-k', socketDir,
        '-c', 'listen_addresses=127.0.0.1',
        // Throw-away test data: nothing needs to survive a crash of the machine, so no flushing to
        // disk and no torn-page guard. A crash of the server itself (an immediate stop) still loses
        // no commit: each one is written to the OS before it is acknowledged. synchronous_commit
        // stays on for that: off, an immediate restart lost a just-committed row 5 times in 5 (the
        // fault suite would see deliveries the ledger forgot), and with fsync off it saved no
        // measurable time (3,000 one-row commits: 0.88-1.0 s either way).
        ...(opts.durable ? [] : ['-c', 'fsync=off', '-c', 'full_page_writes=off']),
      ],
      { ...as, stdio: ['ignore', fd, fd] },
    );
    closeSync(fd);
    let gone = false;
    exited = new Promise((resolve) => server.once('exit', () => ((gone = true), resolve())));
    server.once('error', () => undefined); // an 'exit' follows; the log says why
    child = server;
    const deadline = Date.now() + startTimeoutMs;
    for (;;) {
      if (gone) {
        child = undefined;
        const said = tail(logFile);
        if (firstStart && opts.port === undefined && /could not bind|Address already in use/i.test(said)) return 'port taken';
        throw new PostgresStartError(`PostgreSQL exited before accepting connections on 127.0.0.1:${port}`, said);
      }
      // Through the socket in our own folder: another server on the port cannot answer for ours
      // (PostgreSQL opens it after binding the TCP port).
      const client = new pg.Client({ host: socketDir, port, user: SUPERUSER, database: 'postgres', connectionTimeoutMillis: 1000 });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.end();
        return 'ready';
      } catch {
        await client.end().catch(() => undefined);
      }
      if (Date.now() > deadline) {
        await stopServer({ mode: 'immediate' });
        throw new PostgresStartError(`PostgreSQL did not accept connections on 127.0.0.1:${port} within ${startTimeoutMs} ms`, tail(logFile));
      }
      await sleep(100);
    }
  };

  // PostgreSQL's signals: SIGINT is a fast shutdown, SIGQUIT an immediate one.
  async function stopServer({ mode = 'fast' }: { mode?: StopMode } = {}): Promise<void> {
    const server = child;
    if (!server) return;
    server.kill(mode === 'fast' ? 'SIGINT' : 'SIGQUIT');
    const timer = setTimeout(() => server.kill('SIGQUIT'), 30_000);
    await exited;
    clearTimeout(timer);
    child = undefined;
  }

  async function startServer(): Promise<void> {
    if (!child) await launch(false);
  }

  try {
    // The free port may be taken between choosing and binding it: then again on another (three tries).
    for (let attempt = 1; (await launch(true)) === 'port taken'; attempt++) {
      if (attempt >= 3) throw new PostgresStartError(`no free port for PostgreSQL after ${attempt} tries`, tail(logFile));
      port = await freePort();
    }
    await createDatabaseAt(adminUrl(), database);
  } catch (err) {
    await stopServer({ mode: 'immediate' });
    removeAll();
    throw err;
  }

  return {
    url: `postgres://${SUPERUSER}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
    port,
    dataDir,
    logFile,
    get running() {
      return child !== undefined;
    },
    createDatabase: (name) => createDatabaseAt(adminUrl(), name),
    stopServer,
    startServer,
    async restart({ mode = 'fast', downForMs = 0 }: RestartOptions = {}) {
      await stopServer({ mode });
      if (downForMs > 0) await sleep(downForMs);
      await startServer();
    },
    async stop() {
      await stopServer();
      removeAll();
    },
  };
}
