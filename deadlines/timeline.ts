/**
 * The compiled timeline: what a campaign workflow receives instead of YAML.
 *
 * Everything here is plain JSON (ISO-8601 strings with the campaign zone's offset, no luxon
 * objects), small enough to pass as a Temporal payload for 1,000 departments x 12 deadlines:
 * instants are stored once per deadline occurrence, and an obligation is the pair
 * (occurrence, department) — see `expandObligations` for the flat list.
 *
 * This module is pure and deterministic: workflows import it.
 */

export type Language = 'zh-CN' | 'en';

export interface Contact {
  name?: string;
  email: string;
}

export interface CompiledDepartment {
  id: string;
  name: string;
  contacts: Contact[];
  /** Leaders copied on escalations. */
  leaders: Contact[];
  groups: string[];
}

export type ColumnType = 'count' | 'amount' | 'text' | 'names';

export interface FormColumn {
  id: string;
  label: string;
  type: ColumnType;
  /** For amounts, e.g. 万元. */
  unit?: string;
  /** Cumulative weekly figure: may not decrease from one submission to the next. */
  cumulative?: boolean;
  /** "其中" sub-columns; each numeric sub-column's value may not exceed its parent. */
  ofWhich?: FormColumn[];
}

export interface CompiledForm {
  id: string;
  title: string;
  columns: FormColumn[];
}

/** Who receives an escalation step. */
export type EscalationAudience = 'department' | 'leaders' | 'coordinator';

export interface ReminderStep {
  /** Instant the reminder is sent (ISO with offset). */
  at: string;
  /** The ladder rung as written in the plan: "3d", "1d", "2h". */
  before: string;
}

export interface EscalationStep {
  at: string;
  /** 1-based rung index on the escalation ladder (repeats of a daily rung keep its index). */
  step: number;
  /** To: the first audience; copies to the rest. e.g. ['department','leaders'] = department with leaders in Cc. */
  to: EscalationAudience[];
  /** Human label of the rung as written in the plan, e.g. "at due", "1 working day late", "daily". */
  label: string;
}

export interface CompiledOccurrence {
  /** Stable key of this occurrence: `${deadlineId}@${local date yyyy-MM-dd}`. */
  key: string;
  /** Due instant (ISO with the campaign zone's offset). */
  due: string;
  /** Submissions are accepted from this instant (period start, or the previous occurrence's due for recurring ones). */
  opens: string;
  /** True when the plan moved this occurrence because it fell on a non-working day. */
  moved?: { from: string; rule: 'previous_working_day' | 'next_working_day' };
  /** True when due falls on a non-working day and was kept there. */
  nonWorkingDay?: boolean;
  reminders: ReminderStep[];
  /** Escalations after due, ending before the next occurrence's due (recurring) or the period end. */
  escalations: EscalationStep[];
}

export type DeadlineKind = 'one-off' | 'recurring' | 'open';

export interface CompiledDeadline {
  id: string;
  title: string;
  kind: DeadlineKind;
  /** What to submit. */
  submit: { report: boolean; form?: string; attachments: boolean };
  /** Free text from the plan: what exactly to submit (shown in emails). */
  description?: string;
  /** Department ids (groups already expanded), in plan order. */
  departments: string[];
  /** The department and group ids as written in the plan's `from:` (for display: "各市人社局"). */
  from?: string[];
  /** The notice's own words for this deadline, when the plan quotes them. */
  quote?: string;
  /**
   * How the plan reads "X月Y日前" for this deadline, when it says so (date_means): by the end of
   * working day X (end_of_workday, the default) or before day X begins (start_of_day, due 00:00).
   */
  dateMeans?: 'end_of_workday' | 'start_of_day';
  /** For 'open' deadlines: a single occurrence at period end with no reminders or escalations. */
  occurrences: CompiledOccurrence[];
}

export interface CompiledPlan {
  /** Version of this structure, bumped on incompatible change. */
  format: 1;
  campaign: {
    id: string;
    title: string;
    timezone: string;
    language: Language;
    /** ISO instants: start of the first day and end of the last day of the period, in the zone. */
    periodStart: string;
    periodEnd: string;
    /** "HH:mm", the end of the working day used by "by day X" deadlines. */
    endOfWorkday: string;
    /** When the plan gives the notice's date (campaign.issued): the first instant of that day; nothing is sent before it. */
    issued?: string;
    office: { name: string; contacts: Contact[] };
  };
  /**
   * The plan's own calendar additions (holidays, adjusted working days, Spring Festival holiday
   * blocks) on top of the built-in tables, for code that needs working days at run time:
   * pass it to deadlines/calendar's createWorkCalendar.
   */
  calendar?: {
    holidays: string[];
    workdays: string[];
    springFestivalHoliday: Record<string, { start: string; end: string }>;
  };
  departments: CompiledDepartment[];
  /** Named sets of departments (membership is CompiledDepartment.groups), in plan order. */
  groups?: Array<{ id: string; name: string }>;
  forms: CompiledForm[];
  deadlines: CompiledDeadline[];
}

/** One obligation: a deadline occurrence for one department. */
export interface Obligation {
  deadline: string;
  occurrence: string;
  department: string;
  due: string;
  reminders: string[];
  escalations: string[];
}

/**
 * The "any time" deadlines (随时报送): channels a department may use, not obligations — they are
 * left out of every count of obligations (totals, missing).
 */
export function anyTimeDeadlines(plan: CompiledPlan): Set<string> {
  return new Set(plan.deadlines.filter((d) => d.kind === 'open').map((d) => d.id));
}

/**
 * The messages one department (its contacts, or its leaders) can receive for one obligation of
 * this occurrence: every reminder, and every escalation step addressed to the department or its
 * leaders (steps to the coordinator only are not counted). At most: a submission stops the rest.
 */
export function messagesToDepartment(occ: CompiledOccurrence): number {
  return occ.reminders.length + occ.escalations.filter((e) => e.to.includes('department') || e.to.includes('leaders')).length;
}

export function expandObligations(plan: CompiledPlan): Obligation[] {
  const out: Obligation[] = [];
  for (const d of plan.deadlines) {
    for (const occ of d.occurrences) {
      for (const dept of d.departments) {
        out.push({
          deadline: d.id,
          occurrence: occ.key,
          department: dept,
          due: occ.due,
          reminders: occ.reminders.map((r) => r.at),
          escalations: occ.escalations.map((e) => e.at),
        });
      }
    }
  }
  return out;
}
