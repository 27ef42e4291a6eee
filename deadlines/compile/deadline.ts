/**
 * One deadline of the plan, compiled in two steps: planDeadline works out the departments that
 * owe it (groups expanded, in the order of departments:), its kind (one-off, recurring, or open:
 * accepted any time in the period), the ladder it uses and its due instants (occurrences.ts; or
 * relative.ts when it counts from another deadline, which must then be planned first);
 * finishDeadline gives each due its opening instant, reminders and escalation steps, whose
 * chasing may end at another deadline's next due — hence the two steps. Checks that depend on
 * the kind, such as reminders on an open deadline, are made here.
 */
import type { DateTime } from 'luxon';
import type { PathSegment } from '../parse';
import { type DeadlineInput, type NonWorkingDayRule, type PlanInput, RECURRING_KINDS, SCHEDULE_KINDS } from '../schema';
import type { CompiledDeadline, CompiledDepartment, CompiledOccurrence, DeadlineKind } from '../timeline';
import { type Campaign, formatInstant } from './campaign';
import { type ChaseContext, warnChasing, warnUntilBeforeDue } from './chasing';
import { DEADLINE_MESSAGES as M } from '../messages/deadlines';
import { LADDER_MESSAGES } from '../messages/ladder';
import { deadlineLadder, type Ladder } from './ladder';
import { type Due, dueInstants, occurrencesOf, scheduledDates } from './occurrences';
import { anchorDeadline, relativeDates, relativeKind } from './relative';
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

/** A deadline after its first step: everything but the reminders and escalations. */
export interface PlannedDeadline {
  input: DeadlineInput;
  index: number;
  kind: DeadlineKind;
  ladder: Ladder;
  departments: string[];
  /** Empty for an open deadline. */
  dues: Due[];
}

/** The first step for deadlines[i]; undefined when it has errors (reported). `planned` holds the deadlines planned so far. */
export function planDeadline(
  campaign: Campaign,
  report: Report,
  d: DeadlineInput,
  i: number,
  parts: PlanParts,
  planned: Map<string, PlannedDeadline>,
): PlannedDeadline | undefined {
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
  const anchor = anchorDeadline(d);
  const target = anchor ? planned.get(anchor.deadline) : undefined;
  if (anchor && !target) return undefined; // an unknown deadline (checkReferences), or one that failed or sits on a circle (reported)
  const kind: DeadlineKind =
    kindKey === 'open' ? 'open' : RECURRING_KINDS.includes(kindKey) ? 'recurring' : anchor && target ? relativeKind(anchor, target) : 'one-off';

  const ladder = deadlineLadder(d, base, defaults, campaign.language, report);
  if (kind === 'open') {
    if (d.reminders && d.reminders.length > 0) {
      report.error([...base, 'reminders'], M.openWithReminders(d.id), 'key');
    }
    if (d.escalation && d.escalation.length > 0) {
      report.error([...base, 'escalation'], M.openWithEscalation(d.id), 'key');
    }
    if (d.on_non_working_day) {
      report.warn([...base, 'on_non_working_day'], M.openNonWorkingDay(d.id), 'key');
    }
  }
  if (kind === 'recurring') {
    ladder.reminders.forEach((r) => {
      if (r.kind === 'at' && ladder.remindersFrom === 'deadline') {
        report.error(r.path, M.fixedReminderOnRecurring(d.id, r.text));
      }
    });
  }
  if (kind === 'one-off' && ladder.escalationFrom === 'deadline') {
    ladder.escalation.forEach((r) => r.until === 'next' && report.error([...r.path, 'until'], LADDER_MESSAGES.untilNextOnOneOff(d.id)));
  }

  const rule: NonWorkingDayRule = d.on_non_working_day ?? parts.nonWorkingDayRule ?? 'keep';
  let dues: Due[] = [];
  if (kind !== 'open') {
    const raw = anchor && target ? relativeDates(campaign, report, d, base, anchor, target) : scheduledDates(campaign, report, d, base, kind, kindKey);
    if (raw && report.errors.length === errorsBefore) dues = dueInstants(campaign, report, d, base, kind, raw, rule);
  }
  if (report.errors.length > errorsBefore) return undefined;
  return { input: d, index: i, kind, ladder, departments: deptIds, dues };
}

/** The second step: the occurrences with their ladders; undefined when that finds errors (reported). */
export function finishDeadline(campaign: Campaign, report: Report, p: PlannedDeadline, planned: Map<string, PlannedDeadline>): CompiledDeadline | undefined {
  const { input: d, index: i, kind, ladder } = p;
  const base: PathSegment[] = ['deadlines', i];
  const errorsBefore = report.errors.length;
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
    const chase: ChaseContext = {
      self: d.id,
      capped: [],
      duesOf: (id: string): DateTime[] | undefined => planned.get(id)?.dues.map((x) => x.due),
    };
    occurrences = occurrencesOf(campaign, report, d, base, kind, p.dues, ladder, chase);
    const every = ladder.escalation.find((r) => r.kind === 'every');
    const path = ladder.escalationFrom === 'deadline' ? [...base, 'escalation'] : [...base, 'id'];
    warnChasing(report, d.id, every?.duration.text, occurrences, chase, path);
    if (every && p.dues.length > 0) warnUntilBeforeDue(report, d.id, every, p.dues[0]);
  }

  if (report.errors.length > errorsBefore) return undefined;
  const submit = d.submit ?? {};
  return {
    id: d.id,
    title: d.title,
    kind,
    submit: { report: submit.report ?? true, ...(submit.form !== undefined ? { form: submit.form } : {}), attachments: submit.attachments ?? false },
    ...(d.description !== undefined ? { description: d.description } : {}),
    departments: p.departments,
    from: [...d.from],
    ...(d.quote !== undefined ? { quote: d.quote } : {}),
    ...(d.schedule.date_means !== undefined ? { dateMeans: d.schedule.date_means } : {}),
    occurrences,
  };
}
