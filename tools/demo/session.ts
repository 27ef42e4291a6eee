/**
 * The demo process's life: its terminal (event lines, the status line), the stack it started, and
 * how it ends — a normal end, a failure, or Ctrl-C (a first one stops gracefully, a second one at
 * once) — always stopping everything it started. Also its two ways of waiting: asking the user a
 * question, and retrying a call the freshly started stack may not answer yet.
 */
import { createInterface } from 'node:readline/promises';
import type { Stack } from '../harness/stack';
import { Display } from './display';

/** What every part of the demo shares while it runs. */
export const session = {
  display: new Display(),
  stack: undefined as Stack | undefined,
  exiting: false,
  /** What Ctrl-C should say about continuing later (set once a campaign runs). */
  resumeHint: undefined as string | undefined,
  /** The campaign completed and its summary was printed. */
  finished: false,
  timers: [] as NodeJS.Timeout[],
};

export const say = (line = '') => session.display.line(line);

export async function shutdown(code: number, why?: string): Promise<never> {
  if (!session.exiting) {
    session.exiting = true;
    // A call the client retries after its connection closed throws from a timer: nothing to report.
    process.on('uncaughtException', (err) => {
      if (!/Channel has been shut down|aborted/i.test(String((err as Error)?.message))) process.stderr.write(`demo: ${(err as Error)?.stack ?? String(err)}\n`);
    });
    for (const t of session.timers) clearInterval(t);
    session.display.clearStatus();
    if (why) say(why);
    say('stopping: portal, worker, demo inbox, Temporal dev server…');
    await session.stack?.stop();
    say('stopped.');
    if (session.resumeHint && code !== 0) say(session.resumeHint);
    process.exit(code);
  }
  return new Promise<never>(() => undefined);
}

let firstSignalAt = 0;

export function onSignal() {
  // npm and tsx pass a terminal's Ctrl-C on to this process too: the same Ctrl-C can arrive two or
  // three times within a moment. Only a second Ctrl-C a while later means "stop now".
  if (session.exiting && Date.now() - firstSignalAt < 2000) return;
  firstSignalAt ||= Date.now();
  if (session.exiting) {
    // A second Ctrl-C: do not wait for a graceful stop.
    for (const child of [session.stack?.worker, session.stack?.server?.process]) if (child && child.exitCode === null) child.kill('SIGKILL');
    process.exit(130);
  }
  // After the end (--keep), Ctrl-C is the normal way out.
  void (session.finished ? shutdown(0) : shutdown(130, '\ninterrupted.'));
}

export async function ask(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return (await rl.question(question)).trim().toLowerCase();
  } finally {
    rl.close();
  }
}

export async function retry<T>(what: string, fn: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline || session.exiting) throw new Error(`${what}: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}
