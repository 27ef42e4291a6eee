/**
 * One deadline of the plan, compiled: the departments that owe it (groups expanded, in the order
 * of departments:), its kind (one-off, recurring, or open: accepted any time in the period), the
 * ladder it uses, and its occurrences (occurrences.ts). Checks that depend on the kind, such as
 * reminders on an open deadline, are made here.
 */
import type { PathSegment } from '../parse';
import { type DeadlineInput, type NonWorkingDayRule, type PlanInput, SCHEDULE_KINDS } from '../schema';
import type { CompiledDeadline, CompiledDepartment, CompiledOccurrence, DeadlineKind } from '../timeline';
import { type Campaign, formatInstant } from './campaign';
import { deadlineLadder, type Ladder } from './ladder';
import { buildOccurrences, scheduledDates } from './occurrences';
import type { Report } from './report';

/** What every deadline is compiled against, besides the campaign. */
export interface PlanParts {
  defaults: Ladder;
  departments: CompiledDepartment[];
  /** Department id → index in departments. */
  deptIndex: Map<string, number>;
  groups: NonNullable<PlanInput['groups']>;
  /** defaults.on_non_working_day. */
  nonWorkingDayRule: NonWorkingDayRule | undefined;
}

/** The deadline at deadlines[i]; undefined when it has errors (reported). */
export function compileDeadline(campaign: Campaign, report: Report, d: DeadlineInput, i: number, parts: PlanParts): CompiledDeadline | undefined {
  const { defaults, departments, deptIndex, groups } = parts;
  const base: PathSegment[] = ['deadlines', i];
  const errorsBefore = report.errors.length;

  // Departments: every id in from (groups expanded), in the order of departments:.
  const chosen = new Set<number>();
  for (const ref of d.from) {
    const di = deptIndex.get(ref);
    if (di !== undefined) chosen.add(di);
    else if (ref in groups) departments.forEach((dep, k) => dep.groups.includes(ref) && chosen.add(k));
  }
  const deptIds = [...chosen].sort((a, b) => a - b).map((k) => departments[k].id);

  const kindKey = SCHEDULE_KINDS.find((k) => d.schedule[k] !== undefined);
  if (!kindKey) return undefined; // reported by the schema
  const kind: DeadlineKind = kindKey === 'open' ? 'open' : ['weekly', 'half_monthly', 'every_working_days'].includes(kindKey) ? 'recurring' : 'one-off';

  const ladder = deadlineLadder(d, base, defaults, campaign.language, report);
  if (kind === 'open') {
    if (d.reminders && d.reminders.length > 0) {
      report.error([...base, 'reminders'], `deadline '${d.id}' is open (accepted any time in the period): it has no due time to remind of — remove reminders:`, 'key');
    }
    if (d.escalation && d.escalation.length > 0) {
      report.error([...base, 'escalation'], `deadline '${d.id}' is open (accepted any time in the period): nothing is ever late — remove escalation:`, 'key');
    }
    if (d.on_non_working_day) {
      report.warn([...base, 'on_non_working_day'], `deadline '${d.id}' is open: on_non_working_day has no effect`, 'key');
    }
  }
  if (kind === 'recurring') {
    ladder.reminders.forEach((r) => {
      if (r.kind === 'at' && ladder.remindersFrom === 'deadline') {
        report.error(r.path, `deadline '${d.id}' recurs: a reminder on a fixed date (${r.text}) fits only a one-off deadline; use a duration before each due, like 1d or 2h`);
      }
    });
  }

  const rule: NonWorkingDayRule = d.on_non_working_day ?? parts.nonWorkingDayRule ?? 'keep';
  let occurrences: CompiledOccurrence[] = [];
  if (kind === 'open') {
    occurrences = [
      {
        key: `${d.id}@${campaign.periodEndDate}`,
        due: formatInstant(campaign.periodEnd),
        opens: formatInstant(campaign.periodStart),
        reminders: [],
        escalations: [],
      },
    ];
  } else {
    const raw = scheduledDates(campaign, report, d, base, kind, kindKey);
    if (raw && report.errors.length === errorsBefore) occurrences = buildOccurrences(campaign, report, d, base, kind, raw, rule, ladder);
  }

  if (report.errors.length > errorsBefore) return undefined;
  const submit = d.submit ?? {};
  return {
    id: d.id,
    title: d.title,
    kind,
    submit: { report: submit.report ?? true, ...(submit.form !== undefined ? { form: submit.form } : {}), attachments: submit.attachments ?? false },
    ...(d.description !== undefined ? { description: d.description } : {}),
    departments: deptIds,
    from: [...d.from],
    ...(d.quote !== undefined ? { quote: d.quote } : {}),
    occurrences,
  };
}
