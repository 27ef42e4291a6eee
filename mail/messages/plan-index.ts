/**
 * The compiled plan looked up by id, as composing a message needs it: a department, the deadline
 * occurrence a request names (and whether the department owes it), a form's title, and a deadline
 * occurrence as messages show it. One index per plan object (mail/compose.ts keeps them), since a
 * batch composes many messages from one plan. Asked for what the plan does not have, it throws
 * {@link ComposeError}.
 */
import type { CompiledDeadline, CompiledDepartment, CompiledOccurrence, CompiledPlan } from '../../deadlines/timeline';
import type { DeadlineInfo, DepartmentInfo } from './context';

/** The plan has no such department / occurrence, or nobody to send to: non-retryable (workflows/policies.ts). */
export class ComposeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ComposeError';
  }
}

export class PlanIndex {
  private readonly depts: Map<string, CompiledDepartment>;
  private readonly occs = new Map<string, { deadline: CompiledDeadline; occurrence: CompiledOccurrence }>();
  constructor(readonly plan: CompiledPlan) {
    this.depts = new Map(plan.departments.map((d) => [d.id, d]));
    for (const d of plan.deadlines) for (const o of d.occurrences) this.occs.set(o.key, { deadline: d, occurrence: o });
  }
  department(id: string): CompiledDepartment {
    const d = this.depts.get(id);
    if (!d) throw new ComposeError(`the plan has no department "${id}"`);
    return d;
  }
  obligedDepartment(deadline: CompiledDeadline, id: string): CompiledDepartment {
    const d = this.department(id);
    if (!deadline.departments.includes(id)) throw new ComposeError(`department "${id}" does not owe deadline "${deadline.id}"`);
    return d;
  }
  occurrence(key: string): { deadline: CompiledDeadline; occurrence: CompiledOccurrence } {
    const o = this.occs.get(key);
    if (!o) throw new ComposeError(`the plan has no deadline occurrence "${key}"`);
    return o;
  }
  /** The occurrence a request names, and the department owing it. */
  obligation(occurrenceKey: string, departmentId: string): { deadline: CompiledDeadline; occurrence: CompiledOccurrence; department: CompiledDepartment } {
    const { deadline, occurrence } = this.occurrence(occurrenceKey);
    return { deadline, occurrence, department: this.obligedDepartment(deadline, departmentId) };
  }
  formTitle(id: string): string {
    return this.plan.forms.find((f) => f.id === id)?.title ?? id;
  }
  info(d: CompiledDeadline, o: CompiledOccurrence): DeadlineInfo {
    return {
      id: d.id,
      occurrenceKey: o.key,
      title: d.title,
      due: o.due,
      description: d.description,
      submit: { report: d.submit.report, form: d.submit.form ? this.formTitle(d.submit.form) : undefined, attachments: d.submit.attachments },
    };
  }
}

/** A department as messages name it (without its contacts unless a kind adds them). */
export function deptInfo(d: CompiledDepartment): DepartmentInfo {
  return { id: d.id, name: d.name };
}

/** A message to a department about an occurrence it owes: its contacts, and the department and the deadline as shown (an extended due instant when `due` is given). */
export function toOwingDepartment(P: PlanIndex, req: { occurrenceKey: string; departmentId: string; due?: string }): { to: CompiledDepartment['contacts']; department: DepartmentInfo; deadline: DeadlineInfo } {
  const { deadline, occurrence, department } = P.obligation(req.occurrenceKey, req.departmentId);
  return { to: department.contacts, department: deptInfo(department), deadline: { ...P.info(deadline, occurrence), due: req.due ?? occurrence.due } };
}
