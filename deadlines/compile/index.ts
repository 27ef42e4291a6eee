/**
 * Validated plan (schema/) → compiled timeline (timeline.ts): the public entry of the compiler.
 *
 * Pure and deterministic: the same plan gives byte-identical output on any machine, in any
 * process time zone (all arithmetic is on local dates of the campaign zone with luxon, and on the
 * working-day calendar of deadlines/calendar). Every instant is written
 * `yyyy-MM-ddTHH:mm:ss.SSS±HH:mm` in the campaign zone, e.g. 2024-02-02T18:00:00.000+08:00.
 *
 * Besides computing the timeline it checks what the schema cannot: references between sections
 * (references.ts), duplicate ids, dates against the period, the escalation ladder (ladder.ts),
 * schedules that produce nothing (occurrences.ts: where a deadline is computed). Problems come
 * back as diagnostics pinned to the plan's lines; nothing here throws for a plan that passed the
 * schema.
 *
 * The steps, in the order they report: the campaign's period and calendar (campaign.ts), the
 * default ladder, the order in which deadlines that count from other deadlines can be computed
 * (relative.ts), each deadline's dues in that order, then each deadline's occurrences with their
 * ladders in plan order (deadline.ts), then the escalations' audiences (audiences.ts) and the local
 * times daylight-saving time skipped or repeated (campaign.ts).
 */
import type { Diagnostic } from '../diagnostics';
import type { ColumnInput, PlanInput } from '../schema';
import type { CompiledDeadline, CompiledDepartment, CompiledForm, CompiledPlan, Contact, FormColumn } from '../timeline';
import { checkAudiences } from './audiences';
import { formatInstant, setUpCampaign, warnDaylightSaving } from './campaign';
import { finishDeadline, type PlannedDeadline, planDeadline } from './deadline';
import { defaultLadder } from './ladder';
import { deadlineOrder } from './relative';
import { type CompileContext, Report } from './report';

export { checkReferences } from './references';
export { DEFAULT_END_OF_WORKDAY, DEFAULT_TIMEZONE, formatInstant, MAX_PERIOD_DAYS } from './campaign';
export { DEFAULT_ESCALATION, DEFAULT_REMINDERS, MAX_ESCALATIONS_PER_OCCURRENCE } from './ladder';
export { DEFAULT_CHASE_REPEATS, MESSAGES_PER_OBLIGATION_WARNING } from './chasing';
export { MAX_OCCURRENCES } from './occurrences';
export type { CompileContext } from './report';

export interface CompileResult {
  /** Present when there are no errors. */
  plan?: CompiledPlan;
  errors: Diagnostic[];
  warnings: Diagnostic[];
}

/**
 * Compiles a plan that passed the schema. Reference problems (unknown ids) are expected to have
 * been reported by `checkReferences`; compilation skips such references silently.
 */
export function compilePlan(input: PlanInput, ctx: CompileContext): CompileResult {
  const report = new Report(ctx);
  const plan = compile(input, report);
  return { ...(plan && report.errors.length === 0 ? { plan } : {}), errors: report.errors, warnings: report.warnings };
}

function compile(input: PlanInput, report: Report): CompiledPlan | undefined {
  const c = input.campaign;
  const campaign = setUpCampaign(input, report);
  if (!campaign) return undefined;

  const groups = input.groups ?? {};
  const departments: CompiledDepartment[] = input.departments.map((d) => ({
    id: d.id,
    name: d.name,
    contacts: d.contacts.map(toContact),
    leaders: (d.leaders ?? []).map(toContact),
    groups: [...new Set(d.groups ?? [])],
  }));
  const deptIndex = new Map(departments.map((d, i) => [d.id, i]));
  const forms: CompiledForm[] = (input.forms ?? []).map((f) => ({ id: f.id, title: f.title, columns: f.columns.map(toColumn) }));

  const parts = {
    defaults: defaultLadder(input.defaults, campaign.language, report),
    departments,
    deptIndex,
    groups,
    nonWorkingDayRule: input.defaults?.on_non_working_day,
  };
  const planned = new Map<string, PlannedDeadline>();
  const inOrder: PlannedDeadline[] = [];
  for (const i of deadlineOrder(input.deadlines, report)) {
    const p = planDeadline(campaign, report, input.deadlines[i], i, parts, planned);
    if (p && !planned.has(p.input.id)) planned.set(p.input.id, p);
    if (p) inOrder.push(p);
  }
  const deadlines: CompiledDeadline[] = [];
  for (const p of inOrder.sort((a, b) => a.index - b.index)) {
    const compiled = finishDeadline(campaign, report, p, planned);
    if (compiled) deadlines.push(compiled);
  }

  checkAudiences(report, input, deadlines, departments);
  warnDaylightSaving(campaign, report);

  if (report.errors.length > 0) return undefined;
  return {
    format: 1,
    campaign: {
      id: c.id,
      title: c.title,
      timezone: campaign.zone,
      language: campaign.language,
      periodStart: formatInstant(campaign.periodStart),
      periodEnd: formatInstant(campaign.periodEnd),
      endOfWorkday: campaign.endOfWorkday,
      ...(campaign.issuedStart ? { issued: formatInstant(campaign.issuedStart) } : {}),
      office: { name: c.office.name, contacts: (c.office.contacts ?? []).map(toContact) },
    },
    calendar: {
      holidays: [...(input.calendar?.holidays ?? [])],
      workdays: [...(input.calendar?.workdays ?? [])],
      springFestivalHoliday: Object.fromEntries(
        Object.entries(input.calendar?.spring_festival_holiday ?? {}).map(([y, b]) => [y, { start: b.start, end: b.end }]),
      ),
    },
    departments,
    groups: Object.entries(groups).map(([id, g]) => ({ id, name: g.name })),
    forms,
    deadlines,
  };
}

function toContact(c: { name?: string; email: string }): Contact {
  return c.name !== undefined ? { name: c.name, email: c.email } : { email: c.email };
}

function toColumn(c: ColumnInput): FormColumn {
  return {
    id: c.id,
    label: c.label,
    type: c.type,
    ...(c.unit !== undefined ? { unit: c.unit } : {}),
    ...(c.cumulative !== undefined ? { cumulative: c.cumulative } : {}),
    ...(c.of_which ? { ofWhich: c.of_which.map(toColumn) } : {}),
  };
}
