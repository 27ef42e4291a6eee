/**
 * Where a benchmark process's memory goes, as far as it can be told from inside: the resident set
 * (RSS) split by /proc/self/smaps into file-backed pages (the node binary, the Temporal core and
 * SQLite libraries), thread stacks and anonymous memory; the anonymous part split again into the
 * V8 heaps — the main thread's (activities, client, the benchmark's own bookkeeping) and every
 * worker thread's, among them the Temporal SDK's workflow thread (read through thread-heaps.mjs,
 * which the process must be started with) — and what remains: native allocations (the Temporal
 * core in Rust, SQLite's page cache, Node's buffers, malloc's free-but-kept pages).
 *
 * Sampled cheaply every 200 ms (RSS only) and fully every few seconds; the full sample nearest the
 * RSS peak is kept. Heap snapshots of every thread can be written on request.
 */
import { readFileSync } from 'node:fs';
import v8 from 'node:v8';
import { BroadcastChannel } from 'node:worker_threads';

/** thread-heaps.mjs's channel name (that file is plain JS, preloaded before any loader). */
const CHANNEL = 'bench-thread-heaps';

export interface ThreadHeap {
  threadId: number;
  /** V8's committed heap pages and the part in use; malloced: V8's own off-heap allocations (compiler, zones). */
  heapPhysical: number;
  heapUsed: number;
  external: number;
  malloced: number;
}

export interface MemoryBreakdown {
  atMs: number;
  rss: number;
  /** From /proc/self/smaps: resident pages backed by files (code, libraries), thread stacks, and anonymous (the rest). */
  fileBacked: number;
  stacks: number;
  anonymous: number;
  main: { heapPhysical: number; heapUsed: number; external: number; arrayBuffers: number; malloced: number };
  /** Every other thread's V8 heap (the SDK's workflow thread among them); empty when thread-heaps.mjs was not preloaded. */
  threads: ThreadHeap[];
  /** Anonymous memory that no V8 heap accounts for: the Rust core, SQLite, Node's native side, malloc's kept pages. */
  native: number;
  /** Of the native memory, glibc malloc's: its main heap (the main thread's allocations) and its per-thread arenas. */
  mallocMain?: number;
  mallocArenas?: number;
  /** Threads that did not answer in time (busy in a long activation): their last known heap is used. */
  staleThreads?: number;
}

/** glibc places each of its per-thread malloc arenas at an address aligned to its 64 MiB maximum heap size. */
const ARENA_ALIGN = 64 * 1024 * 1024;

/**
 * Resident memory by kind of mapping, from /proc/self/smaps (Linux): backed by files (code,
 * libraries, SQLite's shared-memory index), thread stacks, and anonymous — of which glibc malloc's
 * main heap (`[heap]`, the main thread's allocations) and its per-thread arenas (anonymous mappings
 * at 64 MiB-aligned addresses: the Temporal core's Rust threads, libuv's and V8's helper threads).
 */
function smaps(): { fileBacked: number; stacks: number; anonymous: number; mallocMain: number; mallocArenas: number } {
  const out = { fileBacked: 0, stacks: 0, anonymous: 0, mallocMain: 0, mallocArenas: 0 };
  let text: string;
  try {
    text = readFileSync('/proc/self/smaps', 'utf8');
  } catch {
    return out;
  }
  let kinds: Array<keyof typeof out> = ['anonymous'];
  for (const line of text.split('\n')) {
    const header = /^([0-9a-f]+)-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (header) {
      const name = header[2]!;
      if (name.startsWith('/')) kinds = ['fileBacked'];
      else if (name.startsWith('[stack')) kinds = ['stacks'];
      else if (name === '[heap]') kinds = ['anonymous', 'mallocMain'];
      else if (name === '' && Number(BigInt(`0x${header[1]}`) % BigInt(ARENA_ALIGN)) === 0) kinds = ['anonymous', 'mallocArenas'];
      else kinds = ['anonymous'];
      continue;
    }
    if (line.startsWith('Rss:')) for (const k of kinds) out[k] += Number(/(\d+)/.exec(line)![1]) * 1024;
  }
  return out;
}

let channel: BroadcastChannel | undefined;
let seq = 0;
const waiting = new Map<number, Array<Record<string, unknown>>>();

function ask(op: 'stats' | 'snapshot', extra: Record<string, unknown> = {}, waitMs = 1500): Promise<Array<Record<string, unknown>>> {
  if (!channel) {
    channel = new BroadcastChannel(CHANNEL);
    channel.unref();
    channel.onmessage = (event: unknown) => {
      const m = (event as { data: { reply?: number } }).data;
      if (m?.reply !== undefined) waiting.get(m.reply)?.push(m as Record<string, unknown>);
    };
  }
  const id = ++seq;
  waiting.set(id, []);
  channel.postMessage({ op, id, ...extra });
  return new Promise((resolve) =>
    setTimeout(() => {
      const replies = waiting.get(id) ?? [];
      waiting.delete(id);
      resolve(replies);
    }, waitMs).unref(),
  );
}

/** One full sample (takes up to `waitMs` for the other threads to answer). */
export async function memoryBreakdown(waitMs = 1500, known: Map<number, ThreadHeap> = new Map()): Promise<MemoryBreakdown> {
  const replies = await ask('stats', {}, waitMs);
  const m = process.memoryUsage();
  const h = v8.getHeapStatistics();
  const threads = replies.map((r) => {
    const heap = r.heap as v8.HeapInfo;
    return { threadId: r.threadId as number, heapPhysical: heap.total_physical_size, heapUsed: heap.used_heap_size, external: heap.external_memory, malloced: heap.malloced_memory };
  });
  for (const t of threads) known.set(t.threadId, t);
  const stale = [...known.values()].filter((t) => !threads.some((x) => x.threadId === t.threadId));
  threads.push(...stale);
  const maps = smaps();
  const v8Heaps = h.total_physical_size + threads.reduce((sum, t) => sum + t.heapPhysical, 0);
  return {
    atMs: performance.now(),
    rss: m.rss,
    ...maps,
    main: { heapPhysical: h.total_physical_size, heapUsed: h.used_heap_size, external: m.external, arrayBuffers: m.arrayBuffers, malloced: h.malloced_memory },
    threads,
    native: Math.max(0, maps.anonymous - v8Heaps),
    ...(stale.length ? { staleThreads: stale.length } : {}),
  };
}

/** Writes a heap snapshot of every worker thread into `dir` (and of the main thread when `main`); returns the files. */
export async function writeHeapSnapshots(dir: string, opts: { main?: boolean } = {}): Promise<string[]> {
  const files = (await ask('snapshot', { dir }, 120_000)).map((r) => r.file as string);
  if (opts.main) files.push(v8.writeHeapSnapshot(`${dir}/main-${Date.now()}.heapsnapshot`));
  return files;
}

export interface MemoryWatch {
  /** Peak RSS between two performance.now() instants (default: the whole watch). */
  peakRss(from?: number, to?: number): number;
  /** The full sample taken nearest the peak RSS (the largest RSS among the full samples). */
  atPeak(): MemoryBreakdown | undefined;
  /** The latest full sample. */
  last(): MemoryBreakdown | undefined;
  /** The largest value each part reached in any full sample. */
  largest(): { main: number; threads: number; native: number; mallocMain: number; mallocArenas: number; fileBacked: number };
  stop(): Promise<void>;
}

/** RSS every `everyMs`, a full breakdown every `fullEveryMs` (and one when the RSS rose 32 MiB above the last full one). */
export function watchMemory(opts: { everyMs?: number; fullEveryMs?: number } = {}): MemoryWatch {
  const rss: Array<[number, number]> = [];
  let peak: MemoryBreakdown | undefined;
  let latest: MemoryBreakdown | undefined;
  const largest = { main: 0, threads: 0, native: 0, mallocMain: 0, mallocArenas: 0, fileBacked: 0 };
  let lastFullAt = 0;
  let lastFullRss = 0;
  let busy: Promise<void> | undefined;
  const known = new Map<number, ThreadHeap>();
  const full = () =>
    (busy ??= memoryBreakdown(3000, known)
      .then((b) => {
        lastFullAt = performance.now();
        lastFullRss = b.rss;
        latest = b;
        if (!peak || b.rss > peak.rss) peak = b;
        largest.main = Math.max(largest.main, b.main.heapPhysical);
        largest.threads = Math.max(largest.threads, b.threads.reduce((s, t) => s + t.heapPhysical, 0));
        largest.native = Math.max(largest.native, b.native);
        largest.mallocMain = Math.max(largest.mallocMain, b.mallocMain ?? 0);
        largest.mallocArenas = Math.max(largest.mallocArenas, b.mallocArenas ?? 0);
        largest.fileBacked = Math.max(largest.fileBacked, b.fileBacked);
      })
      .finally(() => (busy = undefined)));
  const timer = setInterval(() => {
    const now = performance.now();
    const r = process.memoryUsage.rss();
    rss.push([now, r]);
    if (now - lastFullAt > (opts.fullEveryMs ?? 5_000) || r > lastFullRss + 32 * 1024 * 1024) void full();
  }, opts.everyMs ?? 200);
  void full();
  return {
    peakRss: (from = 0, to = Infinity) => rss.reduce((m, [t, r]) => (t >= from && t <= to ? Math.max(m, r) : m), 0),
    atPeak: () => peak,
    last: () => latest,
    largest: () => ({ ...largest }),
    async stop() {
      clearInterval(timer);
      await busy;
    },
  };
}

const mib = (b: number) => `${Math.round(b / 1048576)}`;

/** One line for a log: `rss 812 MiB = files 60 + stacks 1 + main heap 120 + threads 300 + native 330`. */
export function describeBreakdown(b: MemoryBreakdown): string {
  const threads = b.threads.reduce((s, t) => s + t.heapPhysical, 0);
  return `rss ${mib(b.rss)} MiB = files ${mib(b.fileBacked)} + stacks ${mib(b.stacks)} + main heap ${mib(b.main.heapPhysical)} (used ${mib(b.main.heapUsed)}) + other threads' heaps ${mib(threads)} (${b.threads.map((t) => `#${t.threadId} used ${mib(t.heapUsed)}`).join(', ') || 'not seen'}) + native ${mib(b.native)} (malloc: main heap ${mib(b.mallocMain ?? 0)}, thread arenas ${mib(b.mallocArenas ?? 0)})`;
}
