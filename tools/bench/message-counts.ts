/**
 * The messages a rehearsed campaign must send, counted by kind from the compiled plan and the
 * submission schedule alone (not from the engine), and the kind of a received message from its
 * X-Campaign-Key header — so a benchmark can compare what the SMTP server received with what it
 * should have.
 */
import { campaignInstants } from '../../obligations/campaign-instants';
import type { CompiledPlan } from '../../deadlines/timeline';
import type { Schedule } from './submission-schedule';

export type MessageKind = 'launch' | 'reminder' | 'escalation' | 'receipt' | 'rollup' | 'coordinator-digest' | 'weekly-digest' | 'final-summary' | 'other';

/** Kind of a received message, from its X-Campaign-Key header (`<campaign>/<key>/<step>`). */
export function kindOfKey(header: string): MessageKind {
  const parts = header.split('/');
  const key = parts.slice(1, -1).join('/');
  const step = parts.at(-1) ?? '';
  if (key === 'coordinator-digest') return 'coordinator-digest';
  if (key === 'weekly-digest') return 'weekly-digest';
  if (step === 'rollup') return 'rollup';
  if (step === 'final-summary') return 'final-summary';
  if (step === 'launch') return 'launch';
  if (step.startsWith('receipt-')) return 'receipt';
  if (step.startsWith('reminder-')) return 'reminder';
  if (step.startsWith('escalation-')) return 'escalation';
  return 'other';
}

/**
 * Every message the campaign must send, by kind, derived from the compiled plan and the schedule
 * alone (not from the engine): a launch notice per department; each reminder and department-facing
 * escalation rung of an obligation falling before its submission; a receipt per submission; each
 * campaign instant (roll-ups, the coordinator's digests when someone is late, weekly digests); the
 * final summary.
 */
export function expectedMessages(plan: CompiledPlan, schedule: Schedule): { total: number; byKind: Record<MessageKind, number> } {
  const byKind: Record<MessageKind, number> = { launch: 0, reminder: 0, escalation: 0, receipt: 0, rollup: 0, 'coordinator-digest': 0, 'weekly-digest': 0, 'final-summary': 0, other: 0 };
  byKind.launch = plan.departments.length;
  const occDue = new Map<string, number>();
  for (const d of plan.deadlines) {
    if (d.kind === 'open') continue;
    for (const occ of d.occurrences) {
      occDue.set(occ.key, Date.parse(occ.due));
      for (const dept of d.departments) {
        const s = schedule.submittedAt.get(`${occ.key}|${dept}`) ?? Infinity;
        byKind.reminder += occ.reminders.filter((r) => Date.parse(r.at) < s).length;
        byKind.escalation += occ.escalations.filter((e) => e.to[0] !== 'coordinator' && Date.parse(e.at) < s).length;
      }
    }
  }
  byKind.receipt = schedule.submissions;
  for (const i of campaignInstants(plan)) {
    if (i.kind === 'coordinator-digest') {
      const someoneLate = [...schedule.expected.keys()].some((key) => {
        const [occ] = key.split('|');
        return i.occurrences.includes(occ!) && occDue.get(occ!)! < i.atMs && (schedule.submittedAt.get(key) ?? Infinity) > i.atMs;
      });
      if (someoneLate) byKind['coordinator-digest']++;
    } else byKind[i.kind]++;
  }
  byKind['final-summary'] = 1;
  return { total: Object.values(byKind).reduce((a, b) => a + b, 0), byKind };
}
