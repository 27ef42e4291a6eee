/**
 * How long a call to Temporal may take, and how many may run and wait at once.
 *
 * A Temporal server that hangs (up, but not answering) used to hold a department's request for as
 * long as the browser waited: every call now has a deadline (the SDK's per-call deadline, set by
 * CampaignClient), short for reads, longer for the submit update, so the portal can answer with a
 * page that says what is known. The CLI uses the same client with longer deadlines.
 *
 * Under load the portal's calls queue here instead of piling onto Temporal: at most `concurrent`
 * run at once, at most `perWorkflow` against one workflow (a workflow answers its queries and
 * updates one activation at a time — 100 calls at once on one shard only waited there, and the
 * server gave up on queries "before a worker could process it"; Temporal also admits at most 10
 * updates in flight per workflow), and at most `waiting` wait, none longer than `maxWaitMs`.
 * Beyond that a call is refused at once with TooBusyError — before anything is sent, so the caller
 * can say plainly that nothing was recorded.
 */
import { isGrpcDeadlineError, isGrpcServiceError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';

/** Per-call deadlines, in milliseconds from the moment the call starts (after any wait in line). */
export interface CallDeadlines {
  /** Queries (campaign information, obligations, a receipt looked up again). */
  queryMs: number;
  /** The submit update (sent, accepted by the shard, answered with the receipt). */
  submitMs: number;
  /** The other updates: excuse, extend, amend. */
  updateMs: number;
  /** Signals and cancellation. */
  signalMs: number;
  /** Starting a campaign (the compiled plan travels with it). */
  startMs: number;
  /** Listing campaigns (visibility), all pages together. */
  listMs: number;
}

/** The CLI and the tools: a person waits at a terminal, and `campaign status` asks every shard. */
export const CLI_DEADLINES: CallDeadlines = { queryMs: 30_000, submitMs: 60_000, updateMs: 60_000, signalMs: 30_000, startMs: 60_000, listMs: 60_000 };

/**
 * The portal: a department at a browser. Reads answer in milliseconds when all is well; a submit
 * waits in the shard behind the others submitting at the same minute. The worst a request can
 * take — a wait in line, the page's reads, the submit, and looking the submission up again after
 * a failure — stays under a minute, the usual limit of a proxy in front of the portal.
 */
export const PORTAL_DEADLINES: CallDeadlines = { queryMs: 5_000, submitMs: 20_000, updateMs: 20_000, signalMs: 10_000, startMs: 30_000, listMs: 10_000 };

export interface CallLimits {
  /** Calls running at once, in all. */
  concurrent: number;
  /** Calls running at once against one workflow. */
  perWorkflow: number;
  /** Calls waiting for their turn; the next one is refused. */
  waiting: number;
  /** Longest a call waits for its turn before it is refused. */
  maxWaitMs: number;
}

export const PORTAL_CALL_LIMITS: CallLimits = { concurrent: 64, perWorkflow: 8, waiting: 2_000, maxWaitMs: 10_000 };

/** A call refused before it was sent: too many waiting, or waited too long. Nothing reached Temporal. */
export class TooBusyError extends Error {
  constructor(
    readonly reason: 'queue-full' | 'waited-too-long',
    /** When to try again, as the Retry-After header says it. */
    readonly retryAfterSeconds: number,
  ) {
    super(reason === 'queue-full' ? 'too many requests waiting for Temporal; nothing was sent' : 'waited too long for a turn to call Temporal; nothing was sent');
    this.name = 'TooBusyError';
  }
}

interface Waiter {
  key: string;
  start: () => void;
  timer: NodeJS.Timeout;
}

/** A waiting line in front of Temporal: bounded concurrency (in all and per workflow), bounded wait. */
export class CallLimiter {
  private running = 0;
  private readonly runningPer = new Map<string, number>();
  private readonly line: Waiter[] = [];

  constructor(readonly limits: CallLimits) {}

  /** Runs `fn` when there is room for one more call against `key` (a workflow id); refuses when the line is full or the wait too long. */
  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    // Those waiting are held by the limit in all or by their own workflow's: a call for another
    // workflow with room goes at once; one for the same workflow keeps its place behind them.
    if (this.hasRoom(key) && !this.line.some((w) => w.key === key)) return this.go(key, fn);
    if (this.line.length >= this.limits.waiting) return Promise.reject(new TooBusyError('queue-full', this.retryAfter()));
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        key,
        start: () => {
          clearTimeout(waiter.timer);
          this.go(key, fn).then(resolve, reject);
        },
        timer: setTimeout(() => {
          const i = this.line.indexOf(waiter);
          if (i >= 0) this.line.splice(i, 1);
          reject(new TooBusyError('waited-too-long', this.retryAfter()));
        }, this.limits.maxWaitMs),
      };
      this.line.push(waiter);
    });
  }

  /** Calls running and waiting now. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.line.length };
  }

  private retryAfter(): number {
    return Math.max(5, Math.ceil(this.limits.maxWaitMs / 1000));
  }

  private hasRoom(key: string): boolean {
    return this.running < this.limits.concurrent && (this.runningPer.get(key) ?? 0) < this.limits.perWorkflow;
  }

  private async go<T>(key: string, fn: () => Promise<T>): Promise<T> {
    this.running++;
    this.runningPer.set(key, (this.runningPer.get(key) ?? 0) + 1);
    try {
      return await fn();
    } finally {
      this.running--;
      const left = this.runningPer.get(key)! - 1;
      if (left > 0) this.runningPer.set(key, left);
      else this.runningPer.delete(key);
      this.next();
    }
  }

  /** Starts waiting calls in their order, skipping those whose workflow is at its limit. */
  private next(): void {
    for (let i = 0; i < this.line.length && this.running < this.limits.concurrent; ) {
      const w = this.line[i]!;
      if (!this.hasRoom(w.key)) {
        i++;
        continue;
      }
      this.line.splice(i, 1);
      w.start();
    }
  }
}

/**
 * What went wrong with a call, when it is Temporal being slow or out of reach rather than an answer:
 * `not-sent` — refused in line, nothing reached Temporal; `no-answer` — the deadline passed, the
 * server is unreachable or refused for load: whatever was sent may or may not have been applied.
 */
export type TemporalTrouble = 'not-sent' | 'no-answer';

const UNAVAILABLE = 14;
const RESOURCE_EXHAUSTED = 8;
const CANCELLED = 1;

export function temporalTrouble(err: unknown): TemporalTrouble | undefined {
  if (err instanceof TooBusyError) return 'not-sent';
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError || isGrpcDeadlineError(err)) return 'no-answer';
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (isGrpcServiceError(e) && [UNAVAILABLE, RESOURCE_EXHAUSTED, CANCELLED].includes(e.code)) return 'no-answer';
  }
  return undefined;
}
