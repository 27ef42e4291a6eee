import type { Command } from 'commander';
import { UserError } from '../errors';
import type { CampaignInfo } from '../../workflows/campaign.messages';
import type { ObligationView } from '../../workflows/department-shard.messages';
import type { DeliveryEntry } from '../../obligations/obligations';
import type { CompiledPlan, Language } from '../../deadlines/timeline';
import { terminalText, terminalValues } from '../terminal-text';

interface StatusOpts {
  json?: boolean;
  department?: string;
}

export type CellState = 'pending' | 'submitted' | 'late' | 'excused' | 'overdue';

const LABELS: Record<Language, Record<CellState, string>> = {
  'zh-CN': { pending: '待报', submitted: '已报', late: '迟报', excused: '免报', overdue: '逾期' },
  en: { pending: 'pending', submitted: 'on time', late: 'late', excused: 'excused', overdue: 'OVERDUE' },
};

/** The state shown for an obligation at a campaign instant: a pending one past its due is overdue. */
export function cellState(o: ObligationView, campaignNowMs: number): CellState {
  if (o.status === 'pending') return o.due && Date.parse(o.due) < campaignNowMs ? 'overdue' : 'pending';
  return o.status;
}

/** Campaign time of a delivery. Receipts are dated by the submission they acknowledge. */
function deliveryAt(o: ObligationView, d: DeliveryEntry): string {
  if (d.kind === 'receipt') {
    const v = o.versions.find((x) => d.step === `receipt-${x.submissionId}`);
    if (v) return v.receivedAt;
  }
  return d.at;
}

/** `campaign status <id> [--json] [--department D]`: departments x obligations, messages sent, totals. */
export function register(program: Command): void {
  program
    .command('status')
    .description('where a campaign stands: every department x obligation (待报/已报/迟报/免报/逾期), messages sent and failed, totals')
    .argument('<id>', 'campaign id (e.g. demo) or workflow id (campaign/demo)')
    .option('--department <id>', 'only this department, with every message it was sent')
    .option('--json', 'print { info, obligations } as JSON')
    .action(async (id: string, opts: StatusOpts) => {
      const { withCampaigns, runningPlan, zoneOf, languageOf, table, highlight } = await import('../context');
      const { campaignTime } = await import('../../reports/audit-history');
      await withCampaigns(opts, async (ctx) => {
        const { info, obligations: all } = await ctx.campaigns.status(id);
        const plan = await runningPlan(ctx, info);
        if (opts.department && !all.some((o) => o.department === opts.department) && !info.shards.some((s) => s.departments.includes(opts.department!))) {
          const known = [...new Set(info.shards.flatMap((s) => s.departments))];
          throw new UserError(`no department '${terminalText(opts.department)}' in campaign '${info.campaignId}' (departments: ${known.join(', ')})`);
        }
        const obligations = opts.department ? all.filter((o) => o.department === opts.department) : all;
        ctx.out.result({ info, obligations }, () =>
          // Titles, names, reasons, failures: other people's text, its control characters escaped.
          render(terminalValues(info), terminalValues(obligations), terminalValues(plan), zoneOf(info, plan), languageOf(plan), {
            workflowId: ctx.campaigns.workflowIdOf(id),
            webUi: ctx.webUi(ctx.campaigns.workflowIdOf(id)),
            detail: !!opts.department,
            table,
            highlight,
            campaignTime,
          }),
        );
      });
    });
}

interface RenderOpts {
  workflowId: string;
  webUi: string;
  /** Every message, not only the failed ones, even for a big campaign. */
  detail: boolean;
  table: (header: string[], rows: string[][]) => string[];
  highlight: (s: string) => string;
  campaignTime: (at: string, zone: string, lang: Language) => string;
}

export function render(info: CampaignInfo, obligations: ObligationView[], plan: CompiledPlan | undefined, zone: string, lang: Language, r: RenderOpts): string[] {
  const now = Date.parse(info.campaignNow);
  const t = (iso: string) => r.campaignTime(iso, zone, lang);
  const short = (iso: string) => t(iso).replace(/^\d{4}-/, '').replace(/ \S+ /, ' ');
  const L = LABELS[lang];
  const lines: string[] = [];
  lines.push(`${info.title} (${info.campaignId}) — ${info.state}${info.paused ? ' (PAUSED: reminders and escalations are held)' : ''}`);
  lines.push(`  campaign time  ${t(info.campaignNow)} (${zone})${info.clock.scale !== 1 ? `, rehearsal: 1 campaign day = ${Math.round(86_400 * info.clock.scale * 10) / 10} s` : ''}`);
  lines.push(`  period         ${t(info.periodStart)} — ${t(info.periodEnd)}`);
  lines.push(`  workflow       ${r.workflowId} (${info.shards.length} shard${info.shards.length === 1 ? '' : 's'})  ${r.webUi}`);
  if (info.amendments.length) {
    lines.push(`  amended        ${info.amendments.map((a) => `${t(a.at)} by ${a.by}${a.added.length ? ` +${a.added.join(' +')}` : ''}${a.removed.length ? ` -${a.removed.join(' -')}` : ''}`).join('; ')}`);
  }
  lines.push('');

  const inPlan = obligations.filter((o) => o.inPlan);
  const removed = obligations.length - inPlan.length;
  const deptOrder = plan ? plan.departments.map((d) => d.id) : [];
  const deptName = new Map(plan?.departments.map((d) => [d.id, d.name]) ?? []);
  const departments = [...new Set(inPlan.map((o) => o.department))].sort((a, b) => {
    const ia = deptOrder.indexOf(a);
    const ib = deptOrder.indexOf(b);
    return (ia < 0 ? 1e9 : ia) - (ib < 0 ? 1e9 : ib) || a.localeCompare(b);
  });
  // Columns: occurrences by plan due date (an extension changes one cell, not the column).
  const planDue = new Map<string, string>();
  for (const d of plan?.deadlines ?? []) for (const o of d.occurrences) planDue.set(o.key, o.due);
  const occurrences = [...new Set(inPlan.map((o) => o.occurrence))].sort((a, b) => {
    const da = Date.parse(planDue.get(a) ?? inPlan.find((o) => o.occurrence === a)!.due);
    const db = Date.parse(planDue.get(b) ?? inPlan.find((o) => o.occurrence === b)!.due);
    return da - db || a.localeCompare(b);
  });
  const byKey = new Map(inPlan.map((o) => [`${o.occurrence}|${o.department}`, o]));

  const counts: Record<CellState, number> = { pending: 0, submitted: 0, late: 0, excused: 0, overdue: 0 };
  const header = ['department', ...occurrences.map((k) => `${k.replace(/@\d{4}-(\d\d-\d\d)$/, '@$1')} ${planDue.get(k) ? `(${short(planDue.get(k)!).split(' ')[1]})` : ''}`.trim())];
  const rows = departments.map((dept) => [
    deptName.get(dept) ? `${deptName.get(dept)} ${dept}` : dept,
    ...occurrences.map((k) => {
      const o = byKey.get(`${k}|${dept}`);
      if (!o) return '—';
      const state = cellState(o, now);
      counts[state]++;
      const first = o.versions[0];
      const parts = [L[state]];
      if ((state === 'submitted' || state === 'late') && first) parts.push(short(first.receivedAt));
      if (o.versions.length > 1) parts.push(`v${o.versions.length}`);
      if (o.extendedTo) parts.push(`→${short(o.extendedTo)}`);
      const failed = o.deliveries.some((d) => d.failed.length > 0);
      const cell = parts.join(' ') + (failed ? ' !' : '');
      return state === 'overdue' && process.stdout.isTTY ? r.highlight(cell) : cell;
    }),
  ]);
  if (rows.length) lines.push(...r.table(header, rows));
  else lines.push('(no obligations)');
  lines.push(
    lang === 'zh-CN'
      ? `  ${L.submitted} = submitted on time, ${L.late} = late, ${L.excused} = excused, ${L.pending} = pending, ${L.overdue} = overdue (past due, not submitted); ! = a delivery failed`
      : '  OVERDUE = past due, not submitted; ! = a delivery failed',
  );
  lines.push('');
  const total = inPlan.length;
  lines.push(
    `totals: ${total} obligations — ${counts.submitted} on time, ${counts.late} late, ${counts.excused} excused, ${counts.pending + counts.overdue} pending (${counts.overdue} overdue)${removed ? `; ${removed} no longer in the plan (amended)` : ''}`,
  );

  // Messages: every delivery of the shown obligations; for a big campaign only failures unless --department.
  const showAll = r.detail || departments.length <= 20;
  let sentMessages = 0;
  let failedRecipients = 0;
  const msgLines: string[] = [];
  for (const dept of departments) {
    for (const k of occurrences) {
      const o = byKey.get(`${k}|${dept}`);
      if (!o || o.deliveries.length === 0) continue;
      const shown = o.deliveries.filter((d) => showAll || d.failed.length > 0);
      sentMessages += o.deliveries.length;
      failedRecipients += o.deliveries.reduce((n, d) => n + d.failed.length, 0);
      if (!shown.length) continue;
      msgLines.push(`  ${deptName.get(dept) ?? dept} (${dept}) · ${k}${o.excused ? ` — excused: ${o.excused.reason}` : ''}`);
      for (const d of shown) {
        const base = `    ${short(deliveryAt(o, d))}  ${d.step.replace(/@\d{8}T\d{6}Z$/, '').replace(/^receipt-.*$/, 'receipt').padEnd(14)}  ${d.sent.length ? `sent: ${d.sent.join(', ')}` : 'sent: nobody'}`;
        msgLines.push(base);
        for (const f of d.failed) msgLines.push(r.highlight(`      FAILED ${f.address}: ${f.reason}`));
      }
    }
  }
  const office = info.sent.filter((s) => showAll || s.failed.length > 0);
  lines.push(`messages: ${sentMessages} to departments${failedRecipients ? `, ${failedRecipients} recipient${failedRecipients === 1 ? '' : 's'} FAILED` : ', no failed delivery'}; ${info.sent.length} to the office`);
  if (msgLines.length) {
    lines.push('', 'messages to departments:', ...msgLines);
  }
  if (office.length && !r.detail) {
    lines.push('', 'messages to the office:');
    for (const s of office) {
      lines.push(`    ${short(s.at)}  ${(s.kind + (s.occurrence ? ` ${s.occurrence}` : '')).padEnd(34)}  sent: ${s.sent.join(', ') || 'nobody'}`);
      for (const f of s.failed) lines.push(r.highlight(`      FAILED ${f.address}: ${f.reason}`));
    }
  }
  if (info.result) {
    const x = info.result.totals;
    lines.push('', `final: ${x.obligations} obligations — ${x.onTime} on time, ${x.late} late, ${x.excused} excused, ${x.missing} missing; summary ${info.result.summary.csv}`);
  }
  return lines;
}
