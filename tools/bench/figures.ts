/** Percentiles of measured times, as the benchmarks report them (nearest rank). */

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export interface Spread {
  count: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** p50/p95/p99/max of a list of times (ms), rounded to the millisecond. */
export function spreadOf(ms: number[]): Spread {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (p: number) => Math.round(percentile(sorted, p));
  return { count: sorted.length, p50Ms: at(50), p95Ms: at(95), p99Ms: at(99), maxMs: Math.round(sorted.at(-1) ?? NaN) };
}
