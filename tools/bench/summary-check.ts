/**
 * Checks a rehearsed campaign's final summary against its submission schedule: every obligation's
 * status, lateness and receive instant, and the 总计 of each statistics table.
 */
import type { CompiledPlan } from '../../deadlines/timeline';
import type { OccurrenceSummary } from '../../reports/summary';
import type { BlobStore } from '../../store/blob-store';
import { statsValues } from './generate-plan';
import { HOUR, type Schedule } from './submission-schedule';

/**
 * Compares every obligation's final state, as written in the final summary (JSON blob), with the
 * schedule: status, lateness, the campaign instant it was received (at its submission point, give
 * or take the wall time the point took) and the 总计 of the statistics table. Reading the summary
 * instead of querying the shards avoids replaying every closed shard once more.
 */
export async function checkSummary(blobs: BlobStore, ref: string, plan: CompiledPlan, schedule: Schedule): Promise<{ mismatches: string[]; checked: number; tables: number }> {
  const summary = JSON.parse((await blobs.get(ref)).toString('utf8')) as { tables: OccurrenceSummary[] };
  const mismatches: string[] = [];
  const note = (m: string) => mismatches.length < 20 && mismatches.push(m);
  const deptIndex = new Map(plan.departments.map((d, i) => [d.id, i]));
  const weekly = new Map(plan.deadlines.flatMap((d) => d.occurrences.map((o, k) => [o.key, k] as const)));
  let checked = 0;
  const seen = new Set<string>();
  for (const t of summary.tables) {
    const sums: Record<string, number> = {};
    for (const row of t.rows) {
      const key = `${t.occurrence}|${row.department}`;
      seen.add(key);
      checked++;
      const want = schedule.expected.get(key);
      const at = schedule.submittedAt.get(key);
      if (row.status !== want || row.late !== (want === 'late')) note(`${key}: ${row.status}${row.late ? ' (late)' : ''}, expected ${want}`);
      if (at !== undefined) {
        const got = Date.parse(row.submittedAt ?? '');
        if (!(got >= at && got < at + HOUR)) note(`${key}: received at ${row.submittedAt}, submitted at ${new Date(at).toISOString()}`);
        if (t.form) {
          const v = statsValues(deptIndex.get(row.department) ?? 0, weekly.get(t.occurrence) ?? 0);
          for (const [c, x] of Object.entries(v)) if (typeof x === 'number') sums[c] = (sums[c] ?? 0) + x;
        }
      } else if (row.submittedAt) note(`${key}: received at ${row.submittedAt}, never submitted`);
    }
    if (t.form) {
      for (const [c, x] of Object.entries(sums)) {
        if (Math.abs(Number(t.totals?.[c]) - x) > 1e-6) note(`${t.occurrence}: 总计 ${c} = ${t.totals?.[c]}, expected ${x}`);
      }
    }
    const missing = t.rows.filter((r) => schedule.expected.get(`${t.occurrence}|${r.department}`) === 'pending').map((r) => r.department);
    if (t.missing.join() !== missing.join()) note(`${t.occurrence}: missing ${t.missing.length} departments, expected ${missing.length}`);
  }
  for (const key of schedule.expected.keys()) if (!seen.has(key)) note(`${key}: not in the final summary`);
  return { mismatches, checked, tables: summary.tables.length };
}
