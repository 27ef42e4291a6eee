/**
 * Plumbing shared by the verbs that talk to Temporal: the environment (parsed once), the stores
 * (the database, always closed), one client connection (always closed), the CampaignClient over
 * the plan store, output that honours
 * `--json`, confirmation prompts, and the translation of the engine's errors into UserErrors
 * (a message in the user's terms and an exit code, never a stack trace).
 *
 * Verbs import this module lazily (`await import('../context')`) so that `campaign validate` and
 * `campaign preview` do not load the Temporal client.
 */
import { connect as tcpConnect } from 'node:net';
import os from 'node:os';
import { createInterface } from 'node:readline/promises';
import type { Client, Connection } from '@temporalio/client';
import { CampaignClient, CampaignNotFoundError, RequestRejectedError } from '../client/campaign-client';
import { appEnv, type AppEnv } from '../config/env';
import { ConfigError } from '../config/errors';
import { DatabaseError } from '../store/database/database';
import { PlanNotFoundError, type PlanStore } from '../store/plan-store';
import type { CompiledPlan, Language } from '../deadlines/timeline';
import type { CampaignInfo } from '../workflows/campaign.messages';
import { connectClient } from '../client/connect';
import { openStores, type Stores } from '../store/stores';
import { ExitCode, UserError } from './errors';
import { terminalJson } from './terminal-text';

// --- environment and connection ----------------------------------------------------------------

/** The validated environment; a bad variable is the user's problem, not an internal error. */
export function loadEnv(): AppEnv {
  try {
    return appEnv();
  } catch (err) {
    if (err instanceof ConfigError || (err as Error)?.name === 'ConfigError') throw new UserError((err as Error).message);
    throw err;
  }
}

/**
 * The stores on this environment's database: data of an earlier version not imported yet and a bad
 * setting are the user's to fix (exit 1), a database that cannot be reached is unavailable (69).
 */
export async function openStoresFor(env: AppEnv): Promise<Stores> {
  try {
    return await openStores(env);
  } catch (err) {
    if (err instanceof ConfigError) throw new UserError(err.message);
    if (err instanceof DatabaseError) throw new UserError(err.message, ExitCode.unavailable);
    throw err;
  }
}

export function unreachable(env: AppEnv): UserError {
  return new UserError(`cannot reach Temporal at ${env.TEMPORAL_ADDRESS}: is the dev server running? (npm start)`, ExitCode.unavailable);
}

/**
 * Opens a TCP connection to host:port and closes it: a refused or unresolvable address is known
 * in milliseconds, where the gRPC client would retry for its whole connect timeout.
 */
function probe(address: string, timeoutMs: number): Promise<boolean> {
  const i = address.lastIndexOf(':');
  const host = address.slice(0, i);
  const port = Number(address.slice(i + 1));
  return new Promise((resolve) => {
    const socket = tcpConnect({ host, port });
    const done = (ok: boolean) => {
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** A Temporal client for this environment; exit 69 with one line when the server cannot be reached. */
export async function connectTemporal(env: AppEnv): Promise<{ client: Client; connection: Connection }> {
  if (!(await probe(env.TEMPORAL_ADDRESS, 5000))) throw unreachable(env);
  try {
    return await connectClient(env);
  } catch (err) {
    if (isConnectionError(err)) throw unreachable(env);
    throw err;
  }
}

export function isConnectionError(err: unknown): boolean {
  const e = err as { name?: string; message?: string; code?: number };
  const msg = `${e?.name ?? ''} ${e?.message ?? ''}`;
  return e?.code === 14 /* gRPC UNAVAILABLE */ || /ECONNREFUSED|Failed to connect|TransportError|UNAVAILABLE|connection refused|before the deadline/i.test(msg);
}

// --- output ------------------------------------------------------------------------------------

export interface OutputOptions {
  json?: boolean;
}

/** stdout carries the result (JSON with --json, text otherwise); notes go to stderr. */
export class Output {
  constructor(readonly json: boolean) {}

  /** The verb's result: `data` as JSON with --json, else the human text. */
  result(data: unknown, human: () => string | string[]): void {
    if (this.json) {
      process.stdout.write(`${terminalJson(data)}\n`);
      return;
    }
    const text = human();
    const s = Array.isArray(text) ? text.join('\n') : text;
    process.stdout.write(s.endsWith('\n') || s === '' ? s : `${s}\n`);
  }

  /** A line for humans only (never mixed into JSON). */
  note(text: string): void {
    process.stderr.write(`${text}\n`);
  }
}

/** Red on a terminal, `!! text` otherwise (after the indentation), so failures stand out in logs and pipes too. */
export function highlight(text: string): string {
  const [, indent, rest] = /^(\s*)([\s\S]*)$/.exec(text)!;
  return process.stdout.isTTY ? `${indent}\x1b[31;1m${rest}\x1b[0m` : `${indent}!! ${rest}`;
}

// --- the verb context --------------------------------------------------------------------------

export interface CampaignContext {
  env: AppEnv;
  temporal: Client;
  campaigns: CampaignClient;
  plans: PlanStore;
  blobs: Stores['blobs'];
  out: Output;
  /** Who acts, as recorded in the audit history: `cli:<login>`. */
  by: string;
  /** Link to a workflow in the Temporal Web UI. */
  webUi(workflowId: string): string;
}

export function actor(): string {
  try {
    return `cli:${os.userInfo().username}`;
  } catch {
    return 'cli';
  }
}

export function webUiLink(env: AppEnv, workflowId: string): string {
  return `${env.TEMPORAL_WEB_UI_URL.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(env.TEMPORAL_NAMESPACE)}/workflows/${encodeURIComponent(workflowId)}`;
}

/**
 * Runs a verb against Temporal: environment, stores, connection, CampaignClient; translates the
 * engine's errors into UserErrors and always closes the connection and the database.
 */
export async function withCampaigns<T>(opts: OutputOptions, fn: (ctx: CampaignContext) => Promise<T>): Promise<T> {
  const env = loadEnv();
  const stores = await openStoresFor(env);
  let connection: Connection | undefined;
  try {
    const connected = await connectTemporal(env);
    connection = connected.connection;
    const client = connected.client;
    const { blobs, plans } = stores;
    const ctx: CampaignContext = {
      env,
      temporal: client,
      campaigns: new CampaignClient(client, plans, env.TEMPORAL_TASK_QUEUE),
      plans,
      blobs,
      out: new Output(!!opts.json),
      by: actor(),
      webUi: (id) => webUiLink(env, id),
    };
    return await fn(ctx);
  } catch (err) {
    throw userErrorOf(err, env);
  } finally {
    await connection?.close().catch(() => undefined);
    await stores.close().catch(() => undefined);
  }
}

/** The engine's refusals and lookups as UserErrors; anything else unchanged (an internal error). */
export function userErrorOf(err: unknown, env?: AppEnv): unknown {
  if (err instanceof UserError) return err;
  if (err instanceof RequestRejectedError) {
    const lines = [err.message];
    for (const f of err.fieldErrors) lines.push(`  ${f.field}: ${f.message}`);
    for (const f of err.fieldWarnings) lines.push(`  ${f.field}: ${f.message}`);
    if (err.fieldWarnings.length && !err.fieldErrors.length) {
      lines.push(`(if the figures are right, re-run with --confirm-decrease ${err.fieldWarnings.map((f) => f.field).join(' ')})`);
    }
    return new UserError(lines.join('\n'));
  }
  if (err instanceof CampaignNotFoundError) return new UserError(err.message.replace(/'campaign\//, "'"));
  const e = err as { name?: string; message?: string; workflowId?: string };
  if (e?.name === 'WorkflowNotFoundError') {
    return new UserError(`no campaign '${String(e.workflowId ?? '').replace(/^campaign\//, '')}' on this Temporal server (see: campaign list)`);
  }
  const notFound = /workflow not found for ID: (\S+)/i.exec(e?.message ?? '');
  if (notFound) return new UserError(`no campaign '${notFound[1]!.replace(/^campaign\//, '')}' on this Temporal server (see: campaign list)`);
  if (err instanceof PlanNotFoundError) return new UserError(err.message);
  if (e?.name === 'NamespaceNotFoundError') return new UserError(`${e.message} (TEMPORAL_NAMESPACE)`);
  if (/workflow execution already completed/i.test(e?.message ?? '')) {
    return new UserError('the campaign has already finished (completed or cancelled); see: campaign status');
  }
  const cause = (err as { cause?: { code?: number; message?: string } })?.cause;
  if (/Failed to query Workflow/.test(e?.message ?? '') && (cause?.code === 4 || cause?.code === 9 || /DEADLINE_EXCEEDED|FAILED_PRECONDITION/.test(cause?.message ?? ''))) {
    // Queries are answered by a worker (4 DEADLINE_EXCEEDED, 9 FAILED_PRECONDITION "no poller seen").
    return new UserError(
      `no worker answered for this campaign: is a worker running on task queue '${env?.TEMPORAL_TASK_QUEUE ?? '?'}'? (campaign worker)`,
      ExitCode.unavailable,
    );
  }
  if (env && isConnectionError(err)) return unreachable(env);
  return err;
}

/** Submissions, excuses and extensions need a campaign that still runs. */
export function assertRunning(info: CampaignInfo, what: string): void {
  if (info.state === 'completed' || info.state === 'cancelled' || info.state === 'summarising') {
    throw new UserError(`campaign '${info.campaignId}' is ${info.state}: it takes no more ${what}`);
  }
}

// --- campaign plan and zone --------------------------------------------------------------------

/** The plan a campaign runs (from the plan store), or undefined when this machine's store lacks it. */
export async function runningPlan(ctx: CampaignContext, info: CampaignInfo): Promise<CompiledPlan | undefined> {
  try {
    return await ctx.plans.load(info.planRef);
  } catch (err) {
    if (err instanceof PlanNotFoundError) return undefined;
    throw err;
  }
}

/** The campaign's time zone: the plan's, else the fixed offset of its period start. */
export function zoneOf(info: CampaignInfo, plan?: CompiledPlan): string {
  if (plan) return plan.campaign.timezone;
  const m = /([+-]\d{2}):?(\d{2})$/.exec(info.periodStart);
  if (!m) return 'UTC';
  const sign = m[1]!.startsWith('-') ? '-' : '+';
  const h = Number(m[1]!.slice(1));
  const min = Number(m[2]);
  return min ? `UTC${sign}${h}:${String(min).padStart(2, '0')}` : `UTC${sign}${h}`;
}

export function languageOf(plan?: CompiledPlan): Language {
  return plan?.campaign.language ?? 'zh-CN';
}

// --- prompts and tables ------------------------------------------------------------------------

/**
 * Asks a yes/no question on the terminal. Without a terminal (a script, CI) nobody can answer:
 * unless --yes was given, the verb stops with exit 1 and tells how to proceed.
 */
export async function confirm(question: string, opts: { yes?: boolean; what: string }): Promise<boolean> {
  if (opts.yes) return true;
  if (!process.stdin.isTTY) throw new UserError(`${opts.what}: no terminal to confirm on; re-run with --yes`);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^(y|yes|是|好)$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/** Columns a character (code point) takes on a terminal: 2 for CJK and full-width forms, else 1. */
export function charWidth(c: number): number {
  return (c >= 0x1100 && c <= 0x115f) ||
    (c >= 0x2e80 && c <= 0xa4cf) ||
    (c >= 0xac00 && c <= 0xd7a3) ||
    (c >= 0xf900 && c <= 0xfaff) ||
    (c >= 0xfe30 && c <= 0xfe4f) ||
    (c >= 0xff00 && c <= 0xff60) ||
    (c >= 0xffe0 && c <= 0xffe6) ||
    (c >= 0x20000 && c <= 0x3fffd)
    ? 2
    : 1;
}

/** Columns a string takes on a terminal: CJK and full-width characters count two. */
export function displayWidth(s: string): number {
  // eslint-disable-next-line no-control-regex
  const plain = s.replace(/\x1b\[[0-9;]*m/g, '');
  let w = 0;
  for (const ch of plain) w += charWidth(ch.codePointAt(0)!);
  return w;
}

export function pad(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - displayWidth(s)));
}

/** A plain text table: header, a rule, rows; columns padded by display width. */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : pad(c, widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}
