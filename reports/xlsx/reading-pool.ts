/**
 * Reading an uploaded template off the portal's event loop. exceljs reads a workbook synchronously
 * in long stretches: on the portal's own thread one heavy or hostile file froze every other request
 * for seconds (a 9 KB file with a forged data row: 8 s and +1.2 GB). Here each file is read on a
 * worker thread (reading-thread.mjs) from a small pool:
 *
 * - a bounded number of threads (one on a 2-core machine, at most two: the portal keeps a core);
 * - a bounded queue: when it is full the upload is refused with "busy, try again" rather than held
 *   (each waiting file holds its bytes in memory);
 * - a hard time limit per file, counted from when a thread takes it: then the thread is terminated
 *   and the upload refused; a replacement starts only once the old thread is gone;
 * - a heap cap per thread: a file that needs more ends its thread, not the portal, and is refused.
 *
 * Before a file is queued, the portal's thread checks the ZIP's central directory only (cheap), so
 * what is plainly not a template is refused without waiting for a thread.
 *
 * Threads start on first use, stay while uploads come, and stop after a while idle; an idle thread
 * does not keep the process alive (the demo and the CLI exit as before).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { CompiledForm } from '../../deadlines/timeline';
import { checkZipDirectory } from '../zip-guard';
import { UNREADABLE, type ParseResult, type ReadExpectation, type ReadLimits } from './read-filled';

export interface ReadingPoolOptions {
  /** Threads reading at once (default: the cores less one for the portal, between 1 and 2). */
  threads?: number;
  /** Files waiting for a thread before the next is turned away (default 8). */
  queue?: number;
  /** Longest one file may take once a thread has it (default 10 s: the largest file the size limits let through takes 2-3 s on a busy 2-core machine). */
  timeLimitMs?: number;
  /** Heap of one thread (default 256 MB: the largest file the size limits let through needs about 100 MB). */
  heapMb?: number;
  /** A thread idle this long is stopped (default 5 minutes). */
  idleMs?: number;
  /** Longest a thread may take to start (load tsx, the reader and exceljs; default 60 s). */
  startupMs?: number;
}

const DEFAULTS: Required<ReadingPoolOptions> = {
  threads: Math.min(2, Math.max(1, availableParallelism() - 1)),
  queue: 8,
  timeLimitMs: 10_000,
  heapMb: 256,
  idleMs: 5 * 60_000,
  startupMs: 60_000,
};

export const BUSY = '系统正在读取其他单位上传的模板，请稍等一两分钟后重新上传';
export const TOO_COMPLEX = '文件内容过于复杂，读取时超出了内存限制，不像是填好的统计表，请使用下载的模板重新填写后上传';

export function timedOut(ms: number): string {
  return `文件读取超时（超过${Math.round(ms / 100) / 10}秒），不像是填好的统计表，请使用下载的模板重新填写后上传`;
}

/** The reading thread could not start, or the reader's own code failed: a fault of the server, not of the file. */
export class TemplateReaderError extends Error {
  override name = 'TemplateReaderError';
}

interface Job {
  buffer: Buffer;
  form: CompiledForm;
  limits?: ReadLimits;
  expect?: ReadExpectation;
  resolve: (r: ParseResult) => void;
  reject: (e: Error) => void;
}

interface ReadingThread {
  worker: Worker;
  ready: boolean;
  /** Terminated or exited: no longer given files, still counted until it has exited. */
  ending: boolean;
  job?: Job;
  timer?: NodeJS.Timeout;
}

type FromThread = { type: 'ready' } | { type: 'done'; result: ParseResult } | { type: 'failed'; error: string };

const ENTRY = new URL('./reading-thread.mjs', import.meta.url);

function refusal(message: string): ParseResult {
  return { ok: false, problems: [{ message }] };
}

export class TemplateReadingPool {
  private readonly opts: Required<ReadingPoolOptions>;
  private readonly threads = new Set<ReadingThread>();
  private readonly waiting: Job[] = [];
  private closed = false;

  constructor(options: ReadingPoolOptions = {}) {
    this.opts = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
  }

  /** Reads a file on a thread; refuses it when the queue is full, it takes too long or needs too much memory. */
  read(buffer: Buffer, form: CompiledForm, limits?: ReadLimits, expect?: ReadExpectation): Promise<ParseResult> {
    if (this.closed) return Promise.reject(new TemplateReaderError('the template reading pool is closed'));
    if (this.waiting.length >= this.opts.queue) return Promise.resolve(refusal(BUSY));
    return new Promise<ParseResult>((resolve, reject) => {
      this.waiting.push({ buffer, form, limits, expect, resolve, reject });
      this.pump();
    });
  }

  /** Files being read or waiting (for tests and health pages). */
  get load(): { reading: number; waiting: number; threads: number } {
    return { reading: [...this.threads].filter((t) => t.job).length, waiting: this.waiting.length, threads: this.threads.size };
  }

  /** Stops every thread; files waiting or being read are failed. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.waiting.splice(0)) job.reject(new TemplateReaderError('the template reading pool was closed'));
    await Promise.all([...this.threads].map((t) => this.end(t, () => t.job?.reject(new TemplateReaderError('the template reading pool was closed')))));
  }

  private pump(): void {
    for (const t of this.threads) {
      if (!this.waiting.length) break;
      if (t.ready && !t.ending && !t.job) this.give(t, this.waiting.shift()!);
    }
    const starting = [...this.threads].filter((t) => !t.ready && !t.ending).length;
    let wanted = Math.min(this.waiting.length - starting, this.opts.threads - this.threads.size);
    while (wanted-- > 0) this.start();
  }

  private give(t: ReadingThread, job: Job): void {
    clearTimeout(t.timer);
    t.job = job;
    t.worker.ref();
    t.timer = setTimeout(() => void this.end(t, () => job.resolve(refusal(timedOut(this.opts.timeLimitMs)))), this.opts.timeLimitMs);
    t.worker.postMessage({ buffer: job.buffer, form: job.form, limits: job.limits, expect: job.expect });
  }

  private settle(t: ReadingThread): void {
    clearTimeout(t.timer);
    t.job = undefined;
    if (this.waiting.length) return this.pump();
    t.worker.unref();
    t.timer = setTimeout(() => void this.end(t), this.opts.idleMs);
    t.timer.unref();
  }

  private start(): void {
    const worker = new Worker(ENTRY, { execArgv: [], resourceLimits: { maxOldGenerationSizeMb: this.opts.heapMb } });
    const t: ReadingThread = { worker, ready: false, ending: false };
    this.threads.add(t);
    t.timer = setTimeout(() => void this.end(t, () => this.failWaiting(new TemplateReaderError(`the template reading thread did not start within ${this.opts.startupMs} ms`))), this.opts.startupMs);
    worker.on('message', (m: FromThread) => {
      if (t.ending) return;
      if (m.type === 'ready') {
        t.ready = true;
        this.settle(t);
      } else if (t.job) {
        const job = t.job;
        if (m.type === 'done') job.resolve(m.result);
        else job.reject(new TemplateReaderError(`reading an uploaded template failed: ${m.error}`));
        this.settle(t);
      }
    });
    worker.on('error', (err: Error & { code?: string }) => {
      if (t.ending) return;
      t.ending = true;
      clearTimeout(t.timer);
      if (t.job) t.job.resolve(refusal(err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? TOO_COMPLEX : UNREADABLE));
      else if (!t.ready) this.failWaiting(new TemplateReaderError(`the template reading thread did not start: ${err.stack ?? err.message}`));
      t.job = undefined;
    });
    worker.on('exit', (code) => {
      clearTimeout(t.timer);
      this.threads.delete(t);
      if (!t.ending) {
        // Exited on its own: a file it held was not read; a thread that never started fails the queue.
        t.ending = true;
        if (t.job) t.job.resolve(refusal(UNREADABLE));
        else if (!t.ready) this.failWaiting(new TemplateReaderError(`the template reading thread exited with code ${code} before it started`));
        t.job = undefined;
      }
      if (!this.closed) this.pump();
    });
  }

  /** Terminates a thread, answering its file (or the queue) with `answer` first. */
  private async end(t: ReadingThread, answer?: () => void): Promise<void> {
    if (t.ending) return;
    t.ending = true;
    clearTimeout(t.timer);
    answer?.();
    t.job = undefined;
    await t.worker.terminate();
  }

  private failWaiting(err: Error): void {
    for (const job of this.waiting.splice(0)) job.reject(err);
  }
}

let shared: TemplateReadingPool | undefined;

/**
 * Reads a filled template uploaded for `form` (raw values; the caller checks them with
 * checkFormValues). Refuses, with a reason for the department, what is not this form's template,
 * is too large, takes too long or arrives while too many files wait.
 */
export async function parseFilledTemplate(buffer: Buffer, form: CompiledForm, limits?: ReadLimits, expect?: ReadExpectation): Promise<ParseResult> {
  const directory = checkZipDirectory(buffer, limits);
  if (!directory.ok) return refusal(directory.message);
  shared ??= new TemplateReadingPool();
  return shared.read(buffer, form, limits, expect);
}
