/**
 * The demo's opening lines about the campaign: its period and size (obligations counted as the
 * engine counts them), the pace of the rehearsal, and which department plays which part.
 */
import { humanDuration } from '../../cli/verbs/start';
import type { CampaignClock } from '../../obligations/clock';
import { anyTimeDeadlines, expandObligations, type CompiledPlan } from '../../deadlines/timeline';
import { rel, scaleName, type Options } from './options';
import type { Roles } from './schedule';
import { say } from './session';

const DAY = 86_400_000;

export function printLegend(plan: CompiledPlan, roles: Roles, clock: CampaignClock, opts: Options, mode: string): void {
  const c = plan.campaign;
  const periodMs = Date.parse(c.periodEnd) - Date.parse(c.periodStart);
  const occurrences = plan.deadlines.reduce((n, d) => n + d.occurrences.length, 0);
  // As the engine counts them: "any time" channels (随时报送) are not obligations.
  const anyTime = anyTimeDeadlines(plan);
  const expanded = expandObligations(plan);
  const obligationCount = expanded.filter((o) => !anyTime.has(o.deadline)).length;
  const anyTimeCount = expanded.length - obligationCount;
  const names = new Map(plan.departments.map((d) => [d.id, d.name]));
  // Names beside ids for a few departments; ids only for many (Wuhan has 41).
  const list = (ids: string[]) =>
    ids.length <= 8 ? ids.map((id) => `${id} (${names.get(id)})`).join(', ') : ids.length <= 16 ? ids.join(', ') : `${ids.length} departments: ${ids.slice(0, 8).join(', ')} and ${ids.length - 8} more`;
  say(`${mode === 'fresh' ? 'Started' : mode === 'resume' ? 'Resuming' : 'Found'} campaign ${c.id} — ${c.title}   [${rel(opts.planFile)}]`);
  say(`  period      ${c.periodStart.slice(0, 10)} — ${c.periodEnd.slice(0, 10)} (${Math.round(periodMs / DAY)} days, ${c.timezone}), ${plan.departments.length} departments, ${plan.deadlines.length} deadlines, ${occurrences} occurrences, ${obligationCount} obligations${anyTimeCount ? ` (and ${anyTimeCount} “any time” channels, not counted)` : ''}`);
  say(`  rehearsal   ${scaleName(clock.scale)}: the whole campaign plays in about ${humanDuration(periodMs * clock.scale)}`);
  say('  departments (through the portal, each with the link from its own launch email):');
  if (roles.onTime.length) say(`    on time      ${list(roles.onTime)} — the web form, hours before each due time`);
  if (roles.xlsx) say(`    XLSX upload  ${list([roles.xlsx])} — on time; downloads the statistics table's template, fills it in, uploads it`);
  if (roles.late.length) say(`    late         ${list(roles.late)} — after the overdue notice and the office's digest`);
  if (roles.never) say(`    never        ${list([roles.never])} — chased until the end, missing in the summary`);
  for (const a of roles.anyTime) {
    const d = plan.deadlines.find((x) => x.id === a.deadline)!;
    say(`    any time     ${a.department} reports once to “${d.title}”${d.submit.report ? '' : ' (a photo)'}`);
  }
  say();
}
