/**
 * The real Temporal dev server (`temporal server start-dev` from the Temporal CLI in .tools/), for
 * the tests' global set-up and for the tools' stack: free ports, the campaigns' search attributes
 * registered, in memory or on a SQLite file, and a stop() that waits for the process to exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Connection } from '@temporalio/client';
import { freePort, waitForPort } from './free-port';
import { toolPath } from './tool-paths';
import { SEARCH_ATTRIBUTE_TYPES } from '../../obligations/search-attributes';

export interface DevServerOptions {
  /** SQLite file for persistence; in memory when absent (tests). */
  dbFile?: string;
  /** gRPC port; a free one when absent. */
  port?: number;
  /** Web UI port; a free one when absent. Set `ui: false` to run headless. */
  uiPort?: number;
  ui?: boolean;
  namespace?: string;
  /** Where the server's own output goes; ignored when absent. */
  log?: (line: string) => void;
}

export interface DevServer {
  address: string;
  port: number;
  uiUrl?: string;
  namespace: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Search attributes the campaign workflows set; registered on start so `campaign list` can filter. */
export const SEARCH_ATTRIBUTES: Record<string, string> = SEARCH_ATTRIBUTE_TYPES;

/** Starts the real Temporal dev server (`temporal server start-dev`) and waits until it answers. */
/**
 * The ports the server is given but nobody asked for (HTTP API, metrics, and the gRPC and UI
 * ports when absent) are picked free just before it starts; another process can take one in
 * between. The server then exits with "address already in use", and it is started again on
 * fresh ports (at most three times).
 */
export async function startDevServer(opts: DevServerOptions = {}): Promise<DevServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(opts);
    } catch (err) {
      if (attempt >= 3 || !(err instanceof PortTakenError)) throw err;
    }
  }
}

class PortTakenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PortTakenError';
  }
}

async function startOnce(opts: DevServerOptions): Promise<DevServer> {
  const temporalCli = toolPath('temporalCli');
  const port = opts.port ?? (await freePort());
  const namespace = opts.namespace ?? 'default';
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--namespace', namespace, '--log-level', 'warn'];
  let uiPort: number | undefined;
  if (opts.ui === false) args.push('--headless');
  else {
    uiPort = opts.uiPort ?? (await freePort());
    args.push('--ui-port', String(uiPort));
  }
  if (opts.dbFile) {
    // The database holds every campaign's history: its folder is the owner's only (a process that
    // keeps the file itself private sets a umask, see store/stores.ts secureDataDir).
    mkdirSync(dirname(opts.dbFile), { recursive: true, mode: 0o700 });
    args.push('--db-filename', opts.dbFile);
  }
  // The metrics and HTTP API endpoints would take fixed (or the CLI's own random) ports: give them
  // free ones, so that several servers can run and a collision is seen here.
  args.push('--metrics-port', String(await freePort()), '--http-port', String(await freePort()));
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) args.push('--search-attribute', `${name}=${type}`);
  const child = spawn(temporalCli, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const onData = (buf: Buffer) => {
    const text = buf.toString();
    output.push(text);
    if (output.length > 200) output.shift();
    opts.log?.(text);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  const address = `127.0.0.1:${port}`;
  try {
    await Promise.race([
      waitForPort(port, 60_000),
      exitedPromise.then(() => {
        const said = output.join('').slice(-3000);
        throw new (/address already in use/.test(said) ? PortTakenError : Error)(`temporal server start-dev exited early:\n${said}`);
      }),
    ]);
    // The port opens before the frontend is ready to serve; wait for a real answer.
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        const conn = await Connection.connect({ address, connectTimeout: 2000 });
        await conn.workflowService.describeNamespace({ namespace });
        await conn.close();
        break;
      } catch (err) {
        if (exited || Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    address,
    port,
    namespace,
    uiUrl: uiPort ? `http://127.0.0.1:${uiPort}` : undefined,
    process: child,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exitedPromise;
      clearTimeout(timer);
    },
  };
}
