/**
 * What the two messages after due share (overdue.ts to the department, escalation.ts to leaders
 * or the coordinating office): their business key and who receives them. The request names the
 * rung by `step` and `at` (daily repeats share the step number, `at` tells them apart); its
 * recipients follow the rung's `to` in the plan: the first audience with an address in To, the
 * others in Cc.
 */
import type { CompiledDepartment, Contact, EscalationAudience, EscalationStep } from '../../deadlines/timeline';
import { formatInstant, latePhrase } from '../format';
import type { DeadlineInfo, DepartmentInfo, MessageCommon } from './context';
import { obligationKey, utcStamp, type RequestOf } from './kind';
import type { PlanIndex } from './plan-index';
import type { View, ViewHelpers } from './view';

/** Which template an escalation rung uses: a rung addressed to the department is an "overdue" notice. */
export function escalationKind(step: Pick<EscalationStep, 'to'>): 'overdue' | 'escalation' {
  return step.to[0] === 'department' ? 'overdue' : 'escalation';
}

export function escalationKey(req: RequestOf<'overdue' | 'escalation'>): { key: string; step: string } {
  return { key: obligationKey(req), step: `escalation-${req.step}@${utcStamp(req.at)}` };
}

export interface EscalationRung {
  department: CompiledDepartment;
  /** The deadline as the message shows it (its extended due instant, if any). */
  deadline: DeadlineInfo;
  /** The rung's label from the plan, when the plan has the rung. */
  label?: string;
  audiences: EscalationAudience[];
  /** The audience the message is addressed to (the first with an address, else the first listed). */
  lead: EscalationAudience | undefined;
  to: Contact[];
  cc: Contact[];
}

/** The rung a request names and its recipients; without a matching rung `fallback` are the audiences. */
export function escalationRung(req: RequestOf<'overdue' | 'escalation'>, P: PlanIndex, common: MessageCommon, fallback: EscalationAudience[]): EscalationRung {
  const { deadline, occurrence, department: dept } = P.obligation(req.occurrenceKey, req.departmentId);
  const rung = occurrence.escalations.find((e) => e.step === req.step && sameInstant(e.at, req.at)) ?? occurrence.escalations.find((e) => e.step === req.step);
  const audiences = rung?.to ?? fallback;
  const lists = audiences.map((a) => (a === 'department' ? dept.contacts : a === 'leaders' ? dept.leaders : common.office.contacts));
  const firstNonEmpty = lists.findIndex((l) => l.length > 0);
  return {
    department: dept,
    deadline: { ...P.info(deadline, occurrence), due: req.due ?? occurrence.due },
    label: rung?.label,
    audiences,
    lead: audiences[firstNonEmpty >= 0 ? firstNonEmpty : 0],
    to: firstNonEmpty >= 0 ? lists[firstNonEmpty]! : [],
    cc: firstNonEmpty >= 0 ? lists.filter((_, i) => i !== firstNonEmpty).flat() : [],
  };
}

/** What both messages say of the late obligation: the department, the deadline, how late it is now. */
export function lateView(c: { department: DepartmentInfo; deadline: DeadlineInfo; at: string; link?: string }, h: ViewHelpers): View {
  const late = latePhrase(c.deadline.due, c.at, h.zone, h.language);
  return {
    ...h.department(c.department),
    ...h.deadline(c.deadline),
    link: h.link(c.link),
    late: late.text,
    daysLate: late.days,
    now: formatInstant(c.at, h.zone, h.language),
  };
}

function sameInstant(a: string, b: string): boolean {
  return Date.parse(a) === Date.parse(b);
}
