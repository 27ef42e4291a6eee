/**
 * Whether the people escalations are addressed to exist: the coordinating office needs contacts
 * when a rung goes to the coordinator, and departments need leaders when a rung copies leaders.
 * Checked on the compiled deadlines, so only rungs that really produce a step count. Warnings
 * only: the campaign can run, but those messages would reach nobody.
 */
import type { PlanInput } from '../schema';
import { CAMPAIGN_MESSAGES as M } from '../messages/campaign';
import type { CompiledDeadline, CompiledDepartment } from '../timeline';
import type { Report } from './report';

export function checkAudiences(report: Report, input: PlanInput, deadlines: CompiledDeadline[], departments: CompiledDepartment[]): void {
  const usesCoordinator = deadlines.some((d) => d.occurrences.some((o) => o.escalations.some((e) => e.to.includes('coordinator'))));
  if (usesCoordinator && (input.campaign.office.contacts ?? []).length === 0) {
    report.warn(['campaign', 'office'], M.coordinatorWithoutContacts(), 'key');
  }
  const usesLeaders = deadlines.some((d) => d.occurrences.some((o) => o.escalations.some((e) => e.to.includes('leaders'))));
  if (usesLeaders) {
    const byId = new Map(departments.map((d) => [d.id, d]));
    const targeted = new Set(deadlines.flatMap((d) => d.departments));
    const without = [...targeted].filter((id) => (byId.get(id)?.leaders.length ?? 0) === 0);
    if (without.length > 0) {
      report.warn(['departments'], M.departmentsWithoutLeaders(without), 'key');
    }
  }
}
