/**
 * Ids that refer to each other across the plan's sections: duplicate ids of departments, forms,
 * columns and deadlines, and references (from:, groups:, submit.form, a schedule's
 * relative_to: { deadline }, a rung's until: { next_of }) to departments, groups, forms and
 * deadlines that do not exist.
 *
 * Works on the raw YAML data rather than the validated plan and ignores whatever is malformed
 * (the schema reports that), so these mistakes are reported together with structural ones.
 * Compilation itself (index.ts) then skips unknown references silently.
 */
import { closest, type Diagnostic } from '../diagnostics';
import { CAMPAIGN_MESSAGES as M, ID_OWNER } from '../messages/campaign';
import type { PathSegment } from '../parse';
import { type CompileContext, Report } from './report';

type Raw = Record<string, unknown>;
const isObj = (v: unknown): v is Raw => v !== null && typeof v === 'object' && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Duplicate ids and references to departments, groups and forms that do not exist. */
export function checkReferences(raw: unknown, ctx: CompileContext): Diagnostic[] {
  const report = new Report(ctx);
  if (!isObj(raw)) return report.errors;

  const firstSeen = (items: unknown[], idOf: (x: unknown) => string | undefined, basePath: PathSegment[], what: keyof typeof ID_OWNER) => {
    const seen = new Map<string, number>();
    items.forEach((item, i) => {
      const id = idOf(item);
      if (id === undefined) return;
      const prev = seen.get(id);
      if (prev !== undefined) {
        const first = report.at([...basePath, prev, 'id']);
        report.error([...basePath, i, 'id'], M.duplicateId(ID_OWNER[what], id, first.line));
      } else seen.set(id, i);
    });
    return seen;
  };

  const departments = arr(raw.departments);
  const deptIds = firstSeen(departments, (d) => (isObj(d) ? str(d.id) : undefined), ['departments'], 'department');
  const groups = isObj(raw.groups) ? raw.groups : undefined;
  const groupIds = new Set(groups ? Object.keys(groups) : []);
  for (const g of groupIds) {
    if (deptIds.has(g)) {
      report.error(['groups', g], M.groupSameAsDepartment(g), 'key');
    }
  }
  const members = new Map<string, number>();
  departments.forEach((d, i) => {
    if (!isObj(d)) return;
    arr(d.groups).forEach((g, j) => {
      const gid = str(g);
      if (gid === undefined) return;
      if (!groupIds.has(gid)) {
        const near = closest(gid, groupIds);
        report.error(['departments', i, 'groups', j], groupIds.size === 0 ? M.unknownGroupNoGroups(gid) : M.unknownGroup(gid, near, [...groupIds]));
      } else members.set(gid, (members.get(gid) ?? 0) + 1);
    });
  });

  const forms = arr(raw.forms);
  const formIds = firstSeen(forms, (f) => (isObj(f) ? str(f.id) : undefined), ['forms'], 'form');
  forms.forEach((f, i) => {
    if (!isObj(f)) return;
    const seen = new Map<string, PathSegment[]>();
    const walk = (cols: unknown, path: PathSegment[]) => {
      arr(cols).forEach((c, j) => {
        if (!isObj(c)) return;
        const id = str(c.id);
        if (id !== undefined) {
          const prev = seen.get(id);
          if (prev) {
            const first = report.at([...prev, 'id']);
            report.error([...path, j, 'id'], M.duplicateColumn(id, str(f.id) ?? `#${i + 1}`, first.line));
          } else seen.set(id, [...path, j]);
        }
        walk(c.of_which, [...path, j, 'of_which']);
      });
    };
    walk(f.columns, ['forms', i, 'columns']);
  });

  const deadlines = arr(raw.deadlines);
  const deadlineIds = firstSeen(deadlines, (d) => (isObj(d) ? str(d.id) : undefined), ['deadlines'], 'deadline');
  const checkDeadlineRef = (value: unknown, path: PathSegment[], what: string) => {
    const id = str(value);
    if (id === undefined || deadlineIds.has(id)) return;
    const near = closest(id, deadlineIds.keys());
    report.error(path, M.unknownDeadline(what, id, near));
  };
  const checkRungs = (rungs: unknown, path: PathSegment[]) =>
    arr(rungs).forEach((r, j) => {
      if (isObj(r) && isObj(r.until)) checkDeadlineRef(r.until.next_of, [...path, j, 'until', 'next_of'], 'until: { next_of }');
    });
  if (isObj(raw.defaults)) checkRungs(raw.defaults.escalation, ['defaults', 'escalation']);
  deadlines.forEach((d, i) => {
    if (!isObj(d)) return;
    checkRungs(d.escalation, ['deadlines', i, 'escalation']);
    const schedule = d.schedule;
    if (isObj(schedule) && isObj(schedule.relative_to)) {
      checkDeadlineRef(schedule.relative_to.deadline, ['deadlines', i, 'schedule', 'relative_to', 'deadline'], 'relative_to');
    }
  });
  const referable = [...deptIds.keys(), ...groupIds];
  deadlines.forEach((d, i) => {
    if (!isObj(d)) return;
    arr(d.from).forEach((ref, j) => {
      const id = str(ref);
      if (id === undefined) return;
      if (groupIds.has(id)) {
        if (!members.has(id)) {
          report.error(['deadlines', i, 'from', j], M.groupWithoutMembers(id));
        }
        return;
      }
      if (deptIds.has(id)) return;
      const near = closest(id, referable);
      report.error(['deadlines', i, 'from', j], M.unknownDepartmentOrGroup(id, near));
    });
    const submit = d.submit;
    if (isObj(submit)) {
      const form = str(submit.form);
      if (form !== undefined && !formIds.has(form)) {
        const near = closest(form, formIds.keys());
        report.error(['deadlines', i, 'submit', 'form'], formIds.size === 0 ? M.unknownFormNoForms(form) : M.unknownForm(form, near));
      }
    }
  });
  return report.errors;
}
