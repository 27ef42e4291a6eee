/**
 * The `campaign` command as a child process (`node cli/campaign.mjs …`), the way the dev-server and
 * fault suites run it: every verb its own process, the worker and the portal too, with an
 * environment the test builds and nothing inherited that could point elsewhere.
 */
import { spawn, type ChildProcess, type ChildProcessByStdio } from 'node:child_process';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = path.join(ROOT, 'cli', 'campaign.mjs');

/** A finished `campaign` command. */
export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment of every child: ours only (no TEMPORAL_, SMTP_, MAIL_… variable inherited), plus `extra`. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(TEMPORAL_|SMTP_|MAIL_|CAMPAIGN_|PORTAL_|WORKER_)/.test(k)) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

/**
 * Starts `campaign <args>` with its stdout and stderr piped. stdin is not a terminal: verbs that ask
 * for confirmation must be given --yes.
 */
export function spawnCampaign(args: string[], env: NodeJS.ProcessEnv): ChildProcessByStdio<null, Readable, Readable> {
  return spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Runs `campaign <args>` to its end and returns its exit code and output; rejects (after a SIGKILL)
 * when it takes longer than `timeoutMs`. `running`, when given, holds the process while it runs
 * (for a teardown that must not leave one behind).
 */
export function runCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000, running?: Set<ChildProcess>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawnCampaign(args, env);
    running?.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`campaign ${args.join(' ')} did not finish within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      running?.delete(child);
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
