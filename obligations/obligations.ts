/**
 * The obligations of one shard of departments and what happens to them: which reminders and
 * escalations are due when, and how submissions, excuses and extensions change that.
 *
 * Whether a submission is accepted is decided in submission-rules.ts; here it is recorded.
 *
 * Pure and deterministic: the department-shard workflow holds a ShardState and calls these
 * functions; they never read the clock (the caller passes campaign time) and never do I/O.
 */
import type { ComposeRequest } from './message-requests';
import type { CompiledDeadline, CompiledOccurrence, CompiledPlan } from '../deadlines/timeline';
import type { FormValues } from './form-data';

export type ObligationStatus = 'pending' | 'submitted' | 'late' | 'excused';

export interface SubmissionVersion {
  submissionId: string;
  version: number;
  /** Campaign time the workflow accepted it (ISO, UTC). */
  receivedAt: string;
  by: string;
  late: boolean;
  values?: FormValues;
  report?: string;
  /** Blob references (sha256:...) of attachments, with their original names. */
  attachments?: Array<{ ref: string; name: string; size: number; type: string }>;
  /** A 零报告: the department answered "nothing to report this period" (no figures, report or files). */
  nothing?: true;
}

export interface DeliveryEntry {
  /** Business step, e.g. reminder-3d, escalation-1@20240202T100000Z, receipt-<id>. */
  step: string;
  kind: string;
  /** Campaign time the message was due (ISO). */
  at: string;
  sent: string[];
  failed: Array<{ address: string; reason: string }>;
  messageId?: string;
}

export interface ObligationRecord {
  deadline: string;
  occurrence: string;
  department: string;
  status: ObligationStatus;
  /** Set by an extension: the new due instant (ISO). */
  extendedTo?: string;
  excused?: { reason: string; at: string; by: string };
  versions: SubmissionVersion[];
  deliveries: DeliveryEntry[];
  /** Chases by hand (催报), oldest first: obligations/chase-rules.ts. Absent before the first. */
  chases?: Array<{ chaseId: string; at: string; by: string }>;
}

export interface ShardState {
  obligations: Record<string, ObligationRecord>;
  /** Campaign time (epoch ms) up to which every due message has been handled. */
  processedUntilMs: number;
  /** Departments that received their launch notice. */
  launched: string[];
  paused: boolean;
  /** submissionId -> obligation key, for idempotent submissions. */
  submissionIds: Record<string, string>;
}

export function obligationKey(occurrence: string, department: string): string {
  return `${occurrence}|${department}`;
}

/**
 * Creates records for every (occurrence x department) of the plan not yet in the state. An
 * obligation that appears (by an amendment, or a department joining late) after its due instant
 * is not owed: it is recorded as excused, with that reason.
 */
export function syncObligations(plan: CompiledPlan, state: ShardState, nowMs = -Infinity): void {
  for (const d of plan.deadlines) {
    for (const occ of d.occurrences) {
      for (const dept of d.departments) {
        const key = obligationKey(occ.key, dept);
        if (state.obligations[key]) continue;
        const pastDue = Date.parse(occ.due) <= nowMs;
        state.obligations[key] = {
          deadline: d.id,
          occurrence: occ.key,
          department: dept,
          status: pastDue ? 'excused' : 'pending',
          ...(pastDue ? { excused: { reason: 'added to the campaign after its due time', at: new Date(nowMs).toISOString(), by: 'amendment' } } : {}),
          versions: [],
          deliveries: [],
        };
      }
    }
  }
}

export function initialShardState(plan: CompiledPlan, processedUntilMs: number): ShardState {
  const state: ShardState = { obligations: {}, processedUntilMs, launched: [], paused: false, submissionIds: {} };
  syncObligations(plan, state, processedUntilMs);
  return state;
}

export interface PlanIndex {
  deadline(id: string): CompiledDeadline | undefined;
  occurrence(key: string): { deadline: CompiledDeadline; occurrence: CompiledOccurrence; index: number } | undefined;
}

export function indexPlan(plan: CompiledPlan): PlanIndex {
  const deadlines = new Map(plan.deadlines.map((d) => [d.id, d]));
  const occurrences = new Map<string, { deadline: CompiledDeadline; occurrence: CompiledOccurrence; index: number }>();
  for (const d of plan.deadlines) d.occurrences.forEach((o, index) => occurrences.set(o.key, { deadline: d, occurrence: o, index }));
  return { deadline: (id) => deadlines.get(id), occurrence: (key) => occurrences.get(key) };
}

/** The due instant (ms) of an obligation, extensions included. */
export function effectiveDueMs(rec: ObligationRecord, occ: CompiledOccurrence): number {
  return Date.parse(rec.extendedTo ?? occ.due);
}

export interface LadderItem {
  atMs: number;
  obligation: string;
  request: ComposeRequest;
}

/**
 * Every department-facing message of the shard's ladder, whether or not it is still due:
 * reminders before due and the escalation rungs addressed to the department (rungs addressed to
 * the coordinator first are the campaign workflow's digest). An extension shifts the obligation's
 * whole ladder by the time it was extended.
 */
export function ladder(plan: CompiledPlan, state: ShardState, link: (department: string) => string): LadderItem[] {
  const idx = indexPlan(plan);
  const periodEnd = Date.parse(plan.campaign.periodEnd);
  const items: LadderItem[] = [];
  for (const [key, rec] of Object.entries(state.obligations)) {
    if (rec.status !== 'pending') continue;
    const found = idx.occurrence(rec.occurrence);
    if (!found || !found.deadline.departments.includes(rec.department)) continue;
    const { occurrence: occ } = found;
    const shift = effectiveDueMs(rec, occ) - Date.parse(occ.due);
    const due = rec.extendedTo;
    for (const r of occ.reminders) {
      const atMs = Date.parse(r.at) + shift;
      items.push({ atMs, obligation: key, request: { kind: 'reminder', occurrenceKey: occ.key, departmentId: rec.department, before: r.before, at: new Date(atMs).toISOString(), due, link: link(rec.department) } });
    }
    for (const e of occ.escalations) {
      if (e.to[0] === 'coordinator') continue;
      const atMs = Date.parse(e.at) + shift;
      if (shift > 0 && atMs > periodEnd) continue;
      items.push({ atMs, obligation: key, request: { kind: 'overdue', occurrenceKey: occ.key, departmentId: rec.department, step: e.step, at: new Date(atMs).toISOString(), due, link: link(rec.department) } });
    }
  }
  // Ordinal tie-break: deterministic, and far cheaper than localeCompare over thousands of items.
  return items.sort((a, b) => a.atMs - b.atMs || (a.obligation < b.obligation ? -1 : a.obligation > b.obligation ? 1 : 0));
}

/** Messages due in (processedUntil, now], for obligations still pending. */
export function dueItems(items: readonly LadderItem[], state: ShardState, nowMs: number): LadderItem[] {
  return items.filter((i) => i.atMs > state.processedUntilMs && i.atMs <= nowMs);
}

/**
 * Every item of the first instant after `afterMs`: the batch that comes next if nothing changes
 * meanwhile (a submission, excuse or extension may still change it). `items` are in ladder order.
 */
export function batchAfter(items: readonly LadderItem[], afterMs: number): LadderItem[] {
  const out: LadderItem[] = [];
  for (const i of items) {
    if (i.atMs <= afterMs) continue;
    if (out.length > 0 && i.atMs !== out[0]!.atMs) break;
    out.push(i);
  }
  return out;
}

/** The next campaign instant after processedUntil at which something is due, if any. */
export function nextInstant(items: readonly LadderItem[], state: ShardState): number | undefined {
  for (const i of items) if (i.atMs > state.processedUntilMs) return i.atMs;
  return undefined;
}

// --- submissions -------------------------------------------------------------------------------

export interface SubmissionInput {
  submissionId: string;
  department: string;
  deadline: string;
  /** Occurrence key; default: the one open now, else the latest one already due. */
  occurrence?: string;
  values?: Record<string, unknown>;
  report?: string;
  attachments?: SubmissionVersion['attachments'];
  /** Column ids whose decrease (cumulative figures) the submitter confirmed. */
  confirmDecreases?: string[];
  /** A 零报告 ("nothing to report this period"): carries no figures, report or attachments (submission-rules.ts). */
  nothing?: boolean;
  by: string;
}

export interface SubmissionReceipt {
  submissionId: string;
  department: string;
  deadline: string;
  occurrence: string;
  version: number;
  status: ObligationStatus;
  late: boolean;
  receivedAt: string;
  /** True when this submission id had been accepted before (nothing changed). */
  duplicate: boolean;
}

/** An accepted submission, as obligations/submission-rules.ts judged it: its obligation and normalised figures. */
export interface AcceptedSubmission {
  key: string;
  values?: FormValues;
  /** Set when this submission id had been accepted before. */
  duplicateOf?: string;
  /** A 零报告, as the rules accepted it. */
  nothing?: true;
}

/** Picks the occurrence a submission is for: the explicit one, the one open now, or the latest one due. */
export function resolveOccurrence(plan: CompiledPlan, state: ShardState, deadline: CompiledDeadline, department: string, nowMs: number): CompiledOccurrence | undefined {
  let latestDue: CompiledOccurrence | undefined;
  for (const occ of deadline.occurrences) {
    const rec = state.obligations[obligationKey(occ.key, department)];
    const due = rec ? effectiveDueMs(rec, occ) : Date.parse(occ.due);
    if (Date.parse(occ.opens) <= nowMs && nowMs <= due) return occ;
    if (due < nowMs) latestDue = occ;
  }
  return latestDue;
}

/** Records an accepted submission; returns the receipt. Call only with what the submission rules accepted. */
export function applySubmission(plan: CompiledPlan, state: ShardState, input: SubmissionInput, check: AcceptedSubmission, nowMs: number): SubmissionReceipt {
  const rec = state.obligations[check.key]!;
  if (check.duplicateOf) {
    const v = rec.versions.find((x) => x.submissionId === input.submissionId)!;
    return { submissionId: input.submissionId, department: rec.department, deadline: rec.deadline, occurrence: rec.occurrence, version: v.version, status: rec.status, late: v.late, receivedAt: v.receivedAt, duplicate: true };
  }
  const occ = indexPlan(plan).occurrence(rec.occurrence)!.occurrence;
  const late = nowMs > effectiveDueMs(rec, occ);
  const version: SubmissionVersion = {
    submissionId: input.submissionId,
    version: rec.versions.length + 1,
    receivedAt: new Date(nowMs).toISOString(),
    by: input.by,
    late,
    values: check.values,
    report: input.report,
    attachments: input.attachments,
    ...(check.nothing ? { nothing: true as const } : {}),
  };
  rec.versions.push(version);
  // The first accepted version decides on time or late; later versions are corrections.
  if (rec.status === 'pending') rec.status = late ? 'late' : 'submitted';
  state.submissionIds[input.submissionId] = check.key;
  return { submissionId: input.submissionId, department: rec.department, deadline: rec.deadline, occurrence: rec.occurrence, version: version.version, status: rec.status, late, receivedAt: version.receivedAt, duplicate: false };
}

// --- excuse and extend -------------------------------------------------------------------------

export interface ObligationRef {
  department: string;
  /** Occurrence key (e.g. weekly-stats@2024-02-22, or the deadline id for a one-off). */
  occurrence: string;
}

export function findObligation(state: ShardState, ref: ObligationRef): { key: string; rec: ObligationRecord } | { error: string } {
  const key = obligationKey(ref.occurrence, ref.department);
  const rec = state.obligations[key];
  if (rec) return { key, rec };
  // Accept a deadline id for a one-off deadline (its only occurrence).
  const matches = Object.entries(state.obligations).filter(([, r]) => r.department === ref.department && r.deadline === ref.occurrence);
  if (matches.length === 1) return { key: matches[0]![0], rec: matches[0]![1] };
  if (matches.length > 1) return { error: `deadline '${ref.occurrence}' recurs; name one occurrence: ${matches.map(([, r]) => r.occurrence).join(', ')}` };
  return { error: `no obligation '${ref.occurrence}' for department '${ref.department}'` };
}

export function checkExcuse(state: ShardState, ref: ObligationRef): string | undefined {
  const found = findObligation(state, ref);
  if ('error' in found) return found.error;
  if (found.rec.status === 'submitted' || found.rec.status === 'late') return `already submitted (${found.rec.status}); nothing to excuse`;
  return undefined;
}

export function checkExtension(plan: CompiledPlan, state: ShardState, ref: ObligationRef, until: string, nowMs: number): string | undefined {
  const found = findObligation(state, ref);
  if ('error' in found) return found.error;
  const t = Date.parse(until);
  if (!Number.isFinite(t)) return `'${until}' is not a date-time (use ISO 8601, e.g. 2024-02-05T18:00:00+08:00)`;
  if (found.rec.status !== 'pending') return `the obligation is ${found.rec.status}; only a pending one can be extended`;
  if (t <= nowMs) return `the new due time ${until} is already past`;
  if (t > Date.parse(plan.campaign.periodEnd)) return `the new due time ${until} is after the campaign period ends (${plan.campaign.periodEnd})`;
  const occ = indexPlan(plan).occurrence(found.rec.occurrence)?.occurrence;
  if (occ && t <= Date.parse(found.rec.extendedTo ?? occ.due)) return `the new due time ${until} is not later than the current one (${found.rec.extendedTo ?? occ.due})`;
  return undefined;
}

// --- amendments --------------------------------------------------------------------------------

/**
 * Carries the shard's obligations over to an amended plan. An occurrence keeps its records when
 * its deadline and position stay the same even if its date moved (its key then changes); new
 * occurrences and departments get fresh pending records. Records of removed departments or
 * deadlines stay in the state (they are history) but no longer appear in the ladder.
 */
export function amendObligations(oldPlan: CompiledPlan, newPlan: CompiledPlan, state: ShardState, nowMs: number): void {
  const newDeadlines = new Map(newPlan.deadlines.map((d) => [d.id, d]));
  for (const old of oldPlan.deadlines) {
    const updated = newDeadlines.get(old.id);
    if (!updated) continue;
    old.occurrences.forEach((occ, i) => {
      const moved = updated.occurrences[i];
      if (!moved || moved.key === occ.key) return;
      for (const [key, rec] of Object.entries(state.obligations)) {
        if (rec.occurrence !== occ.key) continue;
        const newKey = obligationKey(moved.key, rec.department);
        if (state.obligations[newKey]) continue;
        delete state.obligations[key];
        state.obligations[newKey] = { ...rec, occurrence: moved.key };
        for (const [sid, k] of Object.entries(state.submissionIds)) if (k === key) state.submissionIds[sid] = newKey;
      }
    });
  }
  syncObligations(newPlan, state, nowMs);
}

/** Whether an obligation is still part of the plan (its department and occurrence exist). Pass an index when checking many. */
export function isInPlan(plan: CompiledPlan, rec: ObligationRecord, idx: PlanIndex = indexPlan(plan)): boolean {
  const found = idx.occurrence(rec.occurrence);
  return !!found && found.deadline.departments.includes(rec.department);
}
