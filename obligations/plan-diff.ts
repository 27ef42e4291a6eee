/**
 * What an amendment changes: the differences between the plan a campaign runs and a new one, in
 * the coordinator's terms (departments, deadlines, moved due dates, contacts, obligations).
 *
 * Occurrences are matched the way the shard workflows carry obligations over
 * (obligations/obligations.ts amendObligations): by deadline id and position, so an occurrence whose
 * date moved keeps its obligations and shows up here as "moved", not as removed + added.
 *
 * Pure: no clock, no I/O.
 */
import { DateTime } from 'luxon';
import type { CompiledPlan, Contact } from '../deadlines/timeline';

export interface NamedChange {
  id: string;
  name: string;
}

export interface MovedOccurrence {
  deadline: string;
  title: string;
  /** 0-based position of the occurrence in its deadline. */
  index: number;
  fromKey: string;
  toKey: string;
  /** Old and new due instants (ISO with offset). */
  from: string;
  to: string;
}

export interface ContactChange {
  department: string;
  name: string;
  /** Which list changed. */
  role: 'contacts' | 'leaders';
  before: string[];
  after: string[];
}

export interface DeadlineMembershipChange {
  deadline: string;
  title: string;
  added: string[];
  removed: string[];
}

export interface CampaignFieldChange {
  field: 'title' | 'timezone' | 'periodStart' | 'periodEnd' | 'endOfWorkday' | 'office';
  from: string;
  to: string;
}

export interface PlanDiff {
  campaign: CampaignFieldChange[];
  departments: { added: NamedChange[]; removed: NamedChange[] };
  deadlines: { added: NamedChange[]; removed: NamedChange[] };
  /** Occurrences of deadlines present in both plans whose due instant changed. */
  moved: MovedOccurrence[];
  /** Occurrences that appear or disappear within a deadline present in both plans (e.g. the period got longer). */
  occurrences: { added: Array<{ deadline: string; key: string; due: string }>; removed: Array<{ deadline: string; key: string; due: string }> };
  /** Departments added to or removed from a deadline that is in both plans (other than departments added/removed from the plan). */
  membership: DeadlineMembershipChange[];
  contacts: ContactChange[];
  obligations: { before: number; after: number; added: number; removed: number };
}

const emails = (list: readonly Contact[]) => list.map((c) => (c.name ? `${c.name} <${c.email}>` : c.email));
const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Obligation identities as the amendment carries them over: deadline, occurrence position, department. */
function obligationIds(plan: CompiledPlan): Set<string> {
  const out = new Set<string>();
  for (const d of plan.deadlines) {
    d.occurrences.forEach((_, i) => {
      for (const dept of d.departments) out.add(`${d.id}#${i}|${dept}`);
    });
  }
  return out;
}

export function diffPlans(oldPlan: CompiledPlan, newPlan: CompiledPlan): PlanDiff {
  const campaign: CampaignFieldChange[] = [];
  const oc = oldPlan.campaign;
  const nc = newPlan.campaign;
  for (const field of ['title', 'timezone', 'periodStart', 'periodEnd', 'endOfWorkday'] as const) {
    const a = oc[field];
    const b = nc[field];
    const same = field === 'periodStart' || field === 'periodEnd' ? Date.parse(a) === Date.parse(b) : a === b;
    if (!same) campaign.push({ field, from: a, to: b });
  }
  const officeBefore = `${oc.office.name}: ${emails(oc.office.contacts).join(', ')}`;
  const officeAfter = `${nc.office.name}: ${emails(nc.office.contacts).join(', ')}`;
  if (officeBefore !== officeAfter) campaign.push({ field: 'office', from: officeBefore, to: officeAfter });

  const oldDepts = new Map(oldPlan.departments.map((d) => [d.id, d]));
  const newDepts = new Map(newPlan.departments.map((d) => [d.id, d]));
  const departments = {
    added: newPlan.departments.filter((d) => !oldDepts.has(d.id)).map((d) => ({ id: d.id, name: d.name })),
    removed: oldPlan.departments.filter((d) => !newDepts.has(d.id)).map((d) => ({ id: d.id, name: d.name })),
  };

  const contacts: ContactChange[] = [];
  for (const d of newPlan.departments) {
    const before = oldDepts.get(d.id);
    if (!before) continue;
    for (const role of ['contacts', 'leaders'] as const) {
      const a = emails(before[role]);
      const b = emails(d[role]);
      if (!sameList(a, b)) contacts.push({ department: d.id, name: d.name, role, before: a, after: b });
    }
  }

  const oldDeadlines = new Map(oldPlan.deadlines.map((d) => [d.id, d]));
  const newDeadlines = new Map(newPlan.deadlines.map((d) => [d.id, d]));
  const deadlines = {
    added: newPlan.deadlines.filter((d) => !oldDeadlines.has(d.id)).map((d) => ({ id: d.id, name: d.title })),
    removed: oldPlan.deadlines.filter((d) => !newDeadlines.has(d.id)).map((d) => ({ id: d.id, name: d.title })),
  };

  const moved: MovedOccurrence[] = [];
  const occurrences: PlanDiff['occurrences'] = { added: [], removed: [] };
  const membership: DeadlineMembershipChange[] = [];
  for (const after of newPlan.deadlines) {
    const before = oldDeadlines.get(after.id);
    if (!before) continue;
    const n = Math.max(before.occurrences.length, after.occurrences.length);
    for (let i = 0; i < n; i++) {
      const a = before.occurrences[i];
      const b = after.occurrences[i];
      if (a && b) {
        if (Date.parse(a.due) !== Date.parse(b.due) || a.key !== b.key) {
          moved.push({ deadline: after.id, title: after.title, index: i, fromKey: a.key, toKey: b.key, from: a.due, to: b.due });
        }
      } else if (b) occurrences.added.push({ deadline: after.id, key: b.key, due: b.due });
      else if (a) occurrences.removed.push({ deadline: after.id, key: a.key, due: a.due });
    }
    const wasIn = new Set(before.departments);
    const isIn = new Set(after.departments);
    const added = after.departments.filter((d) => !wasIn.has(d) && oldDepts.has(d));
    const removed = before.departments.filter((d) => !isIn.has(d) && newDepts.has(d));
    if (added.length || removed.length) membership.push({ deadline: after.id, title: after.title, added, removed });
  }

  const oldIds = obligationIds(oldPlan);
  const newIds = obligationIds(newPlan);
  let added = 0;
  let removed = 0;
  for (const id of newIds) if (!oldIds.has(id)) added++;
  for (const id of oldIds) if (!newIds.has(id)) removed++;

  return {
    campaign,
    departments,
    deadlines,
    moved,
    occurrences,
    membership,
    contacts,
    obligations: { before: oldIds.size, after: newIds.size, added, removed },
  };
}

/** True when the new plan changes nothing a campaign would notice. */
export function isEmptyDiff(diff: PlanDiff): boolean {
  return (
    diff.campaign.length === 0 &&
    diff.departments.added.length === 0 &&
    diff.departments.removed.length === 0 &&
    diff.deadlines.added.length === 0 &&
    diff.deadlines.removed.length === 0 &&
    diff.moved.length === 0 &&
    diff.occurrences.added.length === 0 &&
    diff.occurrences.removed.length === 0 &&
    diff.membership.length === 0 &&
    diff.contacts.length === 0
  );
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** "2024-03-13 Wed 12:00" in the campaign zone (the instant as given when the zone is unknown). */
function when(iso: string, zone: string): string {
  const dt = DateTime.fromISO(iso, { setZone: true }).setZone(zone);
  if (!dt.isValid) return iso;
  return `${dt.toFormat('yyyy-MM-dd')} ${WEEKDAYS[dt.weekday - 1]} ${dt.toFormat('HH:mm')}`;
}

/** The diff for humans, one change per line, times in the campaign's zone. */
export function formatPlanDiff(diff: PlanDiff, zone: string): string {
  if (isEmptyDiff(diff)) return 'no changes: the new plan is the same as the running one\n';
  const lines: string[] = [];
  const named = (x: NamedChange) => (x.name && x.name !== x.id ? `${x.id} (${x.name})` : x.id);
  for (const c of diff.campaign) {
    const show = (v: string) => (c.field === 'periodStart' || c.field === 'periodEnd' ? when(v, zone) : v);
    lines.push(`~ campaign ${c.field}: ${show(c.from)} -> ${show(c.to)}`);
  }
  for (const d of diff.departments.added) lines.push(`+ department ${named(d)}`);
  for (const d of diff.departments.removed) lines.push(`- department ${named(d)} (its records are kept as history; no more messages)`);
  for (const d of diff.deadlines.added) lines.push(`+ deadline ${named(d)}`);
  for (const d of diff.deadlines.removed) lines.push(`- deadline ${named(d)}`);
  for (const m of diff.moved) {
    lines.push(`~ ${m.fromKey}${m.toKey !== m.fromKey ? ` (now ${m.toKey})` : ''}: due ${when(m.from, zone)} -> ${when(m.to, zone)}`);
  }
  for (const o of diff.occurrences.added) lines.push(`+ occurrence ${o.key}: due ${when(o.due, zone)}`);
  for (const o of diff.occurrences.removed) lines.push(`- occurrence ${o.key} (was due ${when(o.due, zone)})`);
  for (const m of diff.membership) {
    const parts = [...m.added.map((d) => `+${d}`), ...m.removed.map((d) => `-${d}`)];
    lines.push(`~ deadline ${m.deadline} (${m.title}) departments: ${parts.join(' ')}`);
  }
  for (const c of diff.contacts) {
    lines.push(`~ ${c.department} (${c.name}) ${c.role}: ${c.before.join(', ') || '(none)'} -> ${c.after.join(', ') || '(none)'}`);
  }
  const o = diff.obligations;
  lines.push(`obligations: ${o.before} -> ${o.after} (+${o.added} added, -${o.removed} removed)`);
  return `${lines.join('\n')}\n`;
}
