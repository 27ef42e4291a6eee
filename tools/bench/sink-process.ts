/**
 * test/support/smtp-sink.ts (smtp-server + postal-mime on 127.0.0.1) in a child process, for the
 * benchmarks: parsing tens of thousands of messages then neither competes with the worker's event
 * loop nor counts in its memory. The child keeps per message only its kind and receive time.
 * This file is both the parent's handle (startSinkProcess) and the child's program.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { kindOfKey } from './message-counts';

export interface SinkProcess {
  /** The child's process id (its CPU time is read from /proc by the rush benchmark). */
  pid?: number;
  env(extra?: Record<string, string>): Record<string, string>;
  /** Messages accepted so far, by kind, and how many distinct Message-IDs among them. */
  counts(): Promise<{ total: number; byKind: Record<string, number>; distinctMessageIds: number }>;
  /** Receive time (epoch ms) of every message accepted so far, by X-Campaign-Key. */
  receiveTimes(): Promise<Array<{ key: string; at: number }>>;
  /** Forget everything received so far. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

const SINK_FLAG = '--smtp-sink-child';

/**
 * test/support/smtp-sink.ts (smtp-server + postal-mime on 127.0.0.1) in a child process, so that
 * parsing tens of thousands of messages neither competes with the worker's event loop nor counts in
 * its memory. Keeps per message only its kind and receive time.
 */
export async function startSinkProcess(): Promise<SinkProcess> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [SINK_FLAG], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let seq = 0;
  const waiting = new Map<number, (v: unknown) => void>();
  child.on('message', (m: { id?: number; value?: unknown }) => {
    if (m.id !== undefined) {
      waiting.get(m.id)?.(m.value);
      waiting.delete(m.id);
    }
  });
  const call = <T>(op: string): Promise<T> =>
    new Promise((resolve) => {
      const id = ++seq;
      waiting.set(id, resolve as (v: unknown) => void);
      child.send({ id, op });
    });
  const env = await new Promise<Record<string, string>>((resolve, reject) => {
    child.once('message', (m: { ready?: Record<string, string> }) => (m.ready ? resolve(m.ready) : reject(new Error('sink child: unexpected first message'))));
    child.once('exit', (code) => reject(new Error(`sink child exited with ${code}`)));
  });
  return {
    pid: child.pid,
    env: (extra = {}) => ({ ...env, ...extra }),
    counts: () => call('counts'),
    receiveTimes: () => call('times'),
    reset: () => call('reset'),
    async stop() {
      await call('stop').catch(() => undefined);
      child.disconnect();
      await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
    },
  };
}

async function sinkChildMain(): Promise<void> {
  const { startSmtpSink } = await import('../../test/support/smtp-sink');
  const byKind: Record<string, number> = {};
  let total = 0;
  let times: Array<{ key: string; at: number }> = [];
  const ids = new Set<string>();
  const sink = await startSmtpSink({
    onReceived: (msg) => {
      const key = msg.headers['x-campaign-key'] ?? '';
      const kind = kindOfKey(key);
      byKind[kind] = (byKind[kind] ?? 0) + 1;
      total++;
      times.push({ key, at: msg.receivedAt.getTime() });
      if (msg.messageId) ids.add(msg.messageId);
    },
  });
  // Keep nothing but the tallies: drop the parsed messages as they come.
  const trim = setInterval(() => sink.reset(), 1000);
  process.on('message', (m: { id: number; op: string }) => {
    const reply = (value: unknown) => process.send!({ id: m.id, value });
    switch (m.op) {
      case 'counts':
        return reply({ total, byKind: { ...byKind }, distinctMessageIds: ids.size });
      case 'times':
        return reply(times);
      case 'reset':
        total = 0;
        times = [];
        ids.clear();
        for (const k of Object.keys(byKind)) delete byKind[k];
        return reply(true);
      case 'stop':
        clearInterval(trim);
        void sink.stop().then(() => {
          reply(true);
          process.disconnect?.();
        });
        return;
    }
  });
  process.on('disconnect', () => {
    clearInterval(trim);
    void sink.stop().finally(() => process.exit(0));
  });
  process.send!({ ready: sink.env() });
}

const isMain = !!process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href;
if (isMain && process.argv.includes(SINK_FLAG)) void sinkChildMain();
