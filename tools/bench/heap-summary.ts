/**
 * What a V8 heap snapshot holds, summed up for BENCHMARKS.md's memory breakdown: the bytes of every
 * object by its constructor (or kind: strings, code, compiled JSON…), largest first, and the
 * retained size of the largest retainers (dominator tree, Lengauer–Tarjan simplified to the
 * iterative Cooper–Harvey–Kennedy algorithm, which is fast enough for a few million nodes).
 * Snapshots are written by the national rehearsal (`--snapshots <dir>`, memory.ts).
 *
 *   npx tsx tools/bench/heap-summary.ts file.heapsnapshot [--top 25]
 */
import { readFileSync } from 'node:fs';
import { numberArg } from './bench-main';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] }; node_count: number };
  nodes: number[];
  edges: number[];
  strings: string[];
}

export interface HeapSummary {
  totalBytes: number;
  nodes: number;
  /** Self size summed by constructor / kind. */
  byKind: Array<{ kind: string; count: number; bytes: number }>;
  /** Objects retaining the most (their own size and all they alone keep alive). */
  retainers: Array<{ kind: string; name: string; retained: number; path: string }>;
}

export function summariseHeapSnapshot(file: string, top = 25): HeapSummary {
  const snap = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const nf = snap.snapshot.meta.node_fields;
  const ef = snap.snapshot.meta.edge_fields;
  const nodeTypes = snap.snapshot.meta.node_types[0];
  const edgeTypes = snap.snapshot.meta.edge_types[0];
  const N = nf.length;
  const E = ef.length;
  const iType = nf.indexOf('type');
  const iName = nf.indexOf('name');
  const iSize = nf.indexOf('self_size');
  const iEdges = nf.indexOf('edge_count');
  const eType = ef.indexOf('type');
  const eName = ef.indexOf('name_or_index');
  const eTo = ef.indexOf('to_node');
  const { nodes, edges, strings } = snap;
  const count = nodes.length / N;

  const kindOf = (n: number) => {
    const type = nodeTypes[nodes[n * N + iType]!]!;
    return type === 'object' || type === 'closure' ? `${type === 'closure' ? 'closure ' : ''}${strings[nodes[n * N + iName]!]}` : `(${type})`;
  };
  const byKind = new Map<string, { count: number; bytes: number }>();
  let total = 0;
  const firstEdge = new Uint32Array(count + 1);
  for (let n = 0, e = 0; n < count; n++) {
    firstEdge[n] = e;
    e += nodes[n * N + iEdges]! * E;
    const size = nodes[n * N + iSize]!;
    total += size;
    const k = kindOf(n);
    const entry = byKind.get(k) ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += size;
    byKind.set(k, entry);
  }
  firstEdge[count] = edges.length;

  // Dominators over strong edges (weak edges retain nothing), from the root (node 0).
  const order = new Int32Array(count).fill(-1);
  const post: number[] = [];
  const preds: number[][] = Array.from({ length: count }, () => []);
  const weak = edgeTypes.indexOf('weak');
  const stack: Array<[number, number]> = [[0, firstEdge[0]!]];
  order[0] = -2;
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    const [n, e] = top;
    if (e < firstEdge[n + 1]!) {
      top[1] = e + E;
      if (edges[e + eType] === weak) continue;
      const to = edges[e + eTo]! / N;
      preds[to]!.push(n);
      if (order[to] === -1) {
        order[to] = -2;
        stack.push([to, firstEdge[to]!]);
      }
    } else {
      stack.pop();
      order[n] = post.length;
      post.push(n);
    }
  }
  const idom = new Int32Array(count).fill(-1);
  idom[0] = 0;
  const intersect = (a: number, b: number) => {
    while (a !== b) {
      while (order[a]! < order[b]!) a = idom[a]!;
      while (order[b]! < order[a]!) b = idom[b]!;
    }
    return a;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = post.length - 2; i >= 0; i--) {
      const n = post[i]!;
      let d = -1;
      for (const p of preds[n]!) if (idom[p] !== -1) d = d === -1 ? p : intersect(p, d);
      if (d !== -1 && idom[n] !== d) {
        idom[n] = d;
        changed = true;
      }
    }
  }
  const retained = new Float64Array(count);
  for (const n of post) retained[n] += nodes[n * N + iSize]!;
  for (const n of post) if (n !== 0 && idom[n]! >= 0 && idom[n] !== n) retained[idom[n]!] += retained[n]!;

  // How a node is reached: the edge names from its dominator chain.
  const edgeName = (from: number, to: number) => {
    for (let e = firstEdge[from]!; e < firstEdge[from + 1]!; e += E) {
      if (edges[e + eTo]! / N !== to) continue;
      const t = edgeTypes[edges[e + eType]!];
      return t === 'element' || t === 'hidden' ? `[${edges[e + eName]}]` : String(strings[edges[e + eName]!]);
    }
    return '?';
  };
  const pathOf = (n: number) => {
    const parts: string[] = [];
    for (let x = n, i = 0; x !== 0 && i < 8; x = idom[x]!, i++) parts.unshift(`${kindOf(idom[x]!)}.${edgeName(idom[x]!, x)}`);
    return parts.join(' → ');
  };
  // The largest retainers that are not just the root's synthetic groups, without listing a chain twice.
  const candidates = post.filter((n) => n !== 0 && !nodeTypes[nodes[n * N + iType]!]!.startsWith('synthetic')).sort((a, b) => retained[b]! - retained[a]!);
  const retainers: HeapSummary['retainers'] = [];
  const shown = new Set<number>();
  for (const n of candidates) {
    if (retainers.length >= top) break;
    // skip a node whose dominator is already shown with nearly the same size (the same chain)
    let dup = false;
    for (let x = idom[n]!, i = 0; x !== 0 && i < 6; x = idom[x]!, i++) if (shown.has(x) && retained[x]! < retained[n]! * 1.1) dup = true;
    if (dup) continue;
    shown.add(n);
    retainers.push({ kind: kindOf(n), name: String(strings[nodes[n * N + iName]!]).slice(0, 60), retained: retained[n]!, path: pathOf(n) });
  }
  return {
    totalBytes: total,
    nodes: count,
    byKind: [...byKind].map(([kind, v]) => ({ kind, ...v })).sort((a, b) => b.bytes - a.bytes).slice(0, top),
    retainers,
  };
}

const isMain = process.argv[1]?.endsWith('heap-summary.ts');
if (isMain) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: heap-summary.ts file.heapsnapshot [--top 25]');
  const s = summariseHeapSnapshot(file, numberArg('--top') ?? 25);
  const mib = (b: number) => `${(b / 1048576).toFixed(1)} MiB`;
  process.stdout.write(`${file}: ${mib(s.totalBytes)} in ${s.nodes.toLocaleString('en-US')} objects\n\nby kind (self size):\n`);
  for (const k of s.byKind) process.stdout.write(`  ${mib(k.bytes).padStart(10)}  ${String(k.count).padStart(8)}  ${k.kind.slice(0, 90)}\n`);
  process.stdout.write('\nlargest retainers (retained size):\n');
  for (const r of s.retainers) process.stdout.write(`  ${mib(r.retained).padStart(10)}  ${r.kind.slice(0, 40)} ${r.name === r.kind ? '' : r.name}\n              via ${r.path.slice(0, 300)}\n`);
}
