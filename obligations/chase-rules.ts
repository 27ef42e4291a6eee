/**
 * The rules of a chase (催报): a coordinator, between the automatic reminders, chases by hand the
 * departments that still owe a deadline occurrence. One home for them, so that the portal, the
 * CLI and the shard's validator refuse the same requests with the same words:
 *
 * - a chase is one click: its chase id makes it exactly-once (the same id again is answered with
 *   what the first did, and sends nothing more);
 * - only departments still owing the occurrence are chased (submitted, excused, 随时报送 channels
 *   and departments not in the deadline are left out), and only once the occurrence has opened;
 * - a department is not chased by hand more often than {@link CHASE_INTERVAL_MS} for the same
 *   occurrence: inside the interval it is skipped, and a chase that would send nothing for that
 *   reason is refused naming when the next one is possible.
 *
 * Pure and deterministic (the caller passes campaign time): the department-shard workflow runs it.
 */
import type { CompiledPlan, Language } from '../deadlines/timeline';
import { indexPlan, obligationKey, type ObligationRecord, type ShardState } from './obligations';

/** The least time between two hand chases of one department for one occurrence. */
export const CHASE_INTERVAL_MS = 60 * 60 * 1000;

/** A chase id: what the portal's form carries (a random UUID) or the CLI makes. */
export const CHASE_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

export interface ChaseRequest {
  /** One per click: the same id again sends nothing more. */
  chaseId: string;
  occurrence: string;
  /** The departments chosen; absent: every department of the shard still owing the occurrence (the 未填名单). */
  departments?: string[];
  /** Who chases, e.g. portal:li (李明) or cli:li@host. */
  by: string;
}

/** One hand chase of an obligation, kept on its record. */
export type ChaseEntry = NonNullable<ObligationRecord['chases']>[number];

export interface ChaseOutcome {
  chaseId: string;
  occurrence: string;
  /** Campaign time of the chase (ISO). */
  at: string;
  chased: string[];
  /** Departments left out: no longer owing, or chased by hand too recently (then `nextAt`). */
  skipped: Array<{ department: string; reason: 'not-owing' | 'too-soon'; nextAt?: string }>;
  /** True when this chase id had been handled before: nothing was sent again. */
  duplicate: boolean;
}

export type ChaseRefusal =
  | { code: 'bad-chase-id' }
  | { code: 'unknown-occurrence'; occurrence: string }
  | { code: 'not-open'; occurrence: string; opens: string }
  | { code: 'nothing-owed'; occurrence: string }
  | { code: 'too-soon'; occurrence: string; nextAt: string; departments: string[] };

export type ChaseVerdict = { ok: true; outcome: ChaseOutcome } | { ok: false; refusal: ChaseRefusal };

/** The chases of a shard by chase id, as the shard keeps them (ShardState.chases). */
export type ChaseLog = Record<string, ChaseOutcome>;

/**
 * What a chase would do now: the departments it sends to and those it leaves out, or why it sends
 * nothing. A chase id already handled is answered with its first outcome, marked duplicate.
 */
export function judgeChase(plan: CompiledPlan, state: ShardState & { chases?: ChaseLog }, req: ChaseRequest, nowMs: number): ChaseVerdict {
  if (typeof req.chaseId !== 'string' || !CHASE_ID_PATTERN.test(req.chaseId)) return { ok: false, refusal: { code: 'bad-chase-id' } };
  const before = state.chases?.[req.chaseId];
  if (before) return { ok: true, outcome: { ...before, duplicate: true } };
  const found = indexPlan(plan).occurrence(req.occurrence);
  if (!found || found.deadline.kind === 'open') return { ok: false, refusal: { code: 'unknown-occurrence', occurrence: req.occurrence } };
  const { deadline, occurrence } = found;
  if (Date.parse(occurrence.opens) > nowMs) return { ok: false, refusal: { code: 'not-open', occurrence: occurrence.key, opens: occurrence.opens } };
  const mine = plan.departments.map((d) => d.id).filter((d) => deadline.departments.includes(d));
  // Chosen departments of other shards are theirs to judge: the client sends each shard its own.
  const asked = req.departments ? mine.filter((d) => req.departments!.includes(d)) : mine;
  const chased: string[] = [];
  const skipped: ChaseOutcome['skipped'] = [];
  for (const department of asked) {
    const rec = state.obligations[obligationKey(occurrence.key, department)];
    if (!rec || rec.status !== 'pending') {
      // named only when chosen: the whole list's chase leaves those who submitted out silently
      if (req.departments) skipped.push({ department, reason: 'not-owing' });
      continue;
    }
    const last = Math.max(-Infinity, ...(rec.chases ?? []).map((c) => Date.parse(c.at)));
    if (nowMs - last < CHASE_INTERVAL_MS) skipped.push({ department, reason: 'too-soon', nextAt: new Date(last + CHASE_INTERVAL_MS).toISOString() });
    else chased.push(department);
  }
  if (chased.length === 0) {
    const soon = skipped.filter((s) => s.reason === 'too-soon');
    if (soon.length === 0) return { ok: false, refusal: { code: 'nothing-owed', occurrence: occurrence.key } };
    const nextAt = soon.map((s) => s.nextAt!).sort()[0]!;
    return { ok: false, refusal: { code: 'too-soon', occurrence: occurrence.key, nextAt, departments: soon.map((s) => s.department) } };
  }
  return { ok: true, outcome: { chaseId: req.chaseId, occurrence: occurrence.key, at: new Date(nowMs).toISOString(), chased, skipped, duplicate: false } };
}

/** Records a chase the rules allowed: on each chased obligation (who, when) and by its chase id on the shard. */
export function recordChase(state: ShardState & { chases?: ChaseLog }, outcome: ChaseOutcome, by: string): void {
  for (const department of outcome.chased) {
    const rec = state.obligations[obligationKey(outcome.occurrence, department)]!;
    (rec.chases ??= []).push({ chaseId: outcome.chaseId, at: outcome.at, by });
  }
  (state.chases ??= {})[outcome.chaseId] = outcome;
}

/** A refusal in the campaign's language (time in the campaign's zone, written by `time`). */
export function describeChaseRefusal(r: ChaseRefusal, language: Language, time: (iso: string) => string = (iso) => iso, name: (department: string) => string = (d) => d): string {
  const zh = language === 'zh-CN';
  switch (r.code) {
    case 'bad-chase-id':
      return zh ? '催报编号无效（页面可能已过期），请刷新页面后重试。' : 'the chase id is not valid (the page may be out of date); reload it and try again';
    case 'unknown-occurrence':
      return zh ? `没有需要报送的“${r.occurrence}”这一期。` : `no deadline occurrence "${r.occurrence}" to chase`;
    case 'not-open':
      return zh ? `“${r.occurrence}”尚未开始报送（${time(r.opens)}开始），暂不能催报。` : `"${r.occurrence}" opens ${time(r.opens)}: it cannot be chased before`;
    case 'nothing-owed':
      return zh ? `“${r.occurrence}”没有未报送的单位，无需催报。` : `every department has submitted or been excused from "${r.occurrence}": nobody to chase`;
    case 'too-soon':
      return zh
        ? `一小时内已催报过（${r.departments.map(name).join('、')}），下次可催报时间：${time(r.nextAt)}。`
        : `already chased by hand within the hour (${r.departments.map(name).join(', ')}); the next chase is possible at ${time(r.nextAt)}`;
  }
}

/**
 * One chase over several shards (each judged its own departments): the outcomes merged, or — when
 * no shard sent anything — the refusal that says why (a request problem first, then the earliest
 * time a chase is possible again, then "nobody owes it").
 */
export function combineChase(answers: Array<{ outcome: ChaseOutcome } | { refusal: ChaseRefusal }>): { ok: true; outcome: ChaseOutcome } | { ok: false; refusal: ChaseRefusal } {
  const outcomes = answers.flatMap((a) => ('outcome' in a ? [a.outcome] : []));
  const refusals = answers.flatMap((a) => ('refusal' in a ? [a.refusal] : []));
  const soon = refusals.flatMap((r) => (r.code === 'too-soon' ? [r] : []));
  const soonSkipped = soon.flatMap((r) => r.departments.map((department) => ({ department, reason: 'too-soon' as const, nextAt: r.nextAt })));
  if (outcomes.length > 0) {
    return {
      ok: true,
      outcome: {
        ...outcomes[0]!,
        chased: outcomes.flatMap((o) => o.chased),
        skipped: [...outcomes.flatMap((o) => o.skipped), ...soonSkipped],
        duplicate: outcomes.every((o) => o.duplicate),
      },
    };
  }
  const bad = refusals.find((r) => r.code !== 'too-soon' && r.code !== 'nothing-owed');
  if (bad) return { ok: false, refusal: bad };
  if (soon.length > 0) {
    return { ok: false, refusal: { code: 'too-soon', occurrence: soon[0]!.occurrence, nextAt: soon.map((r) => r.nextAt).sort()[0]!, departments: soon.flatMap((r) => r.departments) } };
  }
  return { ok: false, refusal: refusals[0] ?? { code: 'nothing-owed', occurrence: '' } };
}
