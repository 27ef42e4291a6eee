/**
 * Property-style tests: random valid plans from a small seeded generator (reproducible: the seed is
 * in the test name), checked for the timeline's invariants.
 */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../deadlines/diagnostics';
import { loadPlanText } from '../../deadlines/load';
import type { CompiledPlan } from '../../deadlines/timeline';
import { planYaml } from './plan-fixtures';

/** mulberry32: a tiny deterministic PRNG. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)],
    chance: (p: number) => next() < p,
    subset: <T>(xs: readonly T[]): T[] => xs.filter(() => next() < 0.5),
  };
}

const ZONES = ['Asia/Shanghai', 'America/New_York', 'Europe/London', 'Australia/Sydney', 'UTC'] as const;
const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
const RULES = ['keep', 'previous_working_day', 'next_working_day'] as const;

interface Generated {
  text: string;
  zone: string;
  /** Deadline id → expected ISO weekday and local time for weekly ones. */
  weekly: Map<string, { weekday: number; time: string }>;
}

function generate(seed: number): Generated {
  const r = rng(seed);
  const zone = r.pick(ZONES);
  const start = DateTime.fromObject({ year: r.int(2022, 2025), month: r.int(1, 12), day: r.int(1, 28) });
  const length = r.int(40, 120);
  const end = start.plus({ days: length });
  const time = () => `${String(r.int(6, 22)).padStart(2, '0')}:${r.pick(['00', '15', '30', '45'])}`;
  const weekly = new Map<string, { weekday: number; time: string }>();
  const deadlines: string[] = [];
  const n = r.int(1, 5);
  for (let i = 0; i < n; i++) {
    const id = `d${i}`;
    const kind = r.pick(['date', 'relative', 'weekly', 'half_monthly', 'every_working_days', 'open'] as const);
    const t = time();
    let schedule: string;
    const safeDate = start.plus({ days: r.int(20, length - 15) }).toISODate();
    switch (kind) {
      case 'date':
        schedule = r.chance(0.5) ? `{ date: ${safeDate}, time: "${t}" }` : `{ date: ${safeDate} }`;
        break;
      case 'relative':
        schedule = `{ relative_to: period_start, days: ${r.int(20, length - 15)}, time: "${t}" }`;
        break;
      case 'weekly': {
        const wd = r.int(1, 7);
        schedule = `{ weekly: ${WEEKDAYS[wd - 1]}, time: "${t}" }`;
        if (r.chance(0.3)) {
          schedule = `{ weekly: ${WEEKDAYS[wd - 1]}, time: "${t}", starting: ${start.plus({ days: r.int(0, 14) }).toISODate()} }`;
        }
        weekly.set(id, { weekday: wd, time: t });
        break;
      }
      case 'half_monthly':
        schedule = `{ half_monthly: true, time: "${t}" }`;
        break;
      case 'every_working_days':
        schedule = `{ every_working_days: ${r.int(1, 10)}, time: "${t}" }`;
        break;
      case 'open':
        schedule = '{ open: true }';
        break;
    }
    const lines = [`  - id: ${id}`, `    title: 任务${i}`, `    from: [${r.pick(['cities', 'north', 'taiyuan', 'north, taiyuan'])}]`, `    schedule: ${schedule}`];
    if (kind !== 'open') {
      const rule = r.pick(RULES);
      // A weekly deadline keeps its weekday only when occurrences are kept in place.
      lines.push(`    on_non_working_day: ${weekly.has(id) ? 'keep' : rule}`);
      if (r.chance(0.7)) lines.push(`    reminders: [${r.subset(['3d', '1d', '2h', '30m', '1wd', '2wd']).join(', ')}]`);
      if (r.chance(0.7)) {
        const rungs = ['      - { after: 0h, to: [department] }'];
        if (r.chance(0.5)) rungs.push(`      - { after: ${r.pick(['2h', '1wd', '1d'])}, to: [coordinator] }`);
        if (r.chance(0.7)) rungs.push(`      - { every: ${r.pick(['1d', '1wd', '12h', '3d'])}, to: [department, leaders] }`);
        lines.push('    escalation:', ...rungs);
      }
    }
    deadlines.push(lines.join('\n'));
  }
  const text = planYaml({ timezone: zone, start: start.toISODate()!, end: end.toISODate()!, deadlines: deadlines.join('\n') });
  return { text, zone, weekly };
}

/** What the generated plans exercised, checked at the end. */
const seen = { kinds: new Set<string>(), zones: new Set<string>(), moved: 0, kept: 0, reminders: 0, escalations: 0, offsets: new Set<string>() };

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2}$/;

function checkInvariants(plan: CompiledPlan, g: Generated): void {
  const periodStart = DateTime.fromISO(plan.campaign.periodStart);
  const periodEnd = DateTime.fromISO(plan.campaign.periodEnd);
  const inZone = (iso: string) => {
    expect(iso).toMatch(ISO);
    const dt = DateTime.fromISO(iso, { zone: g.zone });
    // The written offset is the zone's offset at that instant.
    expect(dt.toFormat("yyyy-MM-dd'T'HH:mm:ss.SSSZZ")).toBe(iso);
    return dt;
  };
  const keys = new Set<string>();
  for (const d of plan.deadlines) {
    expect(d.departments.length).toBeGreaterThan(0);
    let previousDue: DateTime | undefined;
    d.occurrences.forEach((o, k) => {
      expect(keys.has(o.key), `duplicate key ${o.key}`).toBe(false);
      keys.add(o.key);
      const due = inZone(o.due);
      const opens = inZone(o.opens);
      expect(due >= periodStart && due <= periodEnd, `${o.key} due ${o.due} outside the period`).toBe(true);
      expect(opens < due).toBe(true);
      if (previousDue) {
        expect(due > previousDue, `${o.key} not after the previous occurrence`).toBe(true);
        expect(o.opens).toBe(d.occurrences[k - 1].due);
      } else expect(o.opens).toBe(plan.campaign.periodStart);
      const next = d.occurrences[k + 1] ? DateTime.fromISO(d.occurrences[k + 1].due) : periodEnd;
      for (const r of o.reminders) {
        const at = inZone(r.at);
        expect(at <= due, `reminder ${r.at} after due ${o.due}`).toBe(true);
        expect(at >= opens, `reminder ${r.at} before ${o.key} opens`).toBe(true);
      }
      let lastStep = 0;
      let lastAt: DateTime | undefined;
      for (const e of o.escalations) {
        const at = inZone(e.at);
        expect(at >= due, `escalation ${e.at} before due ${o.due}`).toBe(true);
        expect(d.kind === 'recurring' && d.occurrences[k + 1] ? at < next : at <= periodEnd, `escalation ${e.at} too late`).toBe(true);
        expect(e.step).toBeGreaterThanOrEqual(lastStep);
        if (lastAt) expect(at >= lastAt).toBe(true);
        lastStep = e.step;
        lastAt = at;
      }
      if (d.kind === 'open') {
        expect(o.reminders).toEqual([]);
        expect(o.escalations).toEqual([]);
      }
      const w = g.weekly.get(d.id);
      if (w) {
        expect(due.weekday, `${o.key} is not on weekday ${w.weekday}`).toBe(w.weekday);
        expect(due.toFormat('HH:mm')).toBe(w.time);
        expect(o.moved).toBeUndefined();
      }
      if (o.moved) expect(DateTime.fromISO(o.moved.from, { zone: g.zone }).toFormat('HH:mm')).toBe(due.toFormat('HH:mm'));
      previousDue = due;
    });
  }
}

describe('random valid plans', () => {
  const seeds = Array.from({ length: 60 }, (_, i) => 1000 + i * 7919);
  for (const seed of seeds) {
    it(`seed ${seed}`, () => {
      const g = generate(seed);
      const a = loadPlanText(g.text, `seed-${seed}.yaml`);
      if (!a.ok) throw new Error(`seed ${seed} produced an invalid plan:\n${a.errors.map(formatDiagnostic).join('\n')}\n\n${g.text}`);
      checkInvariants(a.plan, g);
      seen.zones.add(g.zone);
      for (const d of a.plan.deadlines) {
        seen.kinds.add(d.kind);
        for (const o of d.occurrences) {
          if (o.moved) seen.moved++;
          if (o.nonWorkingDay) seen.kept++;
          seen.reminders += o.reminders.length;
          seen.escalations += o.escalations.length;
          seen.offsets.add(`${g.zone} ${o.due.slice(-6)}`);
        }
      }
      // Deterministic: the same text compiles to the same JSON.
      const b = loadPlanText(g.text, `seed-${seed}.yaml`);
      expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    });
  }

  it('the generator exercised every kind of deadline, moves, kept non-working days and DST offsets', () => {
    expect([...seen.kinds].sort()).toEqual(['one-off', 'open', 'recurring']);
    expect(seen.zones.size).toBe(ZONES.length);
    expect(seen.moved).toBeGreaterThan(0);
    expect(seen.kept).toBeGreaterThan(0);
    expect(seen.reminders).toBeGreaterThan(100);
    expect(seen.escalations).toBeGreaterThan(100);
    // Some zone was seen with two offsets (a DST change inside a period).
    const zonesWithOffsets = new Map<string, number>();
    for (const k of seen.offsets) zonesWithOffsets.set(k.split(' ')[0], (zonesWithOffsets.get(k.split(' ')[0]) ?? 0) + 1);
    expect([...zonesWithOffsets.values()].some((n) => n > 1)).toBe(true);
  });
});
