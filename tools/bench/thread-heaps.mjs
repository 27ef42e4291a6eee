/**
 * Preloaded into every thread of a benchmark process (`node --import <this file>`; worker threads
 * inherit the option) so that the benchmark can see the V8 heaps it cannot reach from its main
 * thread: the Temporal SDK runs the workflows in a worker thread of its own, with its own isolate,
 * and nothing in the SDK reports that isolate's memory. Each non-main thread answers on a
 * BroadcastChannel with v8.getHeapStatistics(), and on request writes a heap snapshot of itself
 * (tools/bench/memory.ts is the asking side). Plain JavaScript: it runs before any loader.
 */
import { BroadcastChannel, isMainThread, threadId } from 'node:worker_threads';
import v8 from 'node:v8';
import path from 'node:path';

export const CHANNEL = 'bench-thread-heaps';

if (!isMainThread) {
  const channel = new BroadcastChannel(CHANNEL);
  channel.unref();
  channel.onmessage = (event) => {
    const m = event.data;
    if (!m || typeof m !== 'object') return;
    if (m.op === 'stats') {
      channel.postMessage({ reply: m.id, threadId, heap: v8.getHeapStatistics() });
    } else if (m.op === 'snapshot') {
      const file = v8.writeHeapSnapshot(path.join(m.dir, `thread-${threadId}-${Date.now()}.heapsnapshot`));
      channel.postMessage({ reply: m.id, threadId, file });
    }
  };
}
