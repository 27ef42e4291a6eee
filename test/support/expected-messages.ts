/**
 * The test oracle: which messages a campaign must send, when and to whom, computed directly from
 * the compiled timeline (whose instants are pinned against the notices in test/unit/seeds.test.ts)
 * and a script of when each obligation is submitted — written plainly, apart from the engine.
 */
import { DateTime } from 'luxon';
import type { CompiledPlan, Contact } from '../../deadlines/timeline';

/** obligation `${occurrenceKey}|${department}` -> submission instant (ms); absent = never. */
export type SubmissionScript = Map<string, number>;

const WEEK = 7 * 86_400_000;

function addresses(list: Contact[]): string {
  return [...new Set(list.map((c) => c.email.toLowerCase()))].sort().join(',');
}

/** Rows in the format of test/support/engine-env.ts messageRows. */
export function expectedRows(plan: CompiledPlan, script: SubmissionScript): string[] {
  const zone = plan.campaign.timezone;
  const fmt = (ms: number) => DateTime.fromMillis(ms, { zone }).toFormat('MM-dd HH:mm');
  const office = plan.campaign.office.contacts;
  const depts = new Map(plan.departments.map((d) => [d.id, d]));
  const rows: string[] = [];
  const row = (ms: number, label: string, key: string, to: Contact[], cc: Contact[] = []) => {
    const ccs = addresses(cc.filter((c) => !to.some((t) => t.email.toLowerCase() === c.email.toLowerCase())));
    rows.push(`${fmt(ms)} ${label} ${key} to:${addresses(to)}${ccs ? ` cc:${ccs}` : ''}`);
  };
  const periodStart = Date.parse(plan.campaign.periodStart);
  const periodEnd = Date.parse(plan.campaign.periodEnd);

  for (const d of plan.departments) row(periodStart, 'launch', `launch/${d.id}`, d.contacts);

  const digests = new Map<number, Set<string>>();
  for (const deadline of plan.deadlines) {
    for (const occ of deadline.occurrences) {
      const due = Date.parse(occ.due);
      for (const deptId of deadline.departments) {
        const dept = depts.get(deptId)!;
        const submitted = script.get(`${occ.key}|${deptId}`);
        const before = (ms: number) => submitted === undefined || ms < submitted;
        if (submitted !== undefined) row(submitted, 'receipt', `${occ.key}/${deptId}`, dept.contacts);
        if (deadline.kind === 'open') continue;
        for (const r of occ.reminders) if (before(Date.parse(r.at))) row(Date.parse(r.at), `reminder-${r.before}`, `${occ.key}/${deptId}`, dept.contacts);
        for (const e of occ.escalations) {
          if (e.to[0] === 'coordinator' || !before(Date.parse(e.at))) continue;
          const lists = e.to.map((a) => (a === 'department' ? dept.contacts : a === 'leaders' ? dept.leaders : office));
          const first = lists.findIndex((l) => l.length > 0);
          row(Date.parse(e.at), `escalation-${e.step}`, `${occ.key}/${deptId}`, lists[first]!, lists.filter((_, i) => i !== first).flat());
        }
      }
      if (deadline.kind === 'open') continue;
      row(due, 'rollup', occ.key, office);
      for (const e of occ.escalations) {
        if (e.to[0] !== 'coordinator') continue;
        const at = Date.parse(e.at);
        const late = deadline.departments.filter((dept) => {
          const s = script.get(`${occ.key}|${dept}`);
          return due < at && (s === undefined || s > at);
        });
        if (late.length) digests.set(at, new Set([...(digests.get(at) ?? []), ...late]));
      }
    }
  }
  for (const at of digests.keys()) row(at, 'coordinator-digest', 'coordinator-digest', office);
  for (let k = 1; periodStart + k * WEEK + 9 * 3_600_000 < periodEnd; k++) row(periodStart + k * WEEK + 9 * 3_600_000, 'weekly-digest', 'weekly-digest', office);
  // The summary goes out right after the last millisecond of the period.
  row(periodEnd + 1, 'final-summary', 'final-summary', office);
  return rows.sort();
}
