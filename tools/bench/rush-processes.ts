/**
 * The processes of the rush benchmark (tools/bench/rush.ts), each as in production: the worker
 * (`campaign worker`) and the portal (`campaign portal`) in processes of their own next to the
 * Temporal dev server and the SMTP server, so the load generator in the benchmark's process shares
 * none of their event loops — and the CPU each of them used during the rush can be read from /proc,
 * which is what says what limits the rush on a 2-core machine. The other benchmarks read their
 * processes' CPU with the same helpers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../harness/tool-paths';

export interface CampaignProcess {
  name: string;
  child: ChildProcess;
  /** Lines it wrote to stderr that look like errors (the portal logs every unexpected failure). */
  errorLines: string[];
  stop(): Promise<void>;
}

/** Starts `campaign <verb>` with `env`, keeping the last error lines it prints. */
export function startCampaignProcess(name: string, verb: string, env: NodeJS.ProcessEnv): CampaignProcess {
  const child = spawn(process.execPath, [path.join(projectRoot, 'cli/campaign.mjs'), verb], { env, cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  const errorLines: string[] = [];
  let partial = '';
  const onData = (b: Buffer) => {
    const lines = (partial + b.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (/failed|error|exception/i.test(line) && !/^\s+at /.test(line) && errorLines.length < 200) errorLines.push(line.slice(0, 300));
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  return {
    name,
    child,
    errorLines,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Waits until `check` holds (polled every 250 ms), or throws after `timeoutMs`. */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const TICKS = 100; // USER_HZ on Linux

/** CPU seconds (user + system) a process has used so far, its threads included; undefined when it is gone or /proc is absent. */
export function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return undefined;
  }
}

/** This process's children (direct, any thread's) whose command line matches `pattern`, e.g. the SDK's test server. */
export function childPids(pattern: RegExp): number[] {
  const out: number[] = [];
  try {
    for (const task of readdirSync(`/proc/${process.pid}/task`)) {
      const children = readFileSync(`/proc/${process.pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
      for (const pid of children) {
        try {
          if (pattern.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '))) out.push(pid);
        } catch {
          // gone meanwhile
        }
      }
    }
  } catch {
    // no /proc
  }
  return out;
}

/** Busy and total CPU seconds of the whole machine so far (all cores), from /proc/stat. */
export function machineCpuSeconds(): { busy: number; total: number } | undefined {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = cpu.reduce((a, b) => a + b, 0);
    const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0);
    return { busy: (total - idle) / TICKS, total: total / TICKS };
  } catch {
    return undefined;
  }
}

/** CPU used by each named process, and by the machine, between two readings. */
export class CpuWindow {
  private readonly start: Map<string, number | undefined>;
  private readonly machineStart = machineCpuSeconds();
  private readonly t0 = performance.now();

  constructor(private readonly pids: Record<string, number | undefined>) {
    this.start = new Map(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]));
  }

  /** CPU seconds per process over the window, the window's length and the machine's busy share of all its cores. */
  read(): { seconds: number; byProcess: Record<string, number>; machineBusy?: number; cores: number } {
    const seconds = (performance.now() - this.t0) / 1000;
    const byProcess: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.pids)) {
      const a = this.start.get(name);
      const b = cpuSeconds(pid);
      if (a !== undefined && b !== undefined) byProcess[name] = Number((b - a).toFixed(2));
    }
    const m = machineCpuSeconds();
    const machineBusy = m && this.machineStart ? Number(((m.busy - this.machineStart.busy) / Math.max(1e-9, m.total - this.machineStart.total)).toFixed(3)) : undefined;
    return { seconds: Number(seconds.toFixed(1)), byProcess, ...(machineBusy !== undefined ? { machineBusy } : {}), cores: os.cpus().length };
  }
}
